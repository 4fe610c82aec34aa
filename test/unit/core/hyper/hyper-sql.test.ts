import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTableSql, hyperColumnSql, quoteIdent, quoteLiteral } from '../../../../main/core/hyper/hyper-sql';
import { streamByName } from '../../../../main/core/streams/definitions';

describe('hyper-sql', () => {
  it('maps each column type to its Hyper type with NOT NULL where not nullable', () => {
    assert.equal(
      hyperColumnSql({ name: 'AMOUNT', source: 'AMOUNT', type: 'numeric', precision: 18, scale: 2, nullable: false }),
      '"AMOUNT" NUMERIC(18,2) NOT NULL',
    );
    assert.equal(hyperColumnSql({ name: 'RECORDNO', source: 'RECORDNO', type: 'bigint', nullable: false }), '"RECORDNO" BIGINT NOT NULL');
    assert.equal(hyperColumnSql({ name: 'x', source: 'x', type: 'text', nullable: true }), '"x" TEXT');
    assert.equal(hyperColumnSql({ name: 'd', source: 'd', type: 'date', nullable: true }), '"d" DATE');
    assert.equal(hyperColumnSql({ name: 't', source: 't', type: 'timestamp', nullable: true }), '"t" TIMESTAMP');
    assert.equal(hyperColumnSql({ name: 'b', source: 'b', type: 'bool', nullable: true }), '"b" BOOL');
  });

  it('rejects numerics that file format 2 cannot store', () => {
    assert.throws(() => hyperColumnSql({ name: 'n', source: 'n', type: 'numeric', precision: 38, scale: 2, nullable: true }), /NUMERIC\(38,2\)/);
  });

  it('escapes identifiers and literals', () => {
    assert.equal(quoteIdent('a "b"'), '"a ""b"""');
    assert.equal(quoteLiteral("it's"), "'it''s'");
    assert.throws(() => quoteIdent('a\0b'), /NUL/);
  });

  it('builds CREATE TABLE for a whole stream', () => {
    const sql = createTableSql('db', { schema: 'Extract', name: 'Extract', columns: streamByName('gl_detail').columns });
    // GLDETAIL's RECORDNO is text (docs/reference/intacct-objects.md).
    assert.match(sql, /^CREATE TABLE "db"\."Extract"\."Extract" \("RECORDNO" TEXT NOT NULL, /);
    assert.match(sql, /"AMOUNT" NUMERIC\(18,2\) NOT NULL/);
  });
});
