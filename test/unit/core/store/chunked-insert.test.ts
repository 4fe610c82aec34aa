/**
 * chunkedInsert (main/core/store/chunked-insert.ts) binds once what a chunk's rows share and
 * stores exactly what a row-by-row INSERT of the same values stores, in the same rowid order.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type Database, type Statement } from '../../../../main/core/store/sqlite';
import { chunkedInsert, type ChunkColumn } from '../../../../main/core/store/chunked-insert';

type Row = readonly unknown[];
const columns: readonly ChunkColumn<Row, string>[] = [
  { name: 'k', value: (r) => r[0] },
  { name: 'batch', value: (_, b) => b },
  { name: 'a', value: (r) => r[1] },
  { name: 'b', value: (r) => r[2] },
  { name: 'c', value: (r) => r[3] },
];

/** A database whose statements count the values they are given. */
function counting(db: Database): { db: Database; bound: () => number } {
  let bound = 0;
  const prepare = <P extends unknown[], R>(sql: string): Statement<P, R> => {
    const s = db.prepare<P, R>(sql);
    const run = s.run.bind(s);
    s.run = (...params: P) => {
      bound += params.flat().length;
      return run(...params);
    };
    return s;
  };
  return { db: Object.assign(Object.create(db) as Database, { prepare }), bound: () => bound };
}

function table(): Database {
  const db = openDatabase(':memory:');
  db.exec('CREATE TABLE t (k TEXT, batch TEXT, a, b INTEGER, c TEXT)');
  return db;
}

const stored = (db: Database) =>
  db.prepare('SELECT rowid, typeof(a) ta, quote(a) a, typeof(b) tb, quote(b) b, quote(c) c, k, batch FROM t ORDER BY rowid').all();

/**
 * 250 rows: two chunks of 100, then 50 row by row. Chunk one shares a (k and b vary; c differs in its last row only); chunk
 * two shares only b (a mixes 1.5 and -0, c mixes null and text).
 */
function rows(): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < 100; i++) out.push([String(i % 7), 'same', i * 3, i < 99 ? 'c' : 'last']);
  for (let i = 100; i < 200; i++) out.push([`k${i}`, i % 3 ? 1.5 : -0, 12345678901234n, i % 5 ? null : 'x']);
  for (let i = 200; i < 250; i++) out.push([`k${i}`, i, BigInt(i), null]);
  return out;
}

describe('chunkedInsert', () => {
  it('stores what a row-by-row insert stores, in the same order, binding shared values once', () => {
    const expected = table();
    const one = expected.prepare('INSERT INTO t (k, batch, a, b, c) VALUES (?, ?, ?, ?, ?)');
    for (const r of rows()) one.run(r[0], 'run-1', r[1], r[2], r[3]);

    const actual = table();
    const spy = counting(actual);
    actual.transaction(() => chunkedInsert(spy.db, 't', columns, 100)(rows(), 'run-1'))();
    assert.deepEqual(stored(actual), stored(expected));
    // Chunk one: k, b, c per row + batch, a once = 302; chunk two: k, a, c per row + batch, b once = 302; then 50 × 5.
    assert.equal(spy.bound(), 302 + 302 + 250);
  });

  it('keeps a repeated key in its order within a chunk (the newest row has the highest rowid)', () => {
    const db = table();
    const rs: Row[] = Array.from({ length: 100 }, (_, i) => ['dup', 'v', i, null]);
    chunkedInsert(db, 't', columns, 100)(rs, 'r');
    const got = db
      .prepare<[], { b: number }>('SELECT b FROM t ORDER BY rowid')
      .all()
      .map((r) => r.b);
    assert.deepEqual(
      got,
      Array.from({ length: 100 }, (_, i) => i),
    );
  });
});
