/**
 * The core service: one object with every operation of shared/ipc-contract.ts, used by the Electron
 * main process (IPC), the headless server (HTTP+SSE) and the CLI (issue #4 "One service, three
 * front doors").
 *
 * It owns the store, the ledger, the scheduler and the single run in progress: runs never overlap
 * (a request or a scheduled fire that finds one running is refused and logged), a run can be
 * cancelled through its AbortController, and shutdown stops the scheduler, cancels the run, signs
 * out of Tableau (each run signs out when it ends) and stops hyperd. Secrets are write-only: they go
 * into the SecretStore and only "is it set" comes back.
 */
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CancelledError, ValidationError } from '../errors';
import { describeSchedule, nextRuns, createScheduler, nodeScheduleTimer } from '../schedule';
import { checkDatabaseFile, databaseOpenError, openStore } from '../store';
import { acquireDataFolderLock, type DataFolderLock } from './data-folder-lock';
import type { Store } from '../store/types';
import { openLedger, type Ledger } from '../sync/ledger';

import type { ConnectorApi } from '../../../shared/ipc-contract';
import {
  secretNames,
  type AuditQuery,
  type RunDetail,
  type RunSummary,
  type SaveSettingsRequest,
  type SecretName,
  type ServiceEvent,
  type StreamName,
} from '../../../shared/types';
import { secretStatus, type ServiceFactories } from './runtime';
import { validateSchedule, validateSettings } from './settings';
import { createSupportBundle } from './support-bundle';
import { defaultFactories } from './default-factories';
import { openDependentRefreshLog } from './dependent-refreshes';
import { createAlerts } from './alerts';
import { createApiUsage } from './api-usage';
import { createCatalog, fullLoadTransactions } from './catalog';
import { SIDE_SECRETS, createDiagnostics, endpointChanges } from './diagnostics';
import { createStatus } from './status';
import { createRuns } from './runs';
import { createServiceContext, type CoreDeps } from './service-context';

export type { CoreDeps };
export { endpointChanges, fullLoadTransactions };

/** The service: every contract operation plus lifecycle. */
export interface ConnectorService extends Omit<ConnectorApi, 'onEvent'> {
  onEvent(listener: (e: ServiceEvent) => void): () => void;
  startScheduler(): void;
  shutdown(): Promise<void>;
  /** Starts a run and waits for it (the CLI); refuses like syncNow when one is running. */
  runNow(req?: { streams?: StreamName[]; fullReload?: StreamName[]; trigger?: RunSummary['trigger'] }): Promise<RunDetail | { started: false; reason: string }>;
  /** Resolves when the run in progress (if any) has finished. */
  idle(): Promise<void>;
  /**
   * The audit export a page of rows at a time (the HTTP server and the CLI stream it; the whole
   * trail as one string would take gigabytes of memory). `exportAudit` joins the same lines.
   */
  auditCsv(q: AuditQuery): { fileName: string; lines: Iterable<string> };
}

/** Creates the service: opens the store and ledger in `dataDir` and marks runs a crash left 'running'. */
/** Why saveSettings refuses a changed alert command (shown next to the field). */
export const ALERT_COMMAND_REFUSED =
  'The alert command can only be set in settings.json in the data folder (by someone who can edit that file); it cannot be changed from the window or the API.';

export async function createConnectorService(input: CoreDeps): Promise<ConnectorService> {
  const deps: CoreDeps & { factories: ServiceFactories } = { ...input, factories: input.factories ?? defaultFactories() };
  const { clock } = deps;
  const owner = (deps.access ?? 'owner') === 'owner';
  // Only this account may read the folder: it holds the audit trail and what Tableau holds.
  mkdirSync(deps.dataDir, { recursive: true, mode: 0o700 });
  const storePath = join(deps.dataDir, 'connector.sqlite');
  const ledgerPath = join(deps.dataDir, 'ledger.sqlite');
  const lock: DataFolderLock | null = owner ? acquireDataFolderLock(deps.dataDir, deps.ownerName ?? 'ml-connector', clock.now()) : null;
  let store: Store;
  let ledger: Ledger;
  try {
    if (owner) {
      checkDatabaseFile(storePath);
      checkDatabaseFile(ledgerPath);
    }
    try {
      store = openStore(storePath, { clock });
    } catch (err) {
      throw databaseOpenError(storePath, err);
    }
    try {
      ledger = openLedger(ledgerPath, { discardStaged: owner });
    } catch (err) {
      store.close();
      throw databaseOpenError(ledgerPath, err);
    }
    if (owner && process.platform !== 'win32') {
      chmodSync(deps.dataDir, 0o700);
      for (const f of [storePath, `${storePath}-wal`, `${storePath}-shm`, ledgerPath, `${ledgerPath}-wal`, `${ledgerPath}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    }
  } catch (err) {
    lock?.release();
    throw err;
  }
  const workDir = join(deps.dataDir, 'payloads');
  if (owner) {
    // Payloads a crash left behind are never re-sent (a restart re-reads from the checkpoint).
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
  }
  const dependentLog = openDependentRefreshLog(join(deps.dataDir, 'dependent-refreshes.json'));
  const ctx = createServiceContext({ deps, owner, store, ledger, workDir, dependentLog });
  const { state, listeners, emit, log } = ctx;
  let stopStaleCheck: (() => void) | null = null;

  const interrupted = owner ? store.markInterruptedRuns(clock.now()) : 0;
  if (interrupted) log('warn', `${interrupted} run(s) were interrupted (the app stopped during a sync); their checkpoints were not advanced, the next run picks up from there.`);
  const { raiseAlerts } = createAlerts(ctx);
  const usage = createApiUsage(ctx);
  const catalog = createCatalog(ctx, usage);
  const diagnostics = createDiagnostics(ctx, usage);
  const { getStatus, pushStatus } = createStatus(ctx, usage);
  const runs = createRuns(ctx, { pushStatus, raiseAlerts });
  const supportBundle = createSupportBundle(ctx, getStatus);

  const service: ConnectorService = {
    getStatus,
    ...supportBundle,
    ...runs.operations,
    async getSettings() {
      return deps.settings.get();
    },
    async saveSettings(request) {
      const { confirmEndpointChange, ...s } = (request ?? {}) as SaveSettingsRequest;
      const r = validateSettings(s);
      if (!r.ok) return r;
      // The alert command runs a program: it comes only from the settings file on disk, never from
      // the window or the served API (issue #12: the served token must not be a shell).
      if (r.settings.alerts.command !== deps.settings.get().alerts.command) {
        return { ok: false, errors: { 'alerts.command': ALERT_COMMAND_REFUSED } };
      }
      // A secret is bound to the address it was entered for: a changed address drops it unless confirmed.
      const before = deps.settings.get();
      const cleared: SecretName[] = [];
      for (const side of endpointChanges(before, r.settings)) {
        for (const name of SIDE_SECRETS[side.side]) {
          if ((await deps.secrets.get(name)) === null) continue;
          if (confirmEndpointChange === true) continue;
          await deps.secrets.delete(name);
          cleared.push(name);
        }
        log(
          'warn',
          confirmEndpointChange === true
            ? `${side.label} changed from ${side.from || '(none)'} to ${side.to}; the stored secrets are kept for it, as confirmed.`
            : `${side.label} changed from ${side.from || '(none)'} to ${side.to}; its stored secrets were removed (they were entered for the old address). Enter them again.`,
        );
      }
      deps.settings.set(r.settings);
      state.scheduler?.update(r.settings.schedule);
      log('info', 'Settings saved.');
      void pushStatus();
      return cleared.length ? { ...r, clearedSecrets: cleared } : r;
    },
    async setCredential({ name, value }) {
      if (!secretNames.includes(name)) throw new ValidationError({ userMessage: `Unknown credential "${String(name)}".` });
      if (!value) throw new ValidationError({ userMessage: 'The secret is empty.', fields: { [name]: 'Required' } });
      await deps.secrets.set(name, value);
      log('info', `Credential ${name} updated.`);
      void pushStatus();
      return { ok: true };
    },
    async clearCredential({ name }) {
      await deps.secrets.delete(name);
      log('info', `Credential ${name} removed.`);
      void pushStatus();
      return { ok: true };
    },
    getCredentialStatus: () => secretStatus(deps.secrets, secretNames),
    ...diagnostics,
    ...catalog,
    async listRuns(req) {
      return store.listRuns(req?.limit ?? 50);
    },
    async getRun({ runId }) {
      return store.getRun(runId);
    },
    async queryLogs(q) {
      return store.queryLogs(q ?? {});
    },
    async queryAudit(q) {
      return store.queryAudit(q);
    },
    auditCsv(q) {
      const what = q.runId ? `run-${q.runId}` : q.stream ? `stream-${q.stream}` : q.recordKey ? `record-${q.recordKey}` : 'all';
      return { fileName: `audit-${what.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv`, lines: store.iterateAuditCsv(q) };
    },
    async exportAudit(q) {
      const { fileName, lines } = service.auditCsv(q);
      let csv = '';
      for (const line of lines) csv += line;
      return { fileName, csv };
    },
    async getHistory(req) {
      return store.history(req?.limit ?? 30);
    },
    async previewSchedule({ schedule, count }) {
      // The request is only shape-checked at the door: validate the schedule like saveSettings does.
      const checked = validateSchedule(schedule);
      if (!checked.ok) throw new ValidationError({ userMessage: `The schedule is not valid: ${Object.entries(checked.errors).map(([k, v]) => `${k}: ${v}`).join('; ')}`, fields: checked.errors });
      return { runs: nextRuns(checked.schedule, clock.now(), count ?? 5), description: describeSchedule(checked.schedule) };
    },
    async setSchedulePaused({ paused }) {
      const s = deps.settings.get();
      s.schedule.paused = paused;
      deps.settings.set(s);
      state.scheduler?.update(s.schedule);
      log('info', paused ? 'Schedule paused.' : 'Schedule resumed.');
      const status = await getStatus();
      emit({ type: 'status', status });
      return status;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    startScheduler() {
      if (state.scheduler || state.closed || !owner) return;
      const s = deps.settings.get();
      state.scheduler = createScheduler({
        clock,
        schedule: s.schedule,
        lastRunAt: () => store.listRuns(1)[0]?.startedAt ?? null,
        onFire: (trigger) => {
          const r = runs.startRun(trigger, {});
          if (!r.started) log('info', `Scheduled run skipped: ${r.reason}`);
        },
        ...(deps.timer ? { timer: deps.timer } : {}),
      });
      state.scheduler.start();
      // Stale data is a fact of time, not of a run: check it every five minutes too.
      stopStaleCheck = (deps.timer ?? nodeScheduleTimer()).every(5 * 60_000, () => raiseAlerts(deps.settings.get()));
      void pushStatus();
    },
    async shutdown() {
      if (state.closed) return;
      state.scheduler?.stop();
      state.scheduler = null;
      stopStaleCheck?.();
      if (state.current) {
        state.current.controller.abort(new CancelledError('The connector is shutting down.'));
        await state.current.done.catch(() => undefined);
      }
      state.closed = true;
      listeners.clear();
      await runs.stopWriter();
      store.close();
      ledger.close();
      lock?.release();
    },
  };
  return service;
}
