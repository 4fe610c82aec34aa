/**
 * The ledger moved into connector.sqlite (schema 4): a ledger.sqlite an earlier version left in the
 * data folder is imported once, then renamed aside, and a crash between the two imports nothing twice.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { createConnectorService } from '../../../../main/core/service/connector-service';
import { memorySecretStore, memorySettingsStore } from '../../../../main/core/service/stores';
import { importLegacyLedger, openStore } from '../../../../main/core/store';
import { openDatabase } from '../../../../main/core/store/sqlite';
import { openLedger } from '../../../../main/core/sync/ledger';

const root = mkdtempSync(join(tmpdir(), 'mlc-import-ledger-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = join(root, `d${++n}`);
  mkdirSync(d);
  return d;
};

/** A ledger.sqlite as versions before schema 4 wrote it (sync/ledger.ts at that time), in WAL mode. */
function writeLegacyLedger(path: string, held: [string, string, string][], meta: [string, string, string][]): void {
  const db = openDatabase(path);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE held (stream TEXT NOT NULL, record_key TEXT NOT NULL, hash TEXT NOT NULL, account TEXT, period TEXT, amount_units INTEGER, PRIMARY KEY (stream, record_key)) WITHOUT ROWID;
    CREATE TABLE staged (request_id TEXT NOT NULL, stream TEXT NOT NULL, record_key TEXT NOT NULL, hash TEXT NOT NULL, op TEXT NOT NULL, account TEXT, period TEXT, amount_units INTEGER);
    CREATE TABLE meta (stream TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (stream, name)) WITHOUT ROWID;
  `);
  const put = db.prepare('INSERT INTO held (stream, record_key, hash, account, period, amount_units) VALUES (?, ?, ?, ?, ?, ?)');
  for (const [stream, key, hash] of held) put.run(stream, key, hash, '4000', '2025-01', 150);
  for (const m of meta) db.prepare('INSERT INTO meta (stream, name, value) VALUES (?, ?, ?)').run(...m);
  db.prepare("INSERT INTO staged (request_id, stream, record_key, hash, op) VALUES ('req-x', 'vendor', 'V9', 'h9', 'upsert')").run();
  // Left open on purpose until here: its rows may still be in the -wal file, as after a crash.
  db.close();
}

describe('importLegacyLedger', () => {
  it('copies held keys, sums and meta (not staged rows) into connector.sqlite and renames the file aside', () => {
    const dir = freshDir();
    const legacy = join(dir, 'ledger.sqlite');
    writeLegacyLedger(
      legacy,
      [
        ['vendor', 'V1', 'h1'],
        ['vendor', 'V2', 'h2'],
        ['gl_detail', '7', 'g7'],
      ],
      [['vendor', 'deletesSince', '123']],
    );
    const store = openStore(join(dir, 'connector.sqlite'));
    try {
      const r = importLegacyLedger(store.database, legacy, 1000);
      assert.deepEqual(r, { heldRows: 3, metaRows: 1, renamedTo: `${legacy}.imported` });
      assert.equal(existsSync(legacy), false);
      assert.ok(existsSync(`${legacy}.imported`));
      const ledger = openLedger(store.database);
      assert.equal(ledger.count('vendor'), 2);
      assert.deepEqual(
        ledger.hashes('vendor', ['V1', 'V2', 'V9']),
        new Map([
          ['V1', 'h1'],
          ['V2', 'h2'],
        ]),
      );
      assert.deepEqual(ledger.sums('gl_detail'), new Map([['4000\u00002025-01', 150n]]));
      // A v1 state takes its deletion mark from the imported meta.
      store.database.prepare("INSERT INTO stream_state (stream, version, state_json, updated_at) VALUES ('vendor', 1, '{}', 0)").run();
      assert.equal(store.getStreamState('vendor')?.deletesSince, 123);
      // Nothing left to import on the next start.
      assert.deepEqual(importLegacyLedger(store.database, legacy, 2000), { heldRows: 0, metaRows: 0, renamedTo: null });
    } finally {
      store.close();
    }
  });

  it('after a crash between the import and the rename, only renames: rows changed since are not overwritten', () => {
    const dir = freshDir();
    const legacy = join(dir, 'ledger.sqlite');
    writeLegacyLedger(legacy, [['vendor', 'V1', 'h1']], []);
    const store = openStore(join(dir, 'connector.sqlite'));
    try {
      importLegacyLedger(store.database, legacy, 1000);
      // As if the rename had not happened: the file is back in place.
      copyFileSync(`${legacy}.imported`, legacy);
      const ledger = openLedger(store.database);
      ledger.stage('req-2', 'vendor', [{ key: 'V1', hash: 'newer', op: 'upsert' }]);
      ledger.commit('req-2', 'vendor');
      const r = importLegacyLedger(store.database, legacy, 2000);
      assert.equal(r.heldRows, 0);
      assert.equal(existsSync(legacy), false);
      assert.deepEqual(ledger.hashes('vendor', ['V1']), new Map([['V1', 'newer']]));
    } finally {
      store.close();
    }
  });

  it('is run by an owner service at start, and the ledger it holds counts in the status', async () => {
    const dir = freshDir();
    writeLegacyLedger(
      join(dir, 'ledger.sqlite'),
      [
        ['vendor', 'V1', 'h1'],
        ['vendor', 'V2', 'h2'],
      ],
      [],
    );
    const service = await createConnectorService({
      clock: new ManualClock(Date.UTC(2026, 0, 15)),
      fetch: async () => new Response(''),
      secrets: memorySecretStore(),
      settings: memorySettingsStore(),
      dataDir: dir,
    });
    await service.shutdown();
    assert.equal(existsSync(join(dir, 'ledger.sqlite')), false);
    assert.ok(existsSync(join(dir, 'ledger.sqlite.imported')));
    const store = openStore(join(dir, 'connector.sqlite'));
    try {
      assert.equal(openLedger(store.database, { discardStaged: false }).count('vendor'), 2);
    } finally {
      store.close();
    }
  });
});
