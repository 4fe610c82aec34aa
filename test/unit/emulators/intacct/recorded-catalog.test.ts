/**
 * The emulator serves exactly the fields the recorded catalog has (docs/reference/
 * intacct-objects.json), with the recorded types, in `lookup` and in `query` answers: it follows
 * Intacct as recorded, not the client.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { objectNames, objectSpec, recordedCatalog } from '../../../../main/emulators/intacct/object-catalog';
import { runLookup } from '../../../../main/emulators/intacct/query-engine';
import { ManualClock } from '../../../../main/core/clock';
import { SampleCompany } from '../../../../main/emulators/intacct/sample-company';

/** Differences between the emulator's fields of one object and the recorded ones ([] when equal). */
export function fieldDifferences(
  served: readonly { id: string; type: string }[],
  recordedFields: readonly { id: string; datatype: string | null }[],
): string[] {
  const out: string[] = [];
  const rec = new Map(recordedFields.map((f) => [f.id, f]));
  const srv = new Map(served.map((f) => [f.id, f]));
  for (const f of served) if (!rec.has(f.id)) out.push(`serves ${f.id}, which Intacct lacks`);
  for (const f of recordedFields) if (!srv.has(f.id)) out.push(`lacks ${f.id}`);
  for (const f of served) {
    const r = rec.get(f.id);
    if (r?.datatype && r.datatype !== f.type) out.push(`types ${f.id} ${f.type}, Intacct ${r.datatype}`);
  }
  if (out.length === 0 && served.map((f) => f.id).join() !== recordedFields.map((f) => f.id).join()) out.push('fields are not in lookup order');
  return out;
}

const recorded = recordedCatalog();
const served = objectNames().filter((n) => n !== 'AUDITHISTORY');

describe('emulator objects against the recorded catalog', () => {
  it('serves only recorded objects (AUDITHISTORY aside, which was not recorded)', () => {
    for (const name of served) assert.ok(recorded[name], `${name} is not in the recorded catalog`);
  });

  for (const name of served) {
    it(`${name}: exactly the recorded fields with the recorded types, in lookup order`, () => {
      assert.deepEqual(fieldDifferences(objectSpec(name)!.fields, recorded[name]!.fields), []);
    });
  }

  it('lookup answers list the same fields and DATATYPEs', () => {
    const parser = new XMLParser({ isArray: (n) => n === 'Field' });
    for (const name of served) {
      const doc = parser.parse(runLookup({ object: name })) as { data: { Type: { Fields: { Field: { ID: string; DATATYPE: string }[] } } } };
      const fields = doc.data.Type.Fields.Field.map((f) => ({ id: f.ID, type: f.DATATYPE }));
      assert.deepEqual(fieldDifferences(fields, recorded[name]!.fields), [], name);
    }
  });

  it('would catch a made-up field, a missing one and a wrong type', () => {
    const gl = recorded.GLDETAIL!.fields;
    const servedGl = objectSpec('GLDETAIL')!.fields;
    assert.deepEqual(fieldDifferences([...servedGl, { id: 'JOURNAL', type: 'TEXT' }], gl), ['serves JOURNAL, which Intacct lacks']);
    assert.deepEqual(
      fieldDifferences(
        servedGl.filter((f) => f.id !== 'SYMBOL'),
        gl,
      ),
      ['lacks SYMBOL'],
    );
    assert.deepEqual(
      fieldDifferences(
        servedGl.map((f) => (f.id === 'RECORDNO' ? { ...f, type: 'INTEGER' } : f)),
        gl,
      ),
      ['types RECORDNO INTEGER, Intacct TEXT'],
    );
  });

  it('sample records hold only catalog fields, GL detail keys are text and documents are dated', () => {
    const company = new SampleCompany({ clock: new ManualClock(Date.UTC(2026, 0, 15)), glRows: 300, bills: 40 });
    for (const name of served) {
      const ids = new Set(objectSpec(name)!.fields.map((f) => f.id));
      for (const rec of company.list(name)) for (const k of Object.keys(rec)) assert.ok(ids.has(k), `${name} record has ${k}`);
    }
    const gl = [...company.list('GLDETAIL')];
    for (const r of gl) {
      assert.match(r.RECORDNO!, /^\d+-\d+-\d+--(accrual|cash)$/);
      assert.match(r.WHENCREATED!, /^\d\d\/\d\d\/\d{4}$/);
    }
    for (const r of company.list('APPYMT')) assert.match(r.WHENCREATED!, /^\d\d\/\d\d\/\d{4}$/);
    assert.ok(
      gl.some((r) => r.CURRENCY !== r.BASECURR),
      'some GL lines are in a foreign transaction currency',
    );
  });
});
