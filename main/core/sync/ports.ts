/**
 * The engine's view of the modules it drives (docs/architecture.md), as small interfaces.
 *
 * The sync engine depends on these ports, not on the concrete clients, so that it can be unit-tested
 * with in-memory fakes and so that each real module (Intacct client, Hyper writer, Tableau loader,
 * store) satisfies its port structurally. Shapes mirror the agreed APIs field for field.
 */
import type { ColumnDef, FixedFilter, Row, StreamDefinition } from '../streams/types';
import type { KeysetCursor, Page, ReadSpec } from '../intacct';
import type { LoadBatch } from '../tableau';
import type { AuditEntry, LogEntry, LogLevel, StreamName } from '../../../shared/types';
import type { Store } from '../store/types';

export type { StreamCursor, StreamState } from '../store/types';

/** A keyset position: (WHENMODIFIED in UTC ms, RECORDNO). */
export type Cursor = KeysetCursor;
export type { ReadSpec, Page };

/** The part of the Intacct client the engine uses. */
export interface SourcePort {
  readChanged(spec: ReadSpec, signal?: AbortSignal): AsyncGenerator<Page>;
  readPartitioned(spec: ReadSpec, opts: { partitions: number }, signal?: AbortSignal): AsyncGenerator<Page>;
  count(spec: ReadSpec, signal?: AbortSignal): Promise<number>;
  readKeys(object: string, filters: readonly FixedFilter[], signal?: AbortSignal): AsyncGenerator<string[]>;
  readDeleted(
    objectType: string,
    sinceMs: number,
    signal?: AbortSignal,
    onSkipped?: (w: { objectType: string; from: number; to: number; reason: string }) => void,
  ): AsyncGenerator<{ recordNo: number; deletedAt: number }[]>;
  readonly transactions: number;
  /**
   * Signs in and checks what every read depends on (the API user's date format and clock), so a
   * run stops before reading with one clear reason instead of failing every stream alike.
   */
  prepare?(signal?: AbortSignal): Promise<void>;
}

/** A published data source as the Tableau client reports it. */
export interface DatasourceRef {
  id: string;
  name: string;
  projectId?: string;
}

/** The part of the Tableau client the engine uses directly (loads go through `LoadFn`). */
export interface TargetPort {
  signIn(): Promise<{ siteId: string; userId: string }>;
  findProject(name: string, opts?: { create?: boolean }): Promise<{ id: string; name: string } | null>;
  findDatasource(name: string, projectId?: string): Promise<DatasourceRef | null>;
  refreshDatasource(id: string): Promise<{ id: string } | null>;
}

export type { LoadBatch };

/** Loads one batch and waits for Tableau's job (D's `loadBatch` bound to a client). */
export type LoadFn = (
  batch: LoadBatch,
  opts: { signal?: AbortSignal; onPhase?: (phase: 'uploading' | 'applying', pct?: number) => void },
) => Promise<{ datasourceId: string; jobId: string | null }>;

/** A table inside a payload .hyper file (`HyperTable` in main/core/hyper). */
export interface PayloadTable {
  schema: string;
  name: string;
  columns: readonly ColumnDef[];
}

/** Writes a .hyper payload from streamed row chunks (C's `writeHyperFile` bound to an engine). */
export type WritePayloadFn = (
  path: string,
  tables: { table: PayloadTable; rows: AsyncIterable<readonly Row[]> | Iterable<readonly Row[]> }[],
) => Promise<{ rowCounts: number[]; bytes: number }>;

/** The part of the local store the engine writes to. */
export type StorePort = Pick<
  Store,
  | 'getStreamState'
  | 'saveStreamState'
  | 'recordAudit'
  | 'markAudit'
  | 'appendLog'
  | 'startRun'
  | 'finishRun'
  | 'saveStreamResult'
  | 'saveTieOut'
  | 'saveModels'
  | 'listRuns'
  | 'lastSuccessAt'
  | 'transaction'
>;

/** Re-exported so engine files import their shared shapes from one place. */
export type { AuditEntry, LogEntry, StreamName };

/**
 * One batch Tableau applied, for the local replica (main/core/replica/): the same payload file.
 * `replace`: a full load's first batch (its `Extract.Extract` replaces the table); `upsert`: delete
 * the payload's keys, insert its rows; `delete`: delete the keys in its `Extract.deleted`.
 */
export interface ReplicaBatch {
  def: StreamDefinition;
  path: string;
  kind: 'replace' | 'upsert' | 'delete';
  runId: string;
  requestId: string;
  /** The run's start: the batch holds Intacct's changes up to it (UTC ms). */
  until: number;
  /** When Tableau confirmed the batch (UTC ms). */
  at: number;
  log(level: LogLevel, message: string): void;
}

/**
 * The local replica as the engine drives it. Called after Tableau confirmed a batch and BEFORE the
 * checkpoint commits it; never rejects (a replica problem is logged and marks the stream stale: a
 * run never fails because of it).
 */
export interface ReplicaPort {
  apply(batch: ReplicaBatch): Promise<void>;
  /** Every batch of the stream's full load in `runId` was applied. */
  fullLoadFinished(def: StreamDefinition, runId: string, log: ReplicaBatch['log']): Promise<void>;
}

/** No replica (tests that do not look at it, and hosts without hyperd). */
export const noReplica: ReplicaPort = {
  apply: async () => undefined,
  fullLoadFinished: async () => undefined,
};
