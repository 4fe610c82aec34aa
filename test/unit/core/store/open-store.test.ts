import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openDatabase } from '../../../../main/core/store/sqlite';
import { ManualClock } from '../../../../main/core/clock';
import { ConnectorError } from '../../../../main/core/errors';
import { latestSchemaVersion, migrate, migrations, openStore, schemaVersionOf, type Migration } from '../../../../main/core/store/index';
import type { AuditEntry } from '../../../../shared/types';
import { openLedger } from '../../../../main/core/sync/ledger';

const dir = mkdtempSync(join(tmpdir(), 'mlc-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const dbPath = () => join(dir, `s${++n}`, 'store.db');

describe('openStore', () => {
  it('creates the folder, uses WAL and brings a new file to the latest schema', () => {
    const path = dbPath();
    const store = openStore(path, { clock: new ManualClock(1_000) });
    assert.equal(store.schemaVersion, latestSchemaVersion);
    store.close();
    const db = openDatabase(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(schemaVersionOf(db), latestSchemaVersion);
      const applied = db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as { version: number; applied_at: number }[];
      assert.deepEqual(
        applied.map((r) => r.version),
        migrations.map((m) => m.version),
      );
      assert.ok(applied.every((r) => r.applied_at === 1_000));
    } finally {
      db.close();
    }
  });

  it('migrates a database written by an older version and keeps its data', () => {
    const path = dbPath();
    // Build a version-1 file by hand, the way an older release left it (state in its v0 shape).
    mkdirSync(dirname(path), { recursive: true });
    const old = openDatabase(path);
    assert.equal(migrate(old, { now: 5, target: 1 }), 1);
    old
      .prepare('INSERT INTO stream_state (stream, version, state_json, updated_at) VALUES (?, 0, ?, 5)')
      .run('vendor', JSON.stringify({ whenModified: 1_700_000_000_000, datasourceLuid: 'ds-vendor' }));
    old.prepare(`INSERT INTO runs (run_id, trigger, started_at, outcome) VALUES ('old-run', 'manual', 10, 'succeeded')`).run();
    assert.throws(() => old.prepare('SELECT * FROM audit').all(), /no such table/);
    old.close();

    const store = openStore(path);
    try {
      assert.equal(store.schemaVersion, latestSchemaVersion);
      assert.deepEqual(store.getStreamState('vendor'), {
        stream: 'vendor',
        version: 2,
        cursor: { whenModified: 1_700_000_000_000, recordNo: 0 },
        datasourceId: 'ds-vendor',
        datasourceName: null,
        columns: null,
        lastFullLoadAt: null,
        fullLoadPending: false,
        deletesSince: null,
        lastReconcileAt: null,
      });
      assert.equal(store.listRuns(5)[0]?.runId, 'old-run');
      const e: AuditEntry = {
        runId: 'r',
        stream: 'vendor',
        recordKey: '1',
        whenModified: null,
        contentHash: 'h',
        action: 'insert',
        requestId: 'q',
        jobId: null,
        result: 'pending',
        at: 1,
      };
      store.recordAudit([e]);
      assert.equal(store.queryAudit({ runId: 'r' }).length, 1);
    } finally {
      store.close();
    }
  });

  it('fills the ledger sums from the keys a version-6 database held (migration 7)', () => {
    const path = dbPath();
    mkdirSync(dirname(path), { recursive: true });
    const old = openDatabase(path);
    assert.equal(migrate(old, { now: 5, target: 6 }), 6);
    const hold = old.prepare('INSERT INTO ledger_held (stream, record_key, hash, account, period, amount_units) VALUES (?, ?, ?, ?, ?, ?)');
    hold.run('gl_detail', '1', 'a', '4000', '2025-01', 1050);
    hold.run('gl_detail', '2', 'b', '4000', '2025-01', -50);
    hold.run('gl_detail', '3', 'c', null, '2025-02', 7);
    hold.run('vendor', 'V1', 'd', null, null, null);
    assert.equal(migrate(old, { now: 6 }), latestSchemaVersion);
    const ledger = openLedger(old);
    assert.deepEqual(
      ledger.sums('gl_detail'),
      new Map([
        ['4000\u00002025-01', 1000n],
        ['\u00002025-02', 7n],
      ]),
    );
    assert.deepEqual(ledger.sums('vendor'), new Map([['\u0000', 0n]]));
    old.close();
  });

  it('applies each migration in a transaction: a failing step leaves the previous version intact', () => {
    const db = openDatabase(':memory:');
    try {
      const broken: Migration[] = [
        ...migrations,
        {
          version: latestSchemaVersion + 1,
          name: 'broken',
          up(d) {
            d.exec('CREATE TABLE half_done (x INTEGER)');
            throw new Error('boom');
          },
        },
      ];
      assert.throws(() => migrate(db, { now: 0, list: broken }), /boom/);
      assert.equal(schemaVersionOf(db), latestSchemaVersion);
      assert.equal((db.prepare(`SELECT count(*) AS c FROM sqlite_master WHERE name = 'half_done'`).get() as { c: number }).c, 0);
      assert.equal((db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v, latestSchemaVersion);
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer version', () => {
    const path = dbPath();
    openStore(path).close();
    const db = openDatabase(path);
    db.pragma('user_version = 99');
    db.close();
    assert.throws(
      () => openStore(path),
      (err: unknown) => err instanceof ConnectorError && err.code === 'STORE_TOO_NEW',
    );
  });

  it('has no column that could hold a secret', () => {
    const db = openDatabase(':memory:');
    try {
      migrate(db, { now: 0 });
      const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
      const cols = tables.flatMap((t) => (db.pragma(`table_info(${t.name})`) as { name: string }[]).map((c) => `${t.name}.${c.name}`));
      assert.ok(cols.length > 30);
      assert.deepEqual(
        cols.filter((c) => /password|secret|token|session|credential/i.test(c)),
        [],
      );
    } finally {
      db.close();
    }
  });

  it('reopening an up-to-date file applies nothing again', () => {
    const path = dbPath();
    openStore(path, { clock: new ManualClock(1) }).close();
    openStore(path, { clock: new ManualClock(2) }).close();
    const db = openDatabase(path, { readonly: true });
    try {
      const rows = db.prepare('SELECT applied_at FROM schema_migrations').all() as { applied_at: number }[];
      assert.ok(rows.every((r) => r.applied_at === 1));
    } finally {
      db.close();
    }
  });
});
