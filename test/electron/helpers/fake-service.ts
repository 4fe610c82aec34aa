/**
 * A recording stand-in for the core service, for shell tests that only check wiring.
 * (The secrets test uses the real service.)
 */
import type { ServiceEvent, Status } from '../../../shared/types';
import type { ShellService } from '../../../main/electron/shell';

export function baseStatus(over: Partial<Status> = {}): Status {
  return {
    state: 'idle',
    demo: false,
    configured: { intacct: true, tableau: true },
    currentRun: null,
    lastRun: null,
    nextRunAt: Date.UTC(2026, 10, 24, 18, 0),
    schedulePaused: false,
    streams: [],
    lastError: null,
    apiTransactionsThisMonth: 0,
    ...over,
  };
}

export function createRecordingService(initial: Status = baseStatus()) {
  const calls: { op: string; request: unknown }[] = [];
  const listeners = new Set<(e: ServiceEvent) => void>();
  let status = initial;
  const record =
    (op: string, result: (req: unknown) => unknown = () => ({})) =>
    async (request?: unknown) => {
      calls.push({ op, request });
      return result(request) as never;
    };
  const service: ShellService = {
    getStatus: record('getStatus', () => status),
    syncNow: record('syncNow', () => ({ started: true, runId: 'run-1' })),
    cancelSync: record('cancelSync', () => ({ cancelled: true })),
    getSettings: record('getSettings'),
    saveSettings: record('saveSettings'),
    setCredential: record('setCredential', () => ({ ok: true })),
    clearCredential: record('clearCredential', () => ({ ok: true })),
    getCredentialStatus: record('getCredentialStatus'),
    testConnection: record('testConnection'),
    listFields: record('listFields', () => []),
    estimateFullLoad: record('estimateFullLoad'),
    listRuns: record('listRuns', () => []),
    getRun: record('getRun', () => null),
    queryLogs: record('queryLogs', () => []),
    queryAudit: record('queryAudit', () => []),
    exportAudit: record('exportAudit'),
    getHistory: record('getHistory', () => []),
    previewSchedule: record('previewSchedule'),
    setSchedulePaused: record('setSchedulePaused', (req) => {
      status = { ...status, schedulePaused: (req as { paused: boolean }).paused };
      return status;
    }),
    exportSupportBundle: record('exportSupportBundle'),
    sendTestAlert: record('sendTestAlert', () => ({ results: [] })),
    requestFullReload: record('requestFullReload', () => ({ pending: [] })),
    resetDemo: record('resetDemo', () => ({ started: false, runId: null })),
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    startScheduler: () => void calls.push({ op: 'startScheduler', request: undefined }),
    shutdown: async () => void calls.push({ op: 'shutdown', request: undefined }),
  };
  const emit = (e: ServiceEvent) => {
    if (e.type === 'status') status = e.status;
    for (const l of listeners) l(e);
  };
  return { service, calls, emit };
}
