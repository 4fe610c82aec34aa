/**
 * Deletion strategy for objects Intacct does not audit (`def.deletes.kind === 'key-reconciliation'`,
 * and the fallback of audit-history streams): read every key Intacct has and list the held keys it
 * no longer has. It costs one API transaction per keyed page, so above
 * `reconcileEveryRunUpToRows` held rows it runs at most once per `reconcileIntervalMs`.
 */
import { rowKey } from './canonical-row';
import type { Checkpoint } from './checkpoint';
import type { AmountSums } from './ledger';
import { columnByName, effectiveFilters, streamReadSpec } from './read-spec';
import type { ProgressTracker, StreamSyncContext } from './stream-context';
import { observeTieOutSums } from './tie-out-sums';

/** Whether key reconciliation is due for the stream on this run. */
export function reconcileDue(ctx: StreamSyncContext, checkpoint: Checkpoint): boolean {
  if (ctx.ledger.count(ctx.def.name) <= ctx.options.reconcileEveryRunUpToRows) return true;
  return ctx.until - (checkpoint.lastReconcileAt() ?? 0) >= ctx.options.reconcileIntervalMs;
}

/** The held keys Intacct no longer has, and (tie-out streams) Intacct's amounts as of the run's start. */
export async function reconcileKeys(ctx: StreamSyncContext, progress: ProgressTracker): Promise<{ unseen: string[]; intacctSums: AmountSums | null }> {
  const { def, ledger, signal } = ctx;
  progress.report('reconciling', 'comparing record keys');
  // The keys Intacct has go to a temporary table, not a Set: a million keys would cost ~80 MB of heap.
  ledger.startKeyCheck();
  // GL detail: one keyed read gives both the key set and, through the observer, Intacct's amounts.
  const sums = observeTieOutSums(def, { until: ctx.until });
  if (def.tieOut && sums) {
    const tie = def.tieOut;
    const cols = [def.recordNoColumn, def.cursorColumn, tie.accountColumn, tie.dateColumn, tie.amountColumn].map((n) => columnByName(def, n));
    for await (const page of ctx.source.readChanged({ ...streamReadSpec(def, ctx.settings, cols), since: null }, signal)) {
      ledger.sawKeys(page.rows.map((row) => rowKey(def, row)));
      sums.observe(page.rows);
    }
  } else {
    for await (const keys of ctx.source.readKeys(def.intacctObject, effectiveFilters(def, ctx.settings), signal)) {
      ledger.sawKeys(keys.map(String));
    }
  }
  const unseen = ledger.unseenKeys(def.name);
  ledger.startKeyCheck();
  // Not marked reconciled here: that moves with the deletions it found (checkpoint.ts).
  return { unseen, intacctSums: sums?.sums ?? null };
}
