/**
 * The tie-out: does Tableau agree with Intacct for what was loaded? (issue #4 "Tie-out", issue 11)
 *
 * The Intacct side is Intacct's own count of the stream (a `count` query bounded by the run's
 * start) and, for GL detail, the amounts per account and period from a read of every record (the
 * full load's or the key reconciliation's). The Tableau side is read from Tableau itself
 * (tableau-tie-out.ts: VizQL Data Service, or a download queried with the local hyperd): the row
 * count of each data source and, for GL detail, SUM(AMOUNT) per account and month. So a data
 * source Tableau changed, lost or never applied shows. When Tableau cannot be read, the ledger
 * (the rows of every batch whose job Tableau confirmed) stands in, and the tie-out says so
 * (`readFrom: 'ledger'`).
 */
import type { StreamName, TieOut, TieOutDifference } from '../../../shared/types';
import { asConnectorError, isAbortError } from '../errors';
import type { StreamDefinition } from '../streams/types';
import { unitsToDecimal } from './canonical-row';
import type { AmountSums } from './ledger';
import { readTableauFigures, type ReadBackDeps, type ReadBackTarget } from './tableau-tie-out';

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
export function buildTieOut(streams: readonly { stream: StreamName; intacct: number; tableau: number; differences: readonly TieOutDifference[] }[]): TieOut {
  const counts = streams.map((s) => ({ stream: s.stream, intacct: s.intacct, tableau: s.tableau, match: s.intacct === s.tableau }));
  const differences = streams.flatMap((s) => [
    ...(s.intacct === s.tableau ? [] : [{ stream: s.stream, intacct: String(s.intacct), tableau: String(s.tableau) }]),
    ...s.differences,
  ]);
  return { ok: differences.length === 0, counts, differences };
}

/** A stream's figures from its sync (Intacct's side, and the ledger's stand-in for Tableau's). */
export interface StreamTie {
  stream: StreamName;
  intacct: number;
  /** The ledger's count (used when Tableau cannot be read). */
  tableau: number;
  /** Against the ledger's sums (used when Tableau cannot be read). */
  differences: readonly TieOutDifference[];
  /** Intacct's amounts per account and period, when this run read them all. */
  intacctSums?: AmountSums;
}

/** What the run knows to read Tableau back. */
export interface TableauTieOutContext {
  defs: readonly StreamDefinition[];
  /** The data source LUID of each stream (from its state). */
  datasourceId: (stream: StreamName) => string | null;
  /** The ledger's sums (GL amounts when Intacct's were not read this run). */
  ledgerSums: (stream: StreamName) => AmountSums;
  /** How to read Tableau; absent = the ledger stands in. */
  readBack?: ReadBackDeps;
  log?: (level: 'info' | 'warn', message: string) => void;
}

/**
 * The run's tie-out with the Tableau side read from Tableau. GL amounts are compared with
 * Intacct's when the run read them (full loads, reconciliation runs), otherwise with the amounts
 * the connector loaded (the ledger), which still shows any change made in Tableau.
 */
export async function tieOutAgainstTableau(ties: readonly StreamTie[], ctx: TableauTieOutContext): Promise<TieOut> {
  const ledgerTie = (note: string): TieOut => ({ ...buildTieOut(ties), readFrom: 'ledger', readNote: note });
  if (!ctx.readBack) return ledgerTie("Tableau was not read back in this setup: the Tableau side is the connector's ledger of confirmed batches.");
  const targets: ReadBackTarget[] = [];
  for (const t of ties) {
    const def = ctx.defs.find((d) => d.name === t.stream);
    const id = ctx.datasourceId(t.stream);
    if (!def || !id) continue;
    const tie = def.tieOut;
    const scale = tie ? (def.columns.find((c) => c.name === tie.amountColumn)?.scale ?? 2) : 2;
    targets.push({ stream: t.stream, datasourceId: id, keyColumn: def.recordNoColumn, ...(tie ? { sums: { ...tie, scale } } : {}) });
  }
  let read;
  try {
    read = await readTableauFigures(ctx.readBack, targets);
  } catch (err) {
    if (isAbortError(err) || ctx.readBack.signal?.aborted) throw err;
    const why = err instanceof Error && !('userMessage' in err) ? err.message : asConnectorError(err, 'tableau').userMessage;
    ctx.log?.('warn', `Tie-out: could not read Tableau back (${why}); compared with the connector's ledger instead.`);
    return ledgerTie(`Tableau could not be read back (${why}), so the Tableau side is the connector's ledger of confirmed batches.`);
  }
  const rows = ties.map((t) => {
    const f = read.figures.get(t.stream);
    if (!f) return { stream: t.stream, intacct: t.intacct, tableau: t.tableau, differences: t.differences };
    const def = ctx.defs.find((d) => d.name === t.stream);
    const scale = def?.tieOut ? (def.columns.find((c) => c.name === def.tieOut!.amountColumn)?.scale ?? 2) : 2;
    const differences = f.sums ? compareSums(t.stream, t.intacctSums ?? ctx.ledgerSums(t.stream), f.sums, scale) : [];
    return { stream: t.stream, intacct: t.intacct, tableau: f.count, differences };
  });
  const how =
    read.via === 'vds'
      ? `Read from Tableau through VizQL Data Service (${read.calls} queries).`
      : `Read from Tableau by downloading ${read.calls} data source${read.calls === 1 ? '' : 's'} and querying them with the local Hyper engine${read.fallbackReason ? ` (VizQL Data Service not used: ${read.fallbackReason})` : ''}.`;
  return { ...buildTieOut(rows), readFrom: read.via, readNote: how };
}

/** One line for the log: which accounts and periods differ. */
export function describeTieOut(t: TieOut, max = 10): string {
  const how = t.readNote ? ` ${t.readNote}` : '';
  if (t.ok) return `Tie-out: Tableau agrees with Intacct for every stream.${how}`;
  const parts = t.differences
    .slice(0, max)
    .map((d) =>
      d.account || d.period
        ? `${d.stream} account ${d.account ?? '?'} ${d.period ?? ''}: Intacct ${d.intacct}, Tableau ${d.tableau}`
        : `${d.stream} rows: Intacct ${d.intacct}, Tableau ${d.tableau}`,
    );
  const more = t.differences.length > max ? ` (and ${t.differences.length - max} more)` : '';
  return `Tie-out mismatch: ${parts.join('; ')}${more}.${how}`;
}

/** Adds `units` to the (account, period) sum (the key AmountSums uses). */
export function addSum(sums: AmountSums, account: string | null | undefined, period: string | null | undefined, units: bigint): void {
  const k = `${account ?? ''}\u0000${period ?? ''}`;
  sums.set(k, (sums.get(k) ?? 0n) + units);
}
