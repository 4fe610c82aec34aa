import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, upgradeStreamState, type StreamState } from '../../../../main/core/store/index';

describe('stream state', () => {
  it('round-trips a checkpoint, data source LUID and flags', () => {
    const store = openStore(':memory:');
    try {
      assert.equal(store.getStreamState('gl_detail'), null);
      const s: StreamState = {
        stream: 'gl_detail',
        cursor: { whenModified: Date.UTC(2026, 0, 15, 12, 30), recordNo: 98_765 },
        datasourceId: '4f8e1d2c-0000-4000-8000-000000000001',
        lastFullLoadAt: Date.UTC(2026, 0, 1),
        fullLoadPending: false,
        version: 1,
        extra: { deletesCheckedAt: 1234, note: 'x' },
      };
      store.saveStreamState(s);
      assert.deepEqual(store.getStreamState('gl_detail'), s);
      store.saveStreamState({ ...s, cursor: { whenModified: s.cursor!.whenModified + 1, recordNo: 1 }, fullLoadPending: true });
      assert.deepEqual(store.getStreamState('gl_detail')?.cursor, { whenModified: s.cursor!.whenModified + 1, recordNo: 1 });
      assert.equal(store.getStreamState('gl_detail')?.fullLoadPending, true);
      store.saveStreamState({ stream: 'vendor', cursor: null, datasourceId: null, lastFullLoadAt: null, fullLoadPending: true, version: 1 });
      assert.deepEqual(store.listStreamStates().map((x) => x.stream), ['gl_detail', 'vendor']);
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
});
