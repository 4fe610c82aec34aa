import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../../../main/core/store/index';

describe('log', () => {
  it('filters by minimum level, run and stream, searches text literally and pages by id', () => {
    const store = openStore(':memory:');
    try {
      const a = store.appendLog({ at: 1, level: 'debug', message: 'reading page 1', runId: 'r1', stream: 'gl_detail', service: 'intacct' });
      store.appendLog({ at: 2, level: 'info', message: '50% done', runId: 'r1', stream: 'gl_detail' });
      store.appendLog({ at: 3, level: 'warn', message: '5000 done', runId: 'r2', stream: 'vendor' });
      const last = store.appendLog({ at: 4, level: 'error', message: 'Upload FAILED', runId: 'r2' });
      assert.equal(a.id + 3, last.id);
      assert.deepEqual(a, { id: a.id, at: 1, level: 'debug', message: 'reading page 1', runId: 'r1', stream: 'gl_detail', service: 'intacct' });

      assert.deepEqual(
        store.queryLogs({}).map((e) => e.at),
        [4, 3, 2, 1],
      );
      assert.deepEqual(
        store.queryLogs({ level: 'warn' }).map((e) => e.level),
        ['error', 'warn'],
      );
      assert.deepEqual(
        store.queryLogs({ runId: 'r1' }).map((e) => e.at),
        [2, 1],
      );
      assert.deepEqual(
        store.queryLogs({ stream: 'vendor' }).map((e) => e.at),
        [3],
      );
      assert.deepEqual(
        store.queryLogs({ search: '50%' }).map((e) => e.message),
        ['50% done'],
      );
      assert.deepEqual(
        store.queryLogs({ search: 'failed' }).map((e) => e.at),
        [4],
      );
      assert.deepEqual(
        store.queryLogs({ limit: 2 }).map((e) => e.at),
        [4, 3],
      );
      assert.deepEqual(
        store.queryLogs({ limit: 2, beforeId: last.id - 1 }).map((e) => e.at),
        [2, 1],
      );
      assert.equal(store.queryLogs({}).find((e) => e.at === 4)?.stream, undefined);
    } finally {
      store.close();
    }
  });
});
