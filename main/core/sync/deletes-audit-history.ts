/**
 * Deletion strategy for audited objects (`def.deletes.kind === 'audit-history'`): read Intacct's
 * AUDITHISTORY for deletes since the last applied deletion mark (docs/reference/intacct-xml.md §5
 * "Deletes") and keep the keys Tableau still holds. When the API user may not read the audit
 * trail, or Intacct keeps failing on a window of it, the stream falls back to key reconciliation.
 */
import { ConnectorError } from '../errors';
import type { Checkpoint } from './checkpoint';
import type { StreamSyncContext } from './stream-context';

/** The deleted keys Tableau holds, and whether key reconciliation must run (and must run now, `forced`). */
export interface AuditedDeletions {
  keys: Set<string>;
  reconcile: 'no' | 'when-due' | 'forced';
}

export async function findAuditedDeletions(ctx: StreamSyncContext, checkpoint: Checkpoint, objectType: string): Promise<AuditedDeletions> {
  const { def, ledger, signal } = ctx;
  const keys = new Set<string>();
  // No deletion mark yet: from the cursor, minus the look-back (re-checks more, never less).
  const since = (checkpoint.deletesSince() ?? checkpoint.state.cursor?.whenModified ?? 0) - def.lookbackMinutes * 60_000;
  // An AUDITHISTORY window Intacct keeps failing on is skipped by the reader; the deletions in it
  // are then found by comparing record keys in this same run, so none is lost.
  const skipped: string[] = [];
  const onSkipped = (w: { from: number; to: number; reason: string }) => {
    skipped.push(`${new Date(w.from).toISOString()} – ${new Date(w.to).toISOString()}`);
  };
  try {
    for await (const chunk of ctx.source.readDeleted(objectType, Math.max(0, since), signal, onSkipped)) {
      for (const k of ledger
        .hashes(
          def.name,
          chunk.map((d) => String(d.recordNo)),
        )
        .keys())
        keys.add(k);
    }
  } catch (err) {
    if (!(err instanceof ConnectorError) || err.code !== 'AUDIT_NOT_PERMITTED') throw err;
    ctx.log(
      'warn',
      `${def.label}: the Intacct user may not read the audit trail (AUDITHISTORY), so deletions are found by comparing record keys instead. Grant the permission to make this cheaper.`,
    );
    return { keys, reconcile: 'when-due' };
  }
  if (!skipped.length) return { keys, reconcile: 'no' };
  ctx.log(
    'warn',
    `${def.label}: Intacct kept failing to read its audit trail (AUDITHISTORY) for ${skipped.join(', ')} (UTC) ("There was an error processing the request"); deletions in that time are found by comparing record keys in this run instead.`,
  );
  return { keys, reconcile: 'forced' };
}
