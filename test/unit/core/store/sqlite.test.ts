/**
 * The SQLite wrapper gives the store better-sqlite3's API over @photostructure/sqlite (node:sqlite's
 * API; see main/core/store/sqlite.ts). Each case here fails against the raw driver: it binds
 * booleans, takes no arrays or better-sqlite3's argument forms, returns null-prototype rows, and
 * has no pragma(), transaction(), safeIntegers() or repeatable close().
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../../../main/core/store/sqlite';

function withDb(fn: (db: Database) => void) {
  const db = openDatabase(':memory:');
  try {
    db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v)');
    fn(db);
  } finally {
    db.close();
  }
}

describe('sqlite wrapper (better-sqlite3 semantics)', () => {
  it('refuses booleans and objects as bound values with a TypeError (the driver would store true as 1)', () => {
    withDb((db) => {
      const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
      assert.throws(() => ins.run(true), /can only bind numbers, strings, bigints, buffers, and null/);
      assert.throws(() => ins.run([new Date()]), TypeError);
      assert.throws(() => db.prepare('INSERT INTO t (v) VALUES (@v)').run({ v: false }), TypeError);
      assert.equal(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM t').get()!.n, 0, 'nothing was written');
    });
  });

  it('binds values, arrays of values, a single Buffer, null, undefined and named parameters', () => {
    withDb((db) => {
      const ins = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
      ins.run(1, 'one');
      ins.run([2, 2.5]);
      ins.run(3, Buffer.from('bytes'));
      ins.run(4, null);
      ins.run(5, undefined);
      db.prepare('INSERT INTO t (k, v) VALUES (@k, @v)').run({ k: 6, v: 9007199254740993n });
      db.prepare('INSERT INTO t (v) VALUES (?)').run(Buffer.from('alone'));
      const rows = db.prepare<[], { k: number; v: unknown }>('SELECT k, v FROM t WHERE k != 6 ORDER BY k').all();
      // BLOBs come back as Uint8Array (better-sqlite3: Buffer); the store keeps none.
      const plain = rows.map((r) => (r.v instanceof Uint8Array ? Buffer.from(r.v).toString() : r.v));
      assert.deepEqual(plain, ['one', 2.5, 'bytes', null, null, 'alone']);
      const big = db.prepare<[number], { v: bigint }>('SELECT v FROM t WHERE k = ?').safeIntegers(true).get(6);
      assert.equal(big!.v, 9007199254740993n);
      // Without safeIntegers an integer past 2^53 is refused, never rounded (better-sqlite3 rounds).
      assert.throws(() => db.prepare('SELECT v FROM t WHERE k = ?').get(6), /too large/);
    });
  });

  it('returns rows as plain objects with their columns in order (a later same-named column wins), or undefined', () => {
    withDb((db) => {
      db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(1, 'x');
      const row = db.prepare('SELECT k, v FROM t WHERE k = ?').get(1);
      assert.deepEqual(row, { k: 1, v: 'x' });
      assert.equal(Object.getPrototypeOf(row), Object.prototype);
      assert.equal(JSON.stringify(row), '{"k":1,"v":"x"}');
      assert.equal(db.prepare('SELECT k FROM t WHERE k = ?').get(2), undefined);
      assert.deepEqual(db.prepare('SELECT k AS a, v AS a FROM t').all(), [{ a: 'x' }]);
      assert.deepEqual([...db.prepare('SELECT k, v FROM t').iterate()], [{ k: 1, v: 'x' }]);
      const odd = db.prepare<[], Record<string, unknown>>('SELECT k AS "__proto__", v AS "a""b" FROM t').get()!;
      assert.equal(Object.getPrototypeOf(odd), Object.prototype, 'a column named __proto__ is a property, not the prototype');
      assert.deepEqual(Object.entries(odd), [
        ['__proto__', 1],
        ['a"b', 'x'],
      ]);
    });
  });

  it('pragma returns rows, or the value with simple', () => {
    withDb((db) => {
      db.pragma('user_version = 7');
      assert.equal(db.pragma('user_version', { simple: true }), 7);
      assert.deepEqual(db.pragma('user_version'), [{ user_version: 7 }]);
    });
  });

  it('nests transactions with savepoints: an inner failure rolls back only the inner work', () => {
    withDb((db) => {
      const ins = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
      const inner = db.transaction((k: number) => {
        ins.run(k, 'inner');
        if (k === 3) throw new Error('inner failed');
      });
      const outer = db.transaction(() => {
        ins.run(1, 'outer');
        inner(2);
        assert.throws(() => inner(3), /inner failed/);
        assert.equal(db.inTransaction, true);
        return 'done';
      });
      assert.equal(outer(), 'done');
      assert.equal(db.inTransaction, false);
      assert.deepEqual(
        db
          .prepare<[], { k: number }>('SELECT k FROM t ORDER BY k')
          .all()
          .map((r) => r.k),
        [1, 2],
      );
      assert.throws(
        () =>
          db.transaction(() => {
            ins.run(10, 'x');
            inner(11);
            throw new Error('outer failed');
          })(),
        /outer failed/,
      );
      assert.equal(db.inTransaction, false);
      assert.equal(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM t').get()!.n, 2, 'the whole outer transaction rolled back');
    });
  });

  it('readonly refuses writes; close is idempotent and open says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-sqlite-'));
    try {
      const path = join(dir, 'db.sqlite');
      const rw = openDatabase(path);
      rw.exec('CREATE TABLE t (k INTEGER)');
      rw.close();
      rw.close();
      assert.equal(rw.open, false);
      const ro = openDatabase(path, { readonly: true });
      assert.throws(() => ro.exec('INSERT INTO t VALUES (1)'), /readonly|read-only|query_only/i);
      assert.equal(ro.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM t').get()!.n, 0);
      ro.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
