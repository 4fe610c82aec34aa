/**
 * RequestIDs for Tableau's "Update Data in Hyper Data Source" PATCH (tableau-rest.md §2).
 *
 * Tableau ignores a second request with a RequestID it has seen in the last 24 hours. The ID of a
 * batch is derived from (runId, stream, batch number): stable across every retry of that batch
 * within the run, so a PATCH whose answer was lost is never applied twice, and different for every
 * run. A restarted run after a crash deliberately gets NEW IDs: its re-read batches need not hold
 * exactly the rows of the interrupted ones (records modified since then leave the read window and
 * batch boundaries shift), and Tableau would silently drop a different batch that reused an old ID.
 * Re-applying rows is harmless because every load upserts on the primary key (see README
 * "Delivery guarantees").
 */
import { createHash } from 'node:crypto';

/** A UUID-shaped, deterministic RequestID for batch `batchNo` of `stream` in run `runId`. */
export function batchRequestId(runId: string, stream: string, batchNo: number): string {
  const h = createHash('sha1').update(`${runId}\u0000${stream}\u0000${batchNo}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
