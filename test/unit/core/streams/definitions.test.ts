import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { streamByName, streamDefinitions } from '../../../../main/core/streams/definitions';

const knownTypes = new Set(['bigint', 'text', 'numeric', 'date', 'timestamp', 'bool']);

describe('stream definitions', () => {
  it('cover every object the product promises', () => {
    const objects = new Set(streamDefinitions.map((s) => s.intacctObject));
    for (const o of ['GLACCOUNT', 'VENDOR', 'APBILL', 'APBILLITEM', 'APPYMT', 'APPYMTDETAIL', 'GLDETAIL', 'DEPARTMENT', 'LOCATION']) {
      assert.ok(objects.has(o), `missing ${o}`);
    }
  });

  for (const s of streamDefinitions) {
    it(`${s.name} is internally consistent`, () => {
      const names = s.columns.map((c) => c.name);
      assert.equal(new Set(names).size, names.length, 'column names are unique');
      // A label column reads the same field as its code column; every other source appears once.
      assert.equal(new Set(s.columns.filter((c) => !c.labels).map((c) => c.source)).size, s.columns.filter((c) => !c.labels).length, 'sources are unique');
      for (const k of s.primaryKey) assert.ok(names.includes(k), `primary key ${k} is a column`);
      for (const k of s.primaryKey) assert.equal(s.columns.find((c) => c.name === k)?.nullable, false, `key ${k} is not nullable`);
      assert.equal(s.columns.find((c) => c.name === s.cursorColumn)?.type, 'timestamp', 'cursor is a timestamp column');
      // RECORDNO is an integer on every object but GLDETAIL, where it is text (intacct-objects.md).
      assert.equal(
        s.columns.find((c) => c.name === s.recordNoColumn)?.type,
        s.intacctObject === 'GLDETAIL' ? 'text' : 'bigint',
        'RECORDNO has its Intacct type',
      );
      for (const c of s.columns) {
        assert.ok(knownTypes.has(c.type), `${c.name} has a known type`);
        assert.match(c.name, /^[A-Z][A-Z0-9_]*$/, `${c.name} is a plain identifier`);
        if (c.type === 'numeric') assert.ok(c.precision && c.scale !== undefined && c.scale <= c.precision, `${c.name} has precision/scale`);
      }
      assert.ok(s.pageSize >= 1 && s.pageSize <= 2000, 'page size within query limits');
      assert.ok(s.target.datasource.length > 0);
      if (s.backfillDateColumn) assert.equal(s.columns.find((c) => c.name === s.backfillDateColumn)?.type, 'date');
      if (s.tieOut) for (const c of [s.tieOut.amountColumn, s.tieOut.accountColumn, s.tieOut.dateColumn]) assert.ok(names.includes(c));
    });
  }

  it('data source names are unique', () => {
    const ds = streamDefinitions.map((s) => s.target.datasource);
    assert.equal(new Set(ds).size, ds.length);
  });

  it('GL detail is always read for one book', () => {
    assert.ok(streamByName('gl_detail').filters.some((f) => f.field === 'BOOKID' && f.op === 'equalto'));
  });

  it('streamByName rejects unknown names', () => {
    assert.throws(() => streamByName('nope'), /Unknown stream/);
  });
});
