/**
 * The local store's public shapes (docs/architecture.md): what the sync engine and the service read and write.
 *
 * Nothing secret is ever stored: no credential, token or session id has a column here.
 */
import type {
  AuditEntry,
  AuditQuery,
  ErrorInfo,
  HistoryPoint,
  LogEntry,
  LogQuery,
  RunDetail,
  RunSummary,
  StreamName,
  StreamRunResult,
  TieOut,
} from '../../../shared/types';
import type { Database } from './sqlite';
import type { ModelsRun } from '../../../shared/models';

/** A keyset checkpoint: the last (WHENMODIFIED, RECORDNO) pair loaded and confirmed by Tableau. */
export interface StreamCursor {
  /** UTC ms. */
  whenModified: number;
  /** RECORDNO as Intacct sent it: a number on most objects, text on GLDETAIL. */
  recordNo: number | string;
}

/**
 * Per-stream sync state, shape version 2 (older shapes are upgraded on read, stream-state.ts).
 * Written only by sync/checkpoint.ts. Every field is typed: v1 kept the data source name and the
 * column signature in an untyped `extra` bag and the deletion marks in the ledger's meta table.
 */
export interface StreamState {
  stream: StreamName;
  version: 2;
  /** Null: never loaded, the next run is a full load. */
  cursor: StreamCursor | null;
  /** LUID of the Tableau published data source the stream loads into. */
  datasourceId: string | null;
  /** The data source name it was loaded under (a rename in settings is a new data source); null: unknown. */
  datasourceName: string | null;
  /** `columnsSignature` of the columns it was loaded with (a change republishes in full); null: unknown. */
  columns: string | null;
  lastFullLoadAt: number | null;
  /** A full load started and has not finished (or the data source was lost): the next run loads in full. */
  fullLoadPending: boolean;
  /** UTC ms up to which deletions were applied (the audit-history read starts there, minus the look-back). */
  deletesSince: number | null;
  /** UTC ms of the last key reconciliation that compared every key. */
  lastReconcileAt: number | null;
}

/** What is known when a run starts. */
export interface RunStart {
  runId: string;
  trigger: RunSummary['trigger'];
  startedAt: number;
}

/** What is known when a run ends. `durationMs` defaults to finishedAt − startedAt. */
export interface RunFinish {
  finishedAt: number;
  outcome: Exclude<RunSummary['outcome'], 'running'>;
  rowsMoved: number;
  apiTransactions: number;
  error: ErrorInfo | null;
  durationMs?: number | null;
}

/** How long audit entries and log lines are kept, in days. A value ≤ 0 keeps everything. */
export interface Retention {
  auditDays: number;
  logDays: number;
}

/** A stream's result in the newest finished run that ran it (see `Store.lastStreamRun`). */
export interface StreamLastRun {
  runId: string;
  /** When that run started (UTC ms). */
  startedAt: number;
  /** Its outcome is never 'skipped'. */
  result: StreamRunResult;
}

/** What `prune` removed. */
export interface PruneResult {
  auditRows: number;
  logRows: number;
}

/** The result of `markAudit` on the audit trail. */
export interface AuditPatch {
  jobId?: string | null;
  result: 'applied' | 'failed';
}

/** The embedded database behind one connector installation. */
export interface Store {
  /** Checkpoint, data source LUID and full-load flags of a stream; null if the stream never ran. */
  getStreamState(stream: StreamName): StreamState | null;
  /** Inserts or replaces the stream's state. */
  saveStreamState(s: StreamState): void;
  /** Every stream's state. */
  listStreamStates(): StreamState[];

  /** Records a run as 'running'. */
  startRun(r: RunStart): void;
  /** Records a run's outcome, counts, duration and error. */
  finishRun(runId: string, result: RunFinish): void;
  /** Newest first. */
  listRuns(limit: number): RunSummary[];
  /** The run with its per-stream results and tie-out; null if unknown. */
  getRun(runId: string): RunDetail | null;
  /** The last `limit` finished runs, oldest first (for a chart). */
  history(limit: number): HistoryPoint[];
  /** Intacct API transactions used at or after `ms` (UTC epoch ms): runs started then, and other use. */
  apiTransactionsSince(ms: number): number;
  /** Records API transactions used outside a run (a connection test, a field lookup, an estimate). */
  recordApiUsage(at: number, what: string, transactions: number): void;
  /** Inserts or replaces one stream's result within a run. */
  saveStreamResult(runId: string, r: StreamRunResult): void;
  /** Inserts or replaces the run's tie-out. */
  saveTieOut(runId: string, t: TieOut): void;
  /** Inserts or replaces the run's finance models and accounting checks. */
  saveModels(runId: string, m: ModelsRun): void;
  /** The finance models of the newest finished run that reached the model stage; null if none. */
  lastModels(): ModelsRun | null;
  /** Runs left 'running' by a crash become 'failed' with a clear error; returns how many. */
  markInterruptedRuns(now: number): number;
  /**
   * The stream's result in the newest finished run in which it actually ran (outcome other than
   * 'skipped'), or null if it never ran. A run still in progress does not count.
   */
  lastStreamRun(stream: StreamName): StreamLastRun | null;
  /** Finish time of the newest succeeded (or partially succeeded) run, or null. */
  lastSuccessAt(): number | null;

  /** Appends one log line and returns it with its id. */
  appendLog(e: Omit<LogEntry, 'id'>): LogEntry;
  /** Newest first; `level` is a minimum severity (warn → warn and error). */
  queryLogs(q: LogQuery): LogEntry[];

  /** Appends audit entries: prepared statements, one transaction for the whole batch. */
  recordAudit(entries: readonly AuditEntry[]): void;
  /**
   * Sets the result (and job id) of every entry of one Tableau batch in one UPDATE; on 'applied' it
   * also updates the latest applied hash per record. Returns the number of entries updated.
   */
  markAudit(runId: string, stream: StreamName, requestId: string, patch: AuditPatch): number;
  /** In insertion order (batch by batch; by stream and key within a batch); at most `q.limit` (default 1000). */
  queryAudit(q: AuditQuery): AuditEntry[];
  /** The whole selection as CSV (header line included, CRLF line ends). */
  exportAuditCsv(q: AuditQuery): string;
  /** The same CSV one line at a time (each line ends with CRLF), for large exports. */
  iterateAuditCsv(q: AuditQuery): Generator<string>;
  /** Last applied content hash per record key (keys never applied, or deleted, are absent). */
  lastAppliedHashes(stream: StreamName, keys: readonly string[]): Map<string, string>;
  /** Forgets every applied hash of a stream (before a full reload replaces the data source). */
  clearAppliedHashes(stream: StreamName): number;

  /** Removes audit entries and log lines older than the retention. */
  prune(now: number, retention: Retention): PruneResult;
  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T;
  close(): void;
  /** The schema version the database is at. */
  readonly schemaVersion: number;
  /**
   * The connection itself, for the ledger (sync/ledger.ts), whose tables live in the same file so
   * that a confirmed batch commits in one transaction (sync/checkpoint.ts). Nothing else uses it.
   */
  readonly database: Database;
}
