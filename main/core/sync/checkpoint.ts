/**
 * The only writer of a stream's durable state: its checkpoint (cursor, data source, full-load
 * marks, deletion and reconciliation marks), the ledger of what Tableau holds, and the audit
 * trail's result for each batch (issue 13).
 *
 * THE COMMIT POINT of a batch is the COMMIT of `batchApplied`'s transaction, taken only after
 * Tableau's job for the batch finished. In that one transaction of connector.sqlite
 *   1. the batch's audit rows become 'applied' (and the latest applied hash per record moves),
 *   2. its staged ledger rows become held (an overwrite publish first forgets the stream),
 *   3. the cursor advances to the batch's last keyset position, capped at the run's start.
 * Why this is crash-safe: before the COMMIT nothing local says the batch was applied, so a crash
 * (or any failure) leaves the cursor where it was and the next run re-reads from it and re-sends
 * the rows as upserts keyed on the primary key, under new RequestIDs, which converge to the same
 * rows in Tableau (at least once from Intacct, exactly once in Tableau). After the COMMIT all three
 * moved together. Until the ledger moved into connector.sqlite these were three writes across two
 * files, and a crash between them left e.g. held keys without their cursor (or a full load's first
 * overwrite without `fullLoadPending`); now no order between them matters.
 *
 * Models: the Singer SDK's StreamStateManager keeps a bookmark per stream, writes it only for
 * finished work and caps it at the sync's start (the "signpost",
 * https://sdk.meltano.com/en/latest/implementation/state.html and
 * https://sdk.meltano.com/en/latest/implementation/at_least_once.html); the Airbyte CDK's
 * concurrent `Cursor` observes records (`observe`) and emits state only in `close_partition`, once a
 * partition is done
 * (https://github.com/airbytehq/airbyte-python-cdk/blob/main/airbyte_cdk/sources/streams/concurrent/cursor.py).
 * Here the partition is a batch, and "done" means Tableau's job for it finished.
 *
 * `plan` is pure: it decides full or incremental, and says why, from the stored state alone.
 */
import type { StreamDefinition } from '../streams/types';
import type { AuditEntry } from '../../../shared/types';
import { columnsSignature } from '../streams/extra-fields';
import type { Ledger, LedgerEntry } from './ledger';
import type { Cursor, StorePort, StreamState } from './ports';
import { newStreamState } from '../store/stream-state';

/** Why a run loads a stream in full (null: it reads the changes since the checkpoint). */
export type FullLoadReason =
  /** The user asked for a full reload. */
  | 'reload-asked'
  /** The stream never ran. */
  | 'first-run'
  /** No data source is known (never published, or deleted in Tableau). */
  | 'datasource-missing'
  /** Extra fields were added or removed: Tableau's update actions need matching columns. */
  | 'columns-changed'
  /** The data source was renamed in settings: a new data source. */
  | 'renamed'
  /** A full load was started and did not finish: it is repeated from scratch. */
  | 'full-load-unfinished';

/** What a run does with a stream. */
export interface Plan {
  full: boolean;
  reason: FullLoadReason | null;
  /** The state the run starts from, carrying this run's data source name and column signature. */
  state: StreamState;
  /** Column signatures, stored and current (equal when unchanged or unknown). */
  columns: { previous: string; current: string };
}

/** Full or incremental, and why; pure. */
export function plan(stored: StreamState | null, def: StreamDefinition, run: { datasourceName: string; fullReload: boolean }): Plan {
  const current = columnsSignature(def.columns);
  // A state from before signatures (or names) were kept has none and is taken as unchanged.
  const previous = stored?.columns ?? current;
  const storedName = stored?.datasourceName ?? null;
  const reason: FullLoadReason | null = run.fullReload
    ? 'reload-asked'
    : !stored
      ? 'first-run'
      : !stored.datasourceId
        ? 'datasource-missing'
        : previous !== current
          ? 'columns-changed'
          : storedName !== null && storedName !== run.datasourceName
            ? 'renamed'
            : stored.fullLoadPending
              ? 'full-load-unfinished'
              : null;
  const state: StreamState = { ...(stored ?? newStreamState(def.name)), datasourceName: run.datasourceName, columns: current };
  return { full: reason !== null, reason, state, columns: { previous, current } };
}

/** What the checkpoint writes through: the store and the ledger on ONE database (store migration 4). */
export interface CheckpointDeps {
  store: StorePort;
  ledger: Ledger;
  runId: string;
  /** The run's start (UTC ms): no checkpoint claims past it (the signpost). */
  until: number;
  now(): number;
}

/** A stream's durable state during one run; every write goes through here. */
export interface Checkpoint {
  readonly state: StreamState;
  /** Where the audit-history deletion read starts (UTC ms), if a run recorded it. */
  deletesSince(): number | null;
  lastReconcileAt(): number | null;
  /** A batch's audit rows ('pending') and staged ledger rows, persisted before it is sent. */
  batchStaged(requestId: string, audit: readonly AuditEntry[], staged: readonly LedgerEntry[]): void;
  /** A full load's first (overwrite) batch is about to be sent: from now on a crash repeats the full load. */
  fullLoadStarted(): void;
  /** A batch with nothing to send: its window is done (incremental reads only). */
  windowDone(cursor: Cursor, datasourceId: string | null): void;
  /**
   * THE COMMIT POINT: Tableau's job for the batch finished. Audit applied, staged rows held, cursor
   * advanced (incremental batches; a full load's cursor moves in `fullLoadFinished`), one transaction.
   */
  batchApplied(b: { requestId: string; jobId: string | null; datasourceId: string; cursor: Cursor | null; replace: boolean }): void;
  /**
   * The batch was not confirmed: its staged rows are dropped, and with `markFailed` its audit rows
   * say 'failed' (a cancel, or a batch never sent, leaves them 'pending').
   */
  batchFailed(requestId: string, opts: { markFailed: boolean }): void;
  /** Someone deleted the data source in Tableau: the next run publishes it again in full. */
  datasourceLost(): void;
  /** Every batch of a full load was applied; it saw Intacct as of the run's start. */
  fullLoadFinished(cursor: Cursor | null, datasourceId: string | null): void;
  /**
   * The deletion batch was applied: deletions are done up to the run's start, and with `reconciled`
   * so is the key reconciliation that found them. Both marks move only here or in `noDeletions`, so
   * a reconciliation whose deletions Tableau did not apply is repeated by the next run.
   */
  deletionsApplied(requestId: string, jobId: string | null, opts: { reconciled: boolean }): void;
  /** The deletion check found nothing to delete (`reconciled`: by comparing every key). */
  noDeletions(opts: { reconciled: boolean }): void;
}

/** The checkpoint of `planned.state.stream` for one run. */
export function openCheckpoint(deps: CheckpointDeps, planned: Plan): Checkpoint {
  const { store, ledger, runId, until } = deps;
  const stream = planned.state.stream;
  let state = planned.state;
  // Signpost: never claim past the run's start, whatever a page reports.
  const capped = (c: Cursor): Cursor => (c.whenModified > until ? { whenModified: until, recordNo: 0 } : c);
  const save = (next: StreamState) => {
    store.saveStreamState(next);
    state = next;
  };
  // Nested calls (recordAudit's, the ledger's) become savepoints of this one transaction.
  const atomically = (fn: () => void) => store.transaction(fn);

  return {
    get state() {
      return state;
    },
    deletesSince: () => state.deletesSince,
    lastReconcileAt: () => state.lastReconcileAt,
    batchStaged(requestId, audit, staged) {
      atomically(() => {
        store.recordAudit(audit);
        ledger.stage(requestId, stream, staged);
      });
    },
    fullLoadStarted() {
      save({ ...state, fullLoadPending: true });
    },
    windowDone(cursor, datasourceId) {
      save({ ...state, cursor: capped(cursor), datasourceId });
    },
    batchApplied({ requestId, jobId, datasourceId, cursor, replace }) {
      const next: StreamState = { ...state, datasourceId, ...(cursor ? { cursor: capped(cursor) } : {}) };
      atomically(() => {
        store.markAudit(runId, stream, requestId, { jobId, result: 'applied' });
        ledger.commit(requestId, stream, { replace });
        // The local replica (main/core/replica/) got this batch just before, in hyperd's own
        // transaction: connector.sqlite and the .hyper file share none, so the replica goes first
        // and a crash between the two leaves it ahead by a batch the next run re-sends, idempotently.
        store.saveStreamState(next);
      });
      state = next;
    },
    batchFailed(requestId, { markFailed }) {
      atomically(() => {
        if (markFailed) store.markAudit(runId, stream, requestId, { result: 'failed' });
        ledger.discard(requestId);
      });
    },
    datasourceLost() {
      const next: StreamState = { ...state, datasourceId: null, fullLoadPending: true };
      atomically(() => {
        store.saveStreamState(next);
        ledger.clear(stream);
      });
      state = next;
    },
    fullLoadFinished(cursor, datasourceId) {
      const next: StreamState = {
        ...state,
        cursor: cursor && Number.isFinite(cursor.whenModified) ? capped(cursor) : null,
        datasourceId,
        lastFullLoadAt: deps.now(),
        fullLoadPending: false,
        // The full load saw Intacct as of `until`: deletions before it are already absent.
        deletesSince: until,
        lastReconcileAt: until,
      };
      save(next);
    },
    deletionsApplied(requestId, jobId, { reconciled }) {
      const next: StreamState = { ...state, deletesSince: until, ...(reconciled ? { lastReconcileAt: until } : {}) };
      atomically(() => {
        store.markAudit(runId, stream, requestId, { jobId, result: 'applied' });
        ledger.commit(requestId, stream);
        store.saveStreamState(next);
      });
      state = next;
    },
    noDeletions({ reconciled }) {
      save({ ...state, deletesSince: until, ...(reconciled ? { lastReconcileAt: until } : {}) });
    },
  };
}
