/**
 * What one stream's sync is given (the context), what it returns, and the engine's tunables; shared
 * by the parts of a stream's sync (stream-sync.ts orchestrates them).
 */
import type { Clock } from '../clock';
import type { StreamDefinition } from '../streams/types';
import type { LogLevel, Settings, StreamProgress, StreamRunResult, TieOutDifference } from '../../../shared/types';
import type { AmountSums, Ledger } from './ledger';
import type { LoadFn, ReplicaPort, SourcePort, StorePort, WritePayloadFn } from './ports';

/** Tunables of the engine; the defaults suit a real company. */
export interface EngineOptions {
  /** Rows read per .hyper payload (a batch). */
  batchRows: number;
  /** Sealed batches allowed to wait for the loader before the reader pauses. */
  maxPendingBatches: number;
  /** RECORDNO partitions of a full GL-detail backfill read. */
  partitions: number;
  /** Key reconciliation runs on every run while Tableau holds at most this many rows of the stream… */
  reconcileEveryRunUpToRows: number;
  /** …and otherwise at most once per this interval (ms). */
  reconcileIntervalMs: number;
}

export const defaultEngineOptions: EngineOptions = {
  batchRows: 200_000,
  maxPendingBatches: 2,
  partitions: 4,
  // 50k rows = 25 keyed pages: cheap enough for every run (a tier-1 company has 100k transactions a month).
  reconcileEveryRunUpToRows: 50_000,
  reconcileIntervalMs: 24 * 3600_000,
};

/** Everything one stream's sync needs. */
export interface StreamSyncContext {
  runId: string;
  /** The run's start (UTC ms): reads are bounded by it and checkpoints never pass it (the signpost). */
  until: number;
  def: StreamDefinition;
  settings: Settings;
  datasourceName: string;
  projectId: string;
  fullReload: boolean;
  source: SourcePort;
  load: LoadFn;
  writePayload: WritePayloadFn;
  store: StorePort;
  ledger: Ledger;
  /** The local replica: each confirmed batch is applied to it before the checkpoint commits it. */
  replica: ReplicaPort;
  clock: Clock;
  workDir: string;
  signal: AbortSignal;
  options: EngineOptions;
  onProgress(p: StreamProgress): void;
  log(level: LogLevel, message: string): void;
}

/** A stream's result plus the figures the run's tie-out needs. */
export interface StreamSyncOutcome {
  result: StreamRunResult;
  /**
   * `tableau` and `differences` come from the ledger; `intacctSums` (when this run read them) let
   * the run compare with what Tableau itself holds (tableau-tie-out.ts).
   */
  tieOut: { intacct: number; tableau: number; differences: TieOutDifference[]; intacctSums?: AmountSums } | null;
}

/** The stream's progress as the parts of its sync report it (rows read so far, rows expected). */
export interface ProgressTracker {
  rowsDone: number;
  rowsExpected: number | null;
  report(phase: StreamProgress['phase'], message?: string): void;
  /** The stream finished: rows read, and how many of them changed Tableau. */
  done(rowsChanged: number): void;
}

export function progressTracker(stream: StreamDefinition['name'], onProgress: (p: StreamProgress) => void): ProgressTracker {
  const t: ProgressTracker = {
    rowsDone: 0,
    rowsExpected: null,
    report: (phase, message) => onProgress({ stream, phase, rowsDone: t.rowsDone, rowsExpected: t.rowsExpected, ...(message ? { message } : {}) }),
    done: (rowsChanged) => onProgress({ stream, phase: 'done', rowsDone: t.rowsDone, rowsExpected: t.rowsExpected, rowsChanged }),
  };
  return t;
}
