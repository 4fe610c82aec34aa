/**
 * A stream's deletions after its incremental batches: the strategy `def.deletes.kind` names finds
 * the records deleted in Intacct that Tableau still holds (deletes-audit-history.ts,
 * deletes-key-reconciliation.ts), and they are deleted in Tableau in one batch, confirmed through
 * the checkpoint like any other.
 */
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { ApiError, isAbortError } from '../errors';
import type { Row } from '../streams/types';
import { replicaBatch } from './batch-pipeline';
import type { Checkpoint } from './checkpoint';
import { findAuditedDeletions } from './deletes-audit-history';
import { reconcileDue, reconcileKeys } from './deletes-key-reconciliation';
import type { AmountSums } from './ledger';
import { columnByName } from './read-spec';
import { batchRequestId } from './request-id';
import type { ProgressTracker, StreamSyncContext } from './stream-context';

/** The deleted keys Tableau holds, and Intacct's amounts when a key reconciliation read them. */
async function findDeletions(
  ctx: StreamSyncContext,
  checkpoint: Checkpoint,
  progress: ProgressTracker,
): Promise<{ keys: Set<string>; intacctSums: AmountSums | null; reconciled: boolean }> {
  const deletes = ctx.def.deletes;
  let keys = new Set<string>();
  let reconcile: 'no' | 'when-due' | 'forced';
  switch (deletes.kind) {
    case 'audit-history':
      ({ keys, reconcile } = await findAuditedDeletions(ctx, checkpoint, deletes.objectType));
      break;
    case 'key-reconciliation':
      reconcile = 'when-due';
      break;
  }
  if (reconcile === 'no' || (reconcile === 'when-due' && !reconcileDue(ctx, checkpoint))) return { keys, intacctSums: null, reconciled: false };
  const found = await reconcileKeys(ctx, progress);
  for (const k of found.unseen) keys.add(k);
  return { keys, intacctSums: found.intacctSums, reconciled: true };
}

/** Finds the stream's deletions and deletes them in Tableau in one batch (number `batchesSoFar + 1`). */
export async function applyDeletions(
  ctx: StreamSyncContext,
  checkpoint: Checkpoint,
  datasourceId: string | null,
  batchesSoFar: number,
  progress: ProgressTracker,
): Promise<{ deleted: number; intacctSums: AmountSums | null }> {
  const { def, ledger, signal } = ctx;
  const { keys: toDelete, intacctSums, reconciled } = await findDeletions(ctx, checkpoint, progress);
  if (toDelete.size === 0) {
    checkpoint.noDeletions({ reconciled });
    return { deleted: 0, intacctSums };
  }
  if (!datasourceId) throw new ApiError({ service: 'local', userMessage: `${def.label}: no Tableau data source to delete from.` });

  const requestId = batchRequestId(ctx.runId, def.name, batchesSoFar + 1);
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
  progress.report('writing', `${keys.length} deletions`);
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
      { signal, onPhase: (phase) => progress.report(phase) },
    );
    // Into the local replica before the commit point, as every batch (batch-pipeline.ts).
    await ctx.replica.apply({ ...replicaBatch(ctx, path, requestId), kind: 'delete' });
    checkpoint.deletionsApplied(requestId, res.jobId, { reconciled });
  } catch (err) {
    checkpoint.batchFailed(requestId, { markFailed: !isAbortError(err) });
    throw err;
  } finally {
    await rm(path, { force: true });
  }
  ctx.log('info', `${def.label}: ${keys.length} records deleted in Intacct were deleted in Tableau`);
  return { deleted: keys.length, intacctSums };
}
