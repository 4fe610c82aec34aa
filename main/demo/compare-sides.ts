/**
 * Does Tableau equal Intacct? For the demo, the tests and the crash test, compared on the real
 * data of both emulators (not on the connector's own bookkeeping): per stream, the KEY SETS (no key
 * missing, none extra, no duplicate row) and the sum of every money column, to the cent.
 */
import { decimalToUnits } from '../core/sync/canonical-row';
import { effectiveFilters } from '../core/sync/stream-sync';
import type { Row, StreamDefinition } from '../core/streams/types';
import type { Settings } from '../../shared/types';

/** One stream's comparison. */
export interface SideComparison {
  name: string;
  intacctRows: number;
  tableauRows: number;
  match: boolean;
  /** Why it does not match (empty when it does). */
  problems: string[];
}

/** The Intacct emulator's records, as far as comparing needs them (field → text). */
export type IntacctRecordText = Readonly<Record<string, string>>;

/** What a comparison reads from each side. */
export interface Sides {
  /** Every current record of an Intacct object (the emulator's company). */
  intacctRecords(object: string): Iterable<IntacctRecordText>;
  /** The rows of a Tableau data source (null: not published). */
  tableauRows(datasourceName: string): Promise<Row[] | null>;
}

/** Intacct's date text (MM/DD/YYYY) as YYYY-MM-DD, or the input when it is already ISO. */
function isoDate(text: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(text);
  return m ? `${m[3]}-${m[1]}-${m[2]}` : text.slice(0, 10);
}

/** Compares one stream's two sides. */
export async function compareStream(def: StreamDefinition, settings: Settings, sides: Sides): Promise<SideComparison> {
  const filters = effectiveFilters(def, settings);
  const start = def.backfillDateColumn && settings.streams.glDetailStartDate ? settings.streams.glDetailStartDate : null;
  const dateSource = def.backfillDateColumn ? def.columns.find((c) => c.name === def.backfillDateColumn)?.source : undefined;
  const money = def.columns.filter((c) => c.type === 'numeric');
  const keyOf = (cells: (string | number | boolean | null | undefined)[]) => cells.map((c) => String(c ?? '')).join('|');
  const keySources = def.primaryKey.map((k) => def.columns.find((c) => c.name === k)?.source ?? k);

  const intacctKeys = new Set<string>();
  const intacctSums = new Map<string, bigint>(money.map((c) => [c.name, 0n]));
  for (const rec of sides.intacctRecords(def.intacctObject)) {
    if (
      !filters.every(
        (f) => (Array.isArray(f.value) ? (f.value as string[]).includes(rec[f.field] ?? '') : rec[f.field] === f.value) !== (f.op === 'notequalto'),
      )
    )
      continue;
    if (start && dateSource && isoDate(rec[dateSource] ?? '') < start) continue;
    intacctKeys.add(keyOf(keySources.map((s) => rec[s])));
    for (const c of money) {
      const v = rec[c.source];
      if (v) intacctSums.set(c.name, intacctSums.get(c.name)! + decimalToUnits(v, c.scale ?? 2));
    }
  }

  const datasource = settings.tableau.datasourceNames[def.name] || def.target.datasource;
  const rows = (await sides.tableauRows(datasource)) ?? [];
  const tableauKeys = new Set<string>();
  const tableauSums = new Map<string, bigint>(money.map((c) => [c.name, 0n]));
  for (const row of rows) {
    tableauKeys.add(keyOf(def.primaryKey.map((k) => row[k])));
    for (const c of money) {
      const v = row[c.name];
      if (typeof v === 'string' && v !== '') tableauSums.set(c.name, tableauSums.get(c.name)! + decimalToUnits(v, c.scale ?? 2));
    }
  }

  const problems: string[] = [];
  if (tableauKeys.size !== rows.length) problems.push(`${rows.length - tableauKeys.size} duplicate row(s) in Tableau`);
  const missing = [...intacctKeys].filter((k) => !tableauKeys.has(k));
  const extra = [...tableauKeys].filter((k) => !intacctKeys.has(k));
  if (missing.length) problems.push(`${missing.length} key(s) missing in Tableau (e.g. ${missing.slice(0, 3).join(', ')})`);
  if (extra.length) problems.push(`${extra.length} key(s) in Tableau but not in Intacct (e.g. ${extra.slice(0, 3).join(', ')})`);
  for (const c of money) {
    const a = intacctSums.get(c.name)!;
    const b = tableauSums.get(c.name)!;
    if (a !== b) problems.push(`${c.name}: Intacct ${a} vs Tableau ${b} (cents)`);
  }
  return { name: def.name, intacctRows: intacctKeys.size, tableauRows: rows.length, match: problems.length === 0, problems };
}
