/**
 * One stream's share of a run: read what changed in Intacct, write .hyper payloads, load them into
 * Tableau, wait for each job, and only then advance the checkpoint (issue #4 "Streams and runs").
 *
 * Pipeline. Pages stream from the Intacct reader straight into the .hyper writer of the current
 * batch (never a whole batch in memory); when a batch holds `batchRows` rows it is sealed and handed
 * to the loader, which uploads and applies it while the reader fills the next batch. Loads run one
 * at a time in batch order, so checkpoints advance in order; at most `maxPendingBatches` sealed
 * batches wait, which bounds disk use and how far the reader runs ahead.
 *
 * Exactly once in Tableau. The checkpoint of an incremental batch moves (to the keyset position of
 * its last page, which is ≤ the run's start because reads are bounded by `until`) only after
 * Tableau's job for it finished. A crash or cancel before that leaves the checkpoint where it was;
 * the next run re-reads from it and re-sends those rows as upserts keyed on the primary key, which
 * converge to the same rows (no duplicate, nothing missing). A batch's RequestID is stable across
 * retries within the run, so Tableau never applies a retried PATCH twice. A full load keeps
 * `fullLoadPending` set until its last batch is applied; a restart repeats it from scratch, and its
 * first batch is an overwrite publish that discards anything a half-finished attempt left behind.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { Clock } from '../clock';
import { ApiError, ConnectorError, isAbortError } from '../errors';
import type { ColumnDef, FixedFilter, Row, StreamDefinition } from '../streams/types';
import type { AuditEntry, LogLevel, Settings, StreamProgress, StreamRunResult, TieOutDifference } from '../../../shared/types';
import { AsyncQueue } from './async-queue';
import { decimalToUnits, periodOf, rowHash, rowKey } from './canonical-row';
import type { AmountSums, Ledger, LedgerEntry } from './ledger';
import type { Cursor, LoadFn, Page, ReadSpec, SourcePort, StorePort, WritePayloadFn } from './ports';
import { openCheckpoint, plan, type Checkpoint } from './checkpoint';
import { batchRequestId } from './request-id';
import { describeColumnChange } from '../streams/extra-fields';
import { compareSums } from './tie-out';

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

interface Batch {
  no: number;
  requestId: string;
  path: string;
  queue: AsyncQueue<readonly Row[]>;
  writer: Promise<{ rowCounts: number[]; bytes: number }>;
  rowsRead: number;
  rowsSent: number;
  /** Keyset position after the batch's last page (incremental reads are ordered by it). */
  cursor: Cursor | null;
}

/** Parses a Row timestamp ("YYYY-MM-DD HH:MM:SS", UTC) to UTC ms; NaN when absent. */
export function timestampMs(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  return Date.parse(`${value.replace(' ', 'T')}Z`);
}

/** The stream's fixed filters, with values a setting overrides (e.g. the GL book). */
export function effectiveFilters(def: StreamDefinition, settings: Settings): FixedFilter[] {
  return def.filters.map((f) => {
    const override = f.setting ? (settings.intacct as unknown as Record<string, unknown>)[f.setting] : undefined;
    return typeof override === 'string' && override !== '' ? { ...f, value: override } : f;
  });
}

function columnByName(def: StreamDefinition, name: string): ColumnDef {
  const c = def.columns.find((x) => x.name === name);
  if (!c) throw new RangeError(`Stream ${def.name} has no column ${name}`);
  return c;
}

/** The part of a read spec every read of the stream shares (object, filters, backfill window). */
function baseSpec(ctx: StreamSyncContext, columns: readonly ColumnDef[]): ReadSpec {
  return streamReadSpec(ctx.def, ctx.settings, columns);
}

/** What a full read of the stream selects: its object, fixed filters and backfill window. */
export function streamReadSpec(def: StreamDefinition, settings: Settings, columns: readonly ColumnDef[] = def.columns): ReadSpec {
  const spec: ReadSpec = { object: def.intacctObject, columns, filters: effectiveFilters(def, settings), pageSize: def.pageSize };
  if (def.backfillDateColumn) {
    const column = columnByName(def, def.backfillDateColumn).source;
    spec.partitionColumn = column;
    if (settings.streams.glDetailStartDate) spec.dateRange = { column, from: settings.streams.glDetailStartDate };
  }
  return spec;
}

/** Runs one stream; throws on failure (the run records it), CancelledError/AbortError on cancel. */
export async function syncStream(ctx: StreamSyncContext): Promise<StreamSyncOutcome> {
  const { def, store, ledger, signal } = ctx;
  const startedAt = ctx.clock.now();
  const txStart = ctx.source.transactions;
  const planned = plan(store.getStreamState(def.name), def, { datasourceName: ctx.datasourceName, fullReload: ctx.fullReload });
  const { full } = planned;
  const checkpoint = openCheckpoint({ store, ledger, runId: ctx.runId, until: ctx.until, now: () => ctx.clock.now() }, planned);
  if (planned.reason === 'columns-changed') {
    ctx.log('info', `${def.label}: columns ${describeColumnChange(planned.columns.previous, planned.columns.current)}; publishing the data source again in full.`);
  }
  let datasourceId = full ? null : planned.state.datasourceId;
  const tie = def.tieOut;
  const readSums: AmountSums | null = full && tie ? new Map() : null;
  // Intacct's amounts per account and period, when this run read all of them (full load or reconciliation).
  let intacctSums: AmountSums | null = readSums;

  let rowsDone = 0;
  let rowsExpected: number | null = null;
  let rowsUpserted = 0;
  let rowsDeleted = 0;
  const progress = (phase: StreamProgress['phase'], message?: string) =>
    ctx.onProgress({ stream: def.name, phase, rowsDone, rowsExpected, ...(message ? { message } : {}) });

  const spec: ReadSpec = { ...baseSpec(ctx, def.columns), until: ctx.until };
  if (!full) {
    spec.since = planned.state.cursor;
    spec.lookbackMs = def.lookbackMinutes * 60_000;
  }
  const from = def.backfillDateColumn ? ` from ${ctx.settings.streams.glDetailStartDate || 'the start of history'}` : '';
  ctx.log('info', full ? `${def.label}: full load${from}` : `${def.label}: reading changes`);
  progress('reading');
  // A full load of a backfilled stream (GL detail) reads RECORDNO partitions in parallel.
  const partitioned = full && Boolean(def.backfillDateColumn);
  if (partitioned) {
    // A partitioned page's total may cover only its partition (111 expected, 400 read): ask Intacct
    // for the whole read's count once, before reading (1 API transaction). If that fails the count
    // stays unknown; the run goes on without it.
    rowsExpected = await countOrNull(ctx, spec);
  }
  // While reading, the stream shows 'reading' even as earlier batches load; after it, the load phases.
  let readingDone = false;
  let fullLoadCount: number | null = null;

  // The loader side of the pipeline. `stop` aborts the reader when a load fails.
  const stop = new AbortController();
  const readSignal = AbortSignal.any([signal, stop.signal]);
  let chain: Promise<void> = Promise.resolve();
  let loadError: { error: unknown } | null = null;
  const pending: Promise<void>[] = [];
  let batchCount = 0;
  let current: Batch | null = null;
  let fullMax: Cursor | null = null;

  const openBatch = (): Batch => {
    batchCount++;
    const requestId = batchRequestId(ctx.runId, def.name, batchCount);
    const path = join(ctx.workDir, `${def.name}-${requestId}.hyper`);
    const queue = new AsyncQueue<readonly Row[]>(4);
    const writer = ctx.writePayload(path, [{ table: { schema: 'Extract', name: 'Extract', columns: def.columns }, rows: queue }]);
    writer.catch((err: unknown) => queue.fail(err));
    return { no: batchCount, requestId, path, queue, writer, rowsRead: 0, rowsSent: 0, cursor: null };
  };

  const loadSealed = async (batch: Batch): Promise<void> => {
    if (readingDone) progress('writing');
    await batch.writer;
    const first = batch.no === 1;
    if (batch.rowsSent === 0 && !(full && first)) {
      // Everything in it was unchanged: nothing to send, but the window is done.
      await rm(batch.path, { force: true });
      if (!full && batch.cursor) checkpoint.windowDone(batch.cursor, datasourceId);
      return;
    }
    // From here on a crash must repeat the whole full load (the overwrite replaces the data source).
    if (full && first) checkpoint.fullLoadStarted();
    try {
      const res = await ctx.load(
        {
          stream: def,
          datasourceName: ctx.datasourceName,
          projectId: ctx.projectId,
          existingDatasourceId: datasourceId,
          upsertFile: batch.path,
          deleteFile: null,
          requestId: batch.requestId,
          // Only the first batch of a full load publishes with overwrite; later ones upsert into it.
          fullLoad: full && first,
        },
        { signal, onPhase: (phase) => readingDone && progress(phase) },
      );
      datasourceId = res.datasourceId;
      // The commit point (checkpoint.ts): audit applied, ledger held and cursor moved together.
      checkpoint.batchApplied({ requestId: batch.requestId, jobId: res.jobId, datasourceId, cursor: full ? null : batch.cursor, replace: full && first });
      rowsUpserted += batch.rowsSent;
    } catch (err) {
      // Not confirmed. If Tableau did apply it after all, the ledger does not know, so the next run
      // re-sends these rows and records them as applied then.
      checkpoint.batchFailed(batch.requestId, { markFailed: !isAbortError(err) });
      if (err instanceof ConnectorError && err.code === 'DATASOURCE_MISSING') checkpoint.datasourceLost();
      throw err;
    } finally {
      await rm(batch.path, { force: true });
    }
  };

  const seal = async (batch: Batch): Promise<void> => {
    batch.queue.close();
    const p = (chain = chain.then(() => loadSealed(batch))).catch((err: unknown) => {
      loadError ??= { error: err };
      stop.abort(err);
    });
    pending.push(p);
    while (pending.length > ctx.options.maxPendingBatches) await pending.shift();
  };

  const processPage = async (page: Page): Promise<void> => {
    // A keyset read's first page counts the whole read; partitioned pages are never trusted for it.
    if (!partitioned && rowsExpected === null && page.totalCount !== null) rowsExpected = page.totalCount;
    current ??= openBatch();
    const batch = current;
    const keyed = page.rows.map((row) => ({ row, key: rowKey(def, row), hash: rowHash(def, row) }));
    const held = ledger.hashes(def.name, keyed.map((k) => k.key));
    const now = ctx.clock.now();
    const send: Row[] = [];
    const audit: AuditEntry[] = [];
    const staged: LedgerEntry[] = [];
    for (const { row, key, hash } of keyed) {
      if (full) {
        // The checkpoint after a full load is the latest WHENMODIFIED read (rows with an empty one do
        // not move it). Which RECORDNO goes with it does not matter: incremental reads re-read from
        // the checkpoint minus the look-back, and RECORDNO may be text (GLDETAIL).
        const wm = timestampMs(row[def.cursorColumn]);
        const rn = row[def.recordNoColumn];
        if (Number.isFinite(wm) && (!fullMax || wm > fullMax.whenModified)) fullMax = { whenModified: wm, recordNo: typeof rn === 'number' || typeof rn === 'string' ? rn : 0 };
      }
      const before = held.get(key);
      // A look-back re-read returns rows Tableau already holds unchanged: they are not moved again.
      if (!full && before === hash) continue;
      send.push(row);
      const cursorCell = row[def.cursorColumn];
      audit.push({
        runId: ctx.runId,
        stream: def.name,
        recordKey: key,
        whenModified: typeof cursorCell === 'string' ? cursorCell : null,
        contentHash: hash,
        action: before === undefined ? 'insert' : 'update',
        requestId: batch.requestId,
        jobId: null,
        result: 'pending',
        at: now,
      });
      const entry: LedgerEntry = { key, hash, op: 'upsert' };
      if (tie) {
        const amount = row[tie.amountColumn];
        entry.account = row[tie.accountColumn] === null ? null : String(row[tie.accountColumn]);
        entry.period = periodOf(row[tie.dateColumn]);
        entry.amountUnits = typeof amount === 'string' ? decimalToUnits(amount, columnByName(def, tie.amountColumn).scale ?? 2) : null;
        if (readSums) addSum(readSums, entry.account, entry.period, entry.amountUnits ?? 0n);
      }
      staged.push(entry);
    }
    // Persisted BEFORE the batch is sent: the trail names the RequestID of every row in flight.
    if (audit.length) {
      checkpoint.batchStaged(batch.requestId, audit, staged);
      await batch.queue.push(send);
    }
    batch.rowsRead += page.rows.length;
    batch.rowsSent += send.length;
    batch.cursor = page.cursor;
    rowsDone += page.rows.length;
    progress('reading');
    if (batch.rowsRead >= ctx.options.batchRows) {
      current = null;
      await seal(batch);
    }
  };

  try {
    const pages = partitioned
      ? ctx.source.readPartitioned(spec, { partitions: ctx.options.partitions }, readSignal)
      : ctx.source.readChanged(spec, readSignal);
    for await (const page of pages) {
      await processPage(page);
    }
    readingDone = true;
    if (full) {
      // A full load replaces what Tableau holds: never with fewer rows than Intacct says exist (an
      // answer with totalcount="420" and no records must not publish an empty data source). The
      // count is the tie-out's own, taken once here.
      fullLoadCount = await countOrNull(ctx, { ...baseSpec(ctx, def.columns), until: ctx.until });
      if (fullLoadCount !== null && rowsDone < fullLoadCount) {
        throw new ApiError({
          service: 'intacct',
          code: 'SHORT_FULL_LOAD',
          userMessage:
            `${def.label}: Intacct counts ${fullLoadCount.toLocaleString('en-US')} records but returned ${rowsDone.toLocaleString('en-US')}, ` +
            `so the full load was stopped${batchCount === 0 ? ' before replacing the Tableau data source' : ''}. The next run reads it again; if this repeats, contact support.`,
        });
      }
    }
    // A full load of an empty stream still publishes (an empty data source that dashboards can use).
    if (!current && full && batchCount === 0) current = openBatch();
    if (current) {
      const last: Batch = current;
      current = null;
      await seal(last);
    }
    await Promise.all(pending);
  } catch (err) {
    const unsealed = current as Batch | null;
    unsealed?.queue.fail(err);
    stop.abort(err);
    await Promise.allSettled(pending);
    if (unsealed) {
      await unsealed.writer.catch(() => undefined);
      await rm(unsealed.path, { force: true });
      checkpoint.batchFailed(unsealed.requestId, { markFailed: false });
    }
    throw loadError && isAbortError(err) && !signal.aborted ? (loadError as { error: unknown }).error : err;
  }
  if (loadError) throw (loadError as { error: unknown }).error;
  progress('applying');

  if (full) {
    checkpoint.fullLoadFinished(fullMax as Cursor | null, datasourceId);
  } else {
    const deletion = await applyDeletions(ctx, checkpoint, datasourceId, batchCount, progress);
    rowsDeleted = deletion.deleted;
    intacctSums = deletion.intacctSums;
  }

  // Tie-out: Intacct's count of the stream as of `until` against what the loaded batches hold.
  progress('reconciling');
  const intacctCount = full ? fullLoadCount : await countOrNull(ctx, { ...baseSpec(ctx, def.columns), until: ctx.until });
  const tableauCount = ledger.count(def.name);
  let differences: TieOutDifference[] = [];
  if (tie && intacctSums) differences = compareSums(def.name, intacctSums, ledger.sums(def.name));
  if (intacctCount === null) ctx.log('warn', `${def.label}: Intacct's record count could not be read, so this run's tie-out leaves the stream out.`);
  progress('done');
  return {
    result: {
      stream: def.name,
      outcome: 'succeeded',
      rowsRead: rowsDone,
      rowsUpserted,
      rowsDeleted,
      durationMs: ctx.clock.now() - startedAt,
      fullLoad: full,
      apiTransactions: ctx.source.transactions - txStart,
    },
    tieOut: intacctCount === null ? null : { intacct: intacctCount, tableau: tableauCount, differences, ...(intacctSums ? { intacctSums } : {}) },
  };
}

/** Intacct's count for a read, or null when it cannot be had (the data already loaded stays loaded). */
async function countOrNull(ctx: StreamSyncContext, spec: ReadSpec): Promise<number | null> {
  try {
    return await ctx.source.count(spec, ctx.signal);
  } catch (err) {
    if (isAbortError(err) || ctx.signal.aborted) throw err;
    return null;
  }
}

function addSum(sums: AmountSums, account: string | null | undefined, period: string | null | undefined, units: bigint): void {
  const k = `${account ?? ''}\u0000${period ?? ''}`;
  sums.set(k, (sums.get(k) ?? 0n) + units);
}

/** Whether key reconciliation is due for the stream on this run. */
function reconcileDue(ctx: StreamSyncContext, checkpoint: Checkpoint): boolean {
  if (ctx.ledger.count(ctx.def.name) <= ctx.options.reconcileEveryRunUpToRows) return true;
  const last = checkpoint.lastReconcileAt() ?? 0;
  return ctx.until - last >= ctx.options.reconcileIntervalMs;
}

/**
 * Finds the records deleted in Intacct that Tableau still holds and deletes them there in one batch.
 * audit-history streams read AUDITHISTORY (intacct-xml.md §5 "Deletes"); when the user may not read
 * it, or for line objects that are not audited, the keys Tableau holds are reconciled with Intacct's.
 */
async function applyDeletions(
  ctx: StreamSyncContext,
  checkpoint: Checkpoint,
  datasourceId: string | null,
  batchesSoFar: number,
  progress: (phase: StreamProgress['phase'], message?: string) => void,
): Promise<{ deleted: number; intacctSums: AmountSums | null }> {
  const { def, ledger, signal } = ctx;
  const toDelete = new Set<string>();
  let intacctSums: AmountSums | null = null;
  let reconcile = def.deletes.kind === 'key-reconciliation';
  let forceReconcile = false;
  if (def.deletes.kind === 'audit-history') {
    const since = (checkpoint.deletesSince() ?? checkpoint.state.cursor?.whenModified ?? 0) - def.lookbackMinutes * 60_000;
    // An AUDITHISTORY window Intacct keeps failing on is skipped by the reader; the deletions in it
    // are then found by comparing record keys in this same run, so none is lost.
    const skipped: string[] = [];
    const onSkipped = (w: { from: number; to: number; reason: string }) => {
      skipped.push(`${new Date(w.from).toISOString()} – ${new Date(w.to).toISOString()}`);
    };
    try {
      for await (const chunk of ctx.source.readDeleted(def.deletes.objectType, Math.max(0, since), signal, onSkipped)) {
        const keys = chunk.map((d) => String(d.recordNo));
        for (const k of ctx.ledger.hashes(def.name, keys).keys()) toDelete.add(k);
      }
      if (skipped.length) {
        ctx.log(
          'warn',
          `${def.label}: Intacct kept failing to read its audit trail (AUDITHISTORY) for ${skipped.join(', ')} (UTC) ("There was an error processing the request"); deletions in that time are found by comparing record keys in this run instead.`,
        );
        reconcile = true;
        forceReconcile = true;
      }
    } catch (err) {
      if (!(err instanceof ConnectorError) || err.code !== 'AUDIT_NOT_PERMITTED') throw err;
      ctx.log(
        'warn',
        `${def.label}: the Intacct user may not read the audit trail (AUDITHISTORY), so deletions are found by comparing record keys instead. Grant the permission to make this cheaper.`,
      );
      reconcile = true;
    }
  }
  if (reconcile && (forceReconcile || reconcileDue(ctx, checkpoint))) {
    progress('reconciling', 'comparing record keys');
    // The keys Intacct has go to a temporary table, not a Set: a million keys would cost ~80 MB of heap.
    ledger.startKeyCheck();
    if (def.tieOut) {
      // GL detail: one keyed read gives both the key set and Intacct's amounts per account and period.
      const tie = def.tieOut;
      const cols = [def.recordNoColumn, def.cursorColumn, tie.accountColumn, tie.dateColumn, tie.amountColumn].map((n) => columnByName(def, n));
      const sums: AmountSums = new Map();
      const scale = columnByName(def, tie.amountColumn).scale ?? 2;
      for await (const page of ctx.source.readChanged({ ...baseSpec(ctx, cols), since: null }, signal)) {
        ledger.sawKeys(page.rows.map((row) => rowKey(def, row)));
        for (const row of page.rows) {
          // Rows changed after the run started are not in Tableau yet: leave them out of both sides' view.
          if (timestampMs(row[def.cursorColumn]) > ctx.until) continue;
          const amount = row[tie.amountColumn];
          addSum(sums, row[tie.accountColumn] === null ? null : String(row[tie.accountColumn]), periodOf(row[tie.dateColumn]), typeof amount === 'string' ? decimalToUnits(amount, scale) : 0n);
        }
      }
      intacctSums = sums;
    } else {
      for await (const keys of ctx.source.readKeys(def.intacctObject, effectiveFilters(def, ctx.settings), signal)) {
        ledger.sawKeys(keys.map(String));
      }
    }
    for (const k of ledger.unseenKeys(def.name)) toDelete.add(k);
    ledger.startKeyCheck();
    checkpoint.reconciled();
  }
  if (toDelete.size === 0) {
    checkpoint.noDeletions();
    return { deleted: 0, intacctSums };
  }
  if (!datasourceId) throw new ApiError({ service: 'local', userMessage: `${def.label}: no Tableau data source to delete from.` });

  const batchNo = batchesSoFar + 1;
  const requestId = batchRequestId(ctx.runId, def.name, batchNo);
  const path = join(ctx.workDir, `${def.name}-${requestId}-deleted.hyper`);
  const keys = [...toDelete];
  const hashes = ledger.hashes(def.name, keys);
  const now = ctx.clock.now();
  checkpoint.batchStaged(
    requestId,
    keys.map((k) => ({
      runId: ctx.runId,
      stream: def.name,
      recordKey: k,
      whenModified: null,
      contentHash: hashes.get(k) ?? '',
      action: 'delete' as const,
      requestId,
      jobId: null,
      result: 'pending' as const,
      at: now,
    })),
    keys.map((k) => ({ key: k, hash: hashes.get(k) ?? '', op: 'delete' as const })),
  );
  const keyColumns = def.primaryKey.map((n) => columnByName(def, n));
  const keyRows: Row[] = keys.map((k) => {
    const parts = def.primaryKey.length === 1 ? [k] : k.split('|');
    return Object.fromEntries(keyColumns.map((c, i) => [c.name, c.type === 'bigint' ? Number(parts[i]) : (parts[i] ?? null)]));
  });
  progress('writing', `${keys.length} deletions`);
  try {
    await ctx.writePayload(path, [{ table: { schema: 'Extract', name: 'deleted', columns: keyColumns }, rows: [keyRows] }]);
    const res = await ctx.load(
      {
        stream: def,
        datasourceName: ctx.datasourceName,
        projectId: ctx.projectId,
        existingDatasourceId: datasourceId,
        upsertFile: null,
        deleteFile: path,
        requestId,
        fullLoad: false,
      },
      { signal, onPhase: (phase) => progress(phase) },
    );
    checkpoint.deletionsApplied(requestId, res.jobId);
  } catch (err) {
    checkpoint.batchFailed(requestId, { markFailed: !isAbortError(err) });
    throw err;
  } finally {
    await rm(path, { force: true });
  }
  ctx.log('info', `${def.label}: ${keys.length} records deleted in Intacct were deleted in Tableau`);
  return { deleted: keys.length, intacctSums };
}
