/**
 * The tie-out: does Tableau agree with Intacct for what was loaded? (issue #4 "Tie-out")
 *
 * What is compared, honestly: Tableau's REST API cannot read rows or totals back, so the Tableau
 * side is the ledger, i.e. the rows of every batch whose job Tableau confirmed. The Intacct side is
 * Intacct's own count of the stream (a `count` query bounded by the run's start) and, for GL detail,
 * the amounts per account and period from a read of every record (the full load's or the key
 * reconciliation's). So a mismatch means rows were lost or duplicated between Intacct and the loaded
 * batches, or Intacct changed in a way the incremental reads missed; it cannot detect someone
 * editing the published data source behind the connector's back. Tests and the demo additionally
 * compare with the Tableau emulator's real rows.
 */
import type { StreamName, TieOut, TieOutDifference } from '../../../shared/types';
import { unitsToDecimal } from './canonical-row';
import type { AmountSums } from './ledger';

/** Differences between two sets of sums per (account, period), sorted by account then period. */
export function compareSums(stream: StreamName, intacct: AmountSums, tableau: AmountSums, scale = 2): TieOutDifference[] {
  const keys = new Set([...intacct.keys(), ...tableau.keys()]);
  const out: TieOutDifference[] = [];
  for (const k of [...keys].sort()) {
    const a = intacct.get(k) ?? 0n;
    const b = tableau.get(k) ?? 0n;
    if (a === b) continue;
    const [account, period] = k.split('\u0000');
    out.push({
      stream,
      ...(account ? { account } : {}),
      ...(period ? { period } : {}),
      intacct: unitsToDecimal(a, scale),
      tableau: unitsToDecimal(b, scale),
    });
  }
  return out;
}

/** Builds the run's tie-out from each stream's figures. */
export function buildTieOut(
  streams: readonly { stream: StreamName; intacct: number; tableau: number; differences: readonly TieOutDifference[] }[],
): TieOut {
  const counts = streams.map((s) => ({ stream: s.stream, intacct: s.intacct, tableau: s.tableau, match: s.intacct === s.tableau }));
  const differences = streams.flatMap((s) => [
    ...(s.intacct === s.tableau ? [] : [{ stream: s.stream, intacct: String(s.intacct), tableau: String(s.tableau) }]),
    ...s.differences,
  ]);
  return { ok: differences.length === 0, counts, differences };
}

/** One line for the log: which accounts and periods differ. */
export function describeTieOut(t: TieOut, max = 10): string {
  if (t.ok) return 'Tie-out: Tableau agrees with Intacct for every stream.';
  const parts = t.differences.slice(0, max).map((d) =>
    d.account || d.period
      ? `${d.stream} account ${d.account ?? '?'} ${d.period ?? ''}: Intacct ${d.intacct}, Tableau ${d.tableau}`
      : `${d.stream} rows: Intacct ${d.intacct}, Tableau ${d.tableau}`,
  );
  const more = t.differences.length > max ? ` (and ${t.differences.length - max} more)` : '';
  return `Tie-out mismatch: ${parts.join('; ')}${more}`;
}
