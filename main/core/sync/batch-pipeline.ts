/**
 * A stream's batch pipeline: read what changed in Intacct, write .hyper payloads, load them into
 * Tableau one at a time, and confirm each through the checkpoint (issue #4 "Streams and runs").
 *
 * Pages stream from the Intacct reader straight into the .hyper writer of the current batch (never
 * a whole batch in memory); when a batch holds `batchRows` rows it is sealed and handed to the
 * loader, which uploads and applies it while the reader fills the next batch. Loads run one at a
 * time in batch order, so checkpoints advance in order; at most `maxPendingBatches` sealed batches
 * wait, which bounds disk use and how far the reader runs ahead.
 *
 * Exactly once in Tableau. An incremental batch's cursor (the keyset position of its last page,
 * which is <= the run's start because reads are bounded by `until`) moves only in
 * `checkpoint.batchApplied`, after Tableau's job for it finished (checkpoint.ts states the commit
 * point). A crash or cancel before that leaves the checkpoint where it was; the next run re-reads
 * from it and re-sends those rows as upserts keyed on the primary key, which converge to the same
 * rows. A batch's RequestID is stable across retries within the run, so Tableau never applies a
 * retried PATCH twice. A full load keeps `fullLoadPending` set until its last batch is applied; a
 * restart repeats it from scratch, and its first batch is an overwrite publish that discards
 * anything a half-finished attempt left behind.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { ApiError, ConnectorError, isAbortError } from '../errors';
import type { Row } from '../streams/types';
import type { AuditEntry } from '../../../shared/types';
import { AsyncQueue } from './async-queue';
import { rowHash, rowKey } from './canonical-row';
import type { Checkpoint } from './checkpoint';
import type { LedgerEntry } from './ledger';
import type { Cursor, Page, ReadSpec, ReplicaBatch } from './ports';
import { countOrNull, streamReadSpec, timestampMs } from './read-spec';
import { batchRequestId } from './request-id';
import type { ProgressTracker, StreamSyncContext } from './stream-context';
import { tieOutFigures, type PageObserver } from './tie-out-sums';

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

/** What the pipeline loaded. */
export interface PipelineResult {
  rowsUpserted: number;
  /** Batches opened (the deletion batch, if any, takes the next number). */
  batchCount: number;
  /** The data source the batches went to (a full load's overwrite publish may create it). */
  datasourceId: string | null;
  /** Full load: the newest WHENMODIFIED read, the checkpoint once every batch is applied. */
  fullMax: Cursor | null;
  /** Full load: Intacct's count as of the run's start (null: unknown). */
  fullLoadCount: number | null;
}

/** The parts of a replica batch every batch of a stream's run shares (the kind is the caller's). */
export function replicaBatch(ctx: StreamSyncContext, path: string, requestId: string): Omit<ReplicaBatch, 'kind'> {
  return { def: ctx.def, path, runId: ctx.runId, requestId, until: ctx.until, at: ctx.clock.now(), log: ctx.log };
}

/**
 * Reads, writes and loads the stream's batches; every confirmation goes through `checkpoint`.
 * `run.observer` sees every page read (the tie-out's sums of a full load, tie-out-sums.ts).
 */
export async function runBatchPipeline(
  ctx: StreamSyncContext,
  checkpoint: Checkpoint,
  run: { full: boolean; datasourceId: string | null; observer?: PageObserver | null },
  progress: ProgressTracker,
): Promise<PipelineResult> {
  const { def, ledger, signal } = ctx;
  const { full } = run;
  let { datasourceId } = run;
  const tie = def.tieOut;
  let rowsUpserted = 0;
  const spec: ReadSpec = { ...streamReadSpec(def, ctx.settings), until: ctx.until };
  if (!full) {
    spec.since = checkpoint.state.cursor;
    spec.lookbackMs = def.lookbackMinutes * 60_000;
  }
  const from = def.backfillDateColumn ? ` from ${ctx.settings.streams.glDetailStartDate || 'the start of history'}` : '';
  ctx.log('info', full ? `${def.label}: full load${from}` : `${def.label}: reading changes`);
  progress.report('reading');
  // A full load of a backfilled stream (GL detail) reads RECORDNO partitions in parallel.
  const partitioned = full && Boolean(def.backfillDateColumn);
  if (partitioned) {
    // A partitioned page's total may cover only its partition (111 expected, 400 read): ask Intacct
    // for the whole read's count once, before reading (1 API transaction). If that fails the count
    // stays unknown; the run goes on without it.
    progress.rowsExpected = await countOrNull(ctx.source, spec, signal);
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
    if (readingDone) progress.report('writing');
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
        { signal, onPhase: (phase) => readingDone && progress.report(phase) },
      );
      datasourceId = res.datasourceId;
      // The same payload into the local replica, before the commit point: a crash between the two
      // leaves the replica ahead by this batch, which the next run re-sends (hyper-replica.ts).
      await ctx.replica.apply({ ...replicaBatch(ctx, batch.path, batch.requestId), kind: full && first ? 'replace' : 'upsert' });
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
    if (!partitioned && progress.rowsExpected === null && page.totalCount !== null) progress.rowsExpected = page.totalCount;
    current ??= openBatch();
    const batch = current;
    const keyed = page.rows.map((row) => ({ row, key: rowKey(def, row), hash: rowHash(def, row) }));
    const held = ledger.hashes(
      def.name,
      keyed.map((k) => k.key),
    );
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
        if (Number.isFinite(wm) && (!fullMax || wm > fullMax.whenModified))
          fullMax = { whenModified: wm, recordNo: typeof rn === 'number' || typeof rn === 'string' ? rn : 0 };
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
      staged.push(tie ? { key, hash, op: 'upsert', ...tieOutFigures(def, tie, row) } : { key, hash, op: 'upsert' });
    }
    // Persisted BEFORE the batch is sent: the trail names the RequestID of every row in flight.
    if (audit.length) {
      checkpoint.batchStaged(batch.requestId, audit, staged);
      await batch.queue.push(send);
    }
    batch.rowsRead += page.rows.length;
    batch.rowsSent += send.length;
    batch.cursor = page.cursor;
    progress.rowsDone += page.rows.length;
    progress.report('reading');
    if (batch.rowsRead >= ctx.options.batchRows) {
      current = null;
      await seal(batch);
    }
  };

  try {
    const pages = partitioned ? ctx.source.readPartitioned(spec, { partitions: ctx.options.partitions }, readSignal) : ctx.source.readChanged(spec, readSignal);
    for await (const page of pages) {
      run.observer?.observe(page.rows);
      await processPage(page);
    }
    readingDone = true;
    if (full) {
      // A full load replaces what Tableau holds: never with fewer rows than Intacct says exist (an
      // answer with totalcount="420" and no records must not publish an empty data source). The
      // count is the tie-out's own, taken once here.
      fullLoadCount = await countOrNull(ctx.source, { ...streamReadSpec(def, ctx.settings), until: ctx.until }, signal);
      if (fullLoadCount !== null && progress.rowsDone < fullLoadCount) {
        throw new ApiError({
          service: 'intacct',
          code: 'SHORT_FULL_LOAD',
          userMessage:
            `${def.label}: Intacct counts ${fullLoadCount.toLocaleString('en-US')} records but returned ${progress.rowsDone.toLocaleString('en-US')}, ` +
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
  return { rowsUpserted, batchCount, datasourceId, fullMax: fullMax as Cursor | null, fullLoadCount };
}
