/**
 * What the store recorded, read back: runs, the log, the audit trail (as rows or CSV, streamed a
 * page at a time) and the history of rows moved.
 */
import type { ConnectorApi } from '../../../shared/ipc-contract';
import type { AuditQuery } from '../../../shared/types';
import type { ServiceContext } from './service-context';

type RecordOperations = Pick<ConnectorApi, 'listRuns' | 'getRun' | 'queryLogs' | 'queryAudit' | 'exportAudit' | 'getHistory'> & {
  /** See ConnectorService.auditCsv. */
  auditCsv(q: AuditQuery): { fileName: string; lines: Iterable<string> };
};

export function createRecords(ctx: ServiceContext): RecordOperations {
  const { store } = ctx;
  const records: RecordOperations = {
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
      const { fileName, lines } = records.auditCsv(q);
      let csv = '';
      for (const line of lines) csv += line;
      return { fileName, csv };
    },
    async getHistory(req) {
      return store.history(req?.limit ?? 30);
    },
  };
  return records;
}
