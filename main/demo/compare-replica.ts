/**
 * Does the local replica equal what Tableau holds? Per stream, row by row: the same key set and,
 * for every key, the same value in every column (issue 15: "the replica always equals what Tableau
 * holds"). Used by the integration tests and the crash test.
 */
import { rowKey } from '../core/sync/canonical-row';
import type { Row, StreamDefinition } from '../core/streams/types';

export interface ReplicaComparison {
  name: string;
  tableauRows: number;
  replicaRows: number;
  match: boolean;
  problems: string[];
}

/** A cell as text, so that Tableau's and the replica's readings of one value compare equal. */
const cell = (v: unknown): string => (v === null || v === undefined ? '∅' : String(v));

/** Compares one stream's Tableau rows with its replica rows (null: no data source / no table). */
export function compareReplicaStream(def: StreamDefinition, tableau: readonly Row[] | null, replica: readonly Row[] | null): ReplicaComparison {
  const problems: string[] = [];
  if (tableau === null && replica !== null) problems.push('the replica has a table but Tableau has no data source');
  if (tableau !== null && replica === null) problems.push('Tableau has the data source but the replica has no table');
  const byKey = (rows: readonly Row[] | null) => new Map((rows ?? []).map((r) => [rowKey(def, r), r]));
  const t = byKey(tableau);
  const r = byKey(replica);
  if (t.size !== (tableau?.length ?? 0)) problems.push('duplicate keys in Tableau');
  if (r.size !== (replica?.length ?? 0)) problems.push('duplicate keys in the replica');
  const missing = [...t.keys()].filter((k) => !r.has(k));
  const extra = [...r.keys()].filter((k) => !t.has(k));
  if (missing.length) problems.push(`${missing.length} key(s) missing in the replica (e.g. ${missing.slice(0, 3).join(', ')})`);
  if (extra.length) problems.push(`${extra.length} key(s) in the replica but not in Tableau (e.g. ${extra.slice(0, 3).join(', ')})`);
  const differ: string[] = [];
  for (const [k, row] of t) {
    const other = r.get(k);
    if (!other) continue;
    const cols = def.columns.filter((c) => cell(row[c.name]) !== cell(other[c.name])).map((c) => `${c.name} ${cell(row[c.name])} ≠ ${cell(other[c.name])}`);
    if (cols.length) differ.push(`${k}: ${cols.join(', ')}`);
  }
  if (differ.length) problems.push(`${differ.length} row(s) differ (e.g. ${differ.slice(0, 2).join('; ')})`);
  return { name: def.name, tableauRows: tableau?.length ?? 0, replicaRows: replica?.length ?? 0, match: problems.length === 0, problems };
}
