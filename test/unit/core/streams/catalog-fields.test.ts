/**
 * Every stream asks Intacct only for fields its object has in the catalog recorded from a real
 * company (docs/reference/intacct-objects.json), with a type the column can hold: a field Intacct
 * lacks fails the whole query ("The following fields cannot be queried").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import recorded from '../../../../docs/reference/intacct-objects.json' with { type: 'json' };
import { streamDefinitions } from '../../../../main/core/streams/definitions';
import type { ColumnType, StreamDefinition } from '../../../../main/core/streams/types';

type Catalog = Record<string, { fields: { id: string; datatype: string | null }[] }>;
const catalog = recorded as unknown as Catalog;

/** Intacct DATATYPEs each column type can hold exactly. */
const compatible: Record<ColumnType, readonly string[]> = {
  bigint: ['INTEGER'],
  text: ['TEXT', 'ENUM', 'INTEGER', 'DATE', 'TIMESTAMP', 'BOOLEAN', 'DECIMAL', 'CURRENCY', 'PERCENT'],
  numeric: ['DECIMAL', 'CURRENCY', 'PERCENT', 'INTEGER'],
  date: ['DATE'],
  timestamp: ['TIMESTAMP'],
  bool: ['BOOLEAN'],
};

/** The problems of one definition against the catalog ([] when it fits). */
export function catalogProblems(def: StreamDefinition, cat: Catalog = catalog): string[] {
  const object = cat[def.intacctObject];
  if (!object) return [`${def.name}: object ${def.intacctObject} is not in the recorded catalog`];
  const byId = new Map(object.fields.map((f) => [f.id, f]));
  const problems: string[] = [];
  const selected = [
    ...def.columns.map((c) => ({ source: c.source, type: c.type as ColumnType | null })),
    { source: 'RECORDNO', type: null },
    { source: 'WHENMODIFIED', type: null },
  ];
  for (const filter of def.filters) selected.push({ source: filter.field, type: null });
  if (def.backfillDateColumn) selected.push({ source: def.backfillDateColumn, type: 'date' });
  for (const { source, type } of selected) {
    const field = byId.get(source);
    if (!field) {
      problems.push(`${def.name}: ${def.intacctObject} has no field ${source}`);
      continue;
    }
    // EMPLOYEE was recorded without DATATYPEs: only existence can be checked there.
    if (type && field.datatype && !compatible[type].includes(field.datatype)) {
      problems.push(`${def.name}: ${source} is ${field.datatype} in Intacct, the column is ${type}`);
    }
  }
  return problems;
}

describe('stream definitions against the recorded Intacct catalog', () => {
  it('ask only for fields their object has, with compatible types', () => {
    assert.deepEqual(
      streamDefinitions.flatMap((d) => catalogProblems(d)),
      [],
    );
  });

  it('would catch a made-up field or a wrong type', () => {
    const gl = streamDefinitions.find((d) => d.name === 'gl_detail')!;
    const withJournal: StreamDefinition = { ...gl, columns: [...gl.columns, { name: 'JOURNAL', source: 'JOURNAL', type: 'text', nullable: true }] };
    assert.deepEqual(catalogProblems(withJournal), ['gl_detail: GLDETAIL has no field JOURNAL']);
    const numericKey: StreamDefinition = { ...gl, columns: gl.columns.map((c) => (c.name === 'RECORDNO' ? { ...c, type: 'bigint' as const } : c)) };
    assert.deepEqual(catalogProblems(numericKey), ['gl_detail: RECORDNO is TEXT in Intacct, the column is bigint']);
  });

  it('type GLDETAIL keys as text and document dates as dates', () => {
    const byName = new Map(streamDefinitions.map((d) => [d.name, d]));
    assert.equal(byName.get('gl_detail')!.columns.find((c) => c.source === 'RECORDNO')!.type, 'text');
    for (const s of ['gl_detail', 'ap_bill', 'ap_payment'] as const)
      assert.equal(byName.get(s)!.columns.find((c) => c.source === 'WHENCREATED')!.type, 'date', s);
    for (const s of ['gl_account', 'vendor', 'ap_bill_line'] as const)
      assert.equal(byName.get(s)!.columns.find((c) => c.source === 'WHENCREATED')!.type, 'timestamp', s);
  });
});
