/**
 * One stream's share of a run, as orchestration of three parts (issue 13):
 * 1. the plan: full load or changes since the checkpoint, and why (checkpoint.ts `plan`);
 * 2. the batch pipeline: read, write .hyper payloads, load them into Tableau, and confirm each batch
 *    through the checkpoint only after Tableau's job for it finished (batch-pipeline.ts);
 * 3. the deletion strategy `def.deletes.kind` names, for incremental runs (deletions.ts).
 * Then the tie-out figures: Intacct's count as of the run's start against what the ledger holds.
 *
 * Every write of the stream's durable state goes through sync/checkpoint.ts, whose top comment
 * states the commit point and why it is crash-safe.
 */
import { describeColumnChange } from '../streams/extra-fields';
import type { TieOutDifference } from '../../../shared/types';
import { runBatchPipeline } from './batch-pipeline';
import { openCheckpoint, plan } from './checkpoint';
import { applyDeletions } from './deletions';
import type { AmountSums } from './ledger';
import { countOrNull, streamReadSpec } from './read-spec';
import { progressTracker, type StreamSyncContext, type StreamSyncOutcome } from './stream-context';
import { compareSums } from './tie-out';
import { observeTieOutSums } from './tie-out-sums';

export { defaultEngineOptions, type EngineOptions, type StreamSyncContext, type StreamSyncOutcome } from './stream-context';
export { effectiveFilters, streamReadSpec, timestampMs } from './read-spec';

/** Runs one stream; throws on failure (the run records it), CancelledError/AbortError on cancel. */
export async function syncStream(ctx: StreamSyncContext): Promise<StreamSyncOutcome> {
  const { def, store, ledger } = ctx;
  const startedAt = ctx.clock.now();
  const txStart = ctx.source.transactions;
  const planned = plan(store.getStreamState(def.name), def, { datasourceName: ctx.datasourceName, fullReload: ctx.fullReload });
  const { full } = planned;
  const checkpoint = openCheckpoint({ store, ledger, runId: ctx.runId, until: ctx.until, now: () => ctx.clock.now() }, planned);
  if (planned.reason === 'columns-changed') {
    ctx.log(
      'info',
      `${def.label}: columns ${describeColumnChange(planned.columns.previous, planned.columns.current)}; publishing the data source again in full.`,
    );
  }
  const progress = progressTracker(def.name, (p) => ctx.onProgress(p));

  // Intacct's amounts per account and period, when this run reads all of them (full load or reconciliation).
  const fullLoadSums = full ? observeTieOutSums(def) : null;
  const loaded = await runBatchPipeline(ctx, checkpoint, { full, datasourceId: full ? null : planned.state.datasourceId, observer: fullLoadSums }, progress);
  progress.report('applying');
  let intacctSums: AmountSums | null = fullLoadSums?.sums ?? null;
  let rowsDeleted = 0;
  if (full) {
    await ctx.replica.fullLoadFinished(def, ctx.runId, ctx.log);
    checkpoint.fullLoadFinished(loaded.fullMax, loaded.datasourceId);
  } else {
    const deletion = await applyDeletions(ctx, checkpoint, loaded.datasourceId, loaded.batchCount, progress);
    rowsDeleted = deletion.deleted;
    intacctSums = deletion.intacctSums;
  }

  // Tie-out: Intacct's count of the stream as of `until` against what the loaded batches hold.
  progress.report('reconciling');
  const intacctCount = full ? loaded.fullLoadCount : await countOrNull(ctx.source, { ...streamReadSpec(def, ctx.settings), until: ctx.until }, ctx.signal);
  const tableauCount = ledger.count(def.name);
  let differences: TieOutDifference[] = [];
  if (def.tieOut && intacctSums) differences = compareSums(def.name, intacctSums, ledger.sums(def.name));
  if (intacctCount === null) ctx.log('warn', `${def.label}: Intacct's record count could not be read, so this run's tie-out leaves the stream out.`);
  progress.done(loaded.rowsUpserted + rowsDeleted);
  return {
    result: {
      stream: def.name,
      outcome: 'succeeded',
      rowsRead: progress.rowsDone,
      rowsUpserted: loaded.rowsUpserted,
      rowsDeleted,
      durationMs: ctx.clock.now() - startedAt,
      fullLoad: full,
      apiTransactions: ctx.source.transactions - txStart,
    },
    tieOut: intacctCount === null ? null : { intacct: intacctCount, tableau: tableauCount, differences, ...(intacctSums ? { intacctSums } : {}) },
  };
}
