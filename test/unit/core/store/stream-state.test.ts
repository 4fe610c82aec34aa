import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newStreamState, openStore, upgradeStreamState, type StreamState } from '../../../../main/core/store/index';

describe('stream state', () => {
  it('round-trips a checkpoint, data source LUID and flags', () => {
    const store = openStore(':memory:');
    try {
      assert.equal(store.getStreamState('gl_detail'), null);
      const s: StreamState = {
        stream: 'gl_detail',
        version: 2,
        cursor: { whenModified: Date.UTC(2026, 0, 15, 12, 30), recordNo: 98_765 },
        datasourceId: '4f8e1d2c-0000-4000-8000-000000000001',
        datasourceName: 'GL Detail',
        columns: 'RECORDNO bigint!,AMOUNT numeric(18,2)',
        lastFullLoadAt: Date.UTC(2026, 0, 1),
        fullLoadPending: false,
        deletesSince: Date.UTC(2026, 0, 15, 12),
        lastReconcileAt: Date.UTC(2026, 0, 14),
      };
      store.saveStreamState(s);
      assert.deepEqual(store.getStreamState('gl_detail'), s);
      store.saveStreamState({ ...s, cursor: { whenModified: s.cursor!.whenModified + 1, recordNo: 1 }, fullLoadPending: true });
      assert.deepEqual(store.getStreamState('gl_detail')?.cursor, { whenModified: s.cursor!.whenModified + 1, recordNo: 1 });
      assert.equal(store.getStreamState('gl_detail')?.fullLoadPending, true);
      store.saveStreamState({ ...newStreamState('vendor'), fullLoadPending: true });
      assert.deepEqual(
        store.listStreamStates().map((x) => x.stream),
        ['gl_detail', 'vendor'],
      );
      assert.equal(store.getStreamState('vendor')?.cursor, null);
    } finally {
      store.close();
    }
  });

  it('upgrades the pre-release WHENMODIFIED-only shape and falls back to a full load on garbage', () => {
    assert.deepEqual(upgradeStreamState('ap_bill', 0, { whenModified: 5, datasourceLuid: 'ds' }).cursor, { whenModified: 5, recordNo: 0 });
    assert.equal(upgradeStreamState('ap_bill', 0, { datasourceLuid: 'ds' }).cursor, null);
    const broken = upgradeStreamState('ap_bill', 1, 'not an object');
    assert.equal(broken.cursor, null);
    assert.equal(broken.datasourceId, null);
    assert.equal(upgradeStreamState('ap_bill', 1, { cursor: { whenModified: 'yesterday' } }).cursor, null);
  });

  it('upgrades v1 to v2: the extra bag becomes typed fields, the deletion marks come from the ledger meta', () => {
    const v1 = {
      cursor: { whenModified: 1_768_478_400_000, recordNo: 'GL-77' },
      datasourceId: 'ds-gl',
      lastFullLoadAt: 1_768_000_000_000,
      fullLoadPending: false,
      extra: { datasourceName: 'GL Detail', columns: 'RECORDNO bigint!', note: 'dropped' },
    };
    assert.deepEqual(upgradeStreamState('gl_detail', 1, v1, { deletesSince: '1768478000000', lastReconcileAt: '1768400000000' }), {
      stream: 'gl_detail',
      version: 2,
      cursor: { whenModified: 1_768_478_400_000, recordNo: 'GL-77' },
      datasourceId: 'ds-gl',
      datasourceName: 'GL Detail',
      columns: 'RECORDNO bigint!',
      lastFullLoadAt: 1_768_000_000_000,
      fullLoadPending: false,
      deletesSince: 1_768_478_000_000,
      lastReconcileAt: 1_768_400_000_000,
    });
    // No extra and no meta (a state from before they were kept): unknown, which re-checks more, never less.
    const bare = upgradeStreamState('vendor', 1, { cursor: null, datasourceId: 'ds', fullLoadPending: true });
    assert.deepEqual([bare.datasourceName, bare.columns, bare.deletesSince, bare.lastReconcileAt, bare.fullLoadPending], [null, null, null, null, true]);
    assert.equal('extra' in bare, false);
  });

  it('reads a v1 row of the database with its ledger meta, and writes it back as v2', () => {
    const store = openStore(':memory:');
    try {
      const db = store.database;
      db.prepare('INSERT INTO stream_state (stream, version, state_json, updated_at) VALUES (?, 1, ?, 0)').run(
        'vendor',
        JSON.stringify({
          cursor: { whenModified: 50, recordNo: 3 },
          datasourceId: 'ds-v',
          lastFullLoadAt: 10,
          fullLoadPending: false,
          extra: { datasourceName: 'Vendors' },
        }),
      );
      db.prepare("INSERT INTO ledger_meta (stream, name, value) VALUES ('vendor', 'deletesSince', '40'), ('vendor', 'lastReconcileAt', '30')").run();
      const s = store.getStreamState('vendor')!;
      assert.deepEqual([s.version, s.datasourceName, s.deletesSince, s.lastReconcileAt], [2, 'Vendors', 40, 30]);
      store.saveStreamState({ ...s, deletesSince: 60 });
      const row = db.prepare<[], { version: number; state_json: string }>("SELECT version, state_json FROM stream_state WHERE stream = 'vendor'").get()!;
      assert.equal(row.version, 2);
      assert.equal(JSON.parse(row.state_json).extra, undefined);
      // Once v2, the state is its own: the old meta rows are not read again.
      db.prepare("UPDATE ledger_meta SET value = '1' WHERE stream = 'vendor'").run();
      assert.equal(store.getStreamState('vendor')!.deletesSince, 60);
      assert.equal(store.getStreamState('vendor')!.lastReconcileAt, 30);
    } finally {
      store.close();
    }
  });
});
