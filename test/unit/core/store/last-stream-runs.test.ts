import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../../../main/core/store/index';
import type { Store } from '../../../../main/core/store/types';
import type { StreamName, StreamRunResult } from '../../../../shared/types';

const t0 = Date.UTC(2026, 0, 15, 6, 0);

const result = (stream: StreamName, outcome: StreamRunResult['outcome'], rowsUpserted: number): StreamRunResult => ({
  stream,
  outcome,
  rowsRead: rowsUpserted,
  rowsUpserted,
  rowsDeleted: 0,
  durationMs: 100 + rowsUpserted,
  fullLoad: false,
  apiTransactions: 1,
});

function run(store: Store, runId: string, startedAt: number, results: StreamRunResult[], finished = true): void {
  store.startRun({ runId, trigger: 'schedule', startedAt });
  for (const r of results) store.saveStreamResult(runId, r);
  if (finished) store.finishRun(runId, { finishedAt: startedAt + 1000, outcome: 'failed', rowsMoved: 0, apiTransactions: 0, error: null });
}

describe('lastStreamRun', () => {
  it("gives each stream's result in the newest finished run that ran it, ignoring skipped results and the run in progress", () => {
    const store = openStore(':memory:');
    try {
      assert.equal(store.lastStreamRun('vendor'), null);
      run(store, 'r1', t0, [result('vendor', 'succeeded', 5), result('gl_detail', 'succeeded', 40), result('ap_bill', 'succeeded', 7)]);
      run(store, 'r2', t0 + 3600_000, [result('vendor', 'failed', 0), result('gl_detail', 'skipped', 0), result('ap_bill', 'cancelled', 0)]);
      // Inserted after r2 but started before it: "newest" is by start time, not by insertion.
      run(store, 'r0', t0 - 3600_000, [result('department', 'succeeded', 3), result('gl_detail', 'succeeded', 99)]);
      run(store, 'r3', t0 + 7200_000, [result('vendor', 'succeeded', 8)], false);

      const streams: StreamName[] = ['ap_bill', 'department', 'gl_detail', 'vendor', 'location'];
      const got = streams.map((name) => {
        const x = store.lastStreamRun(name);
        return x && [x.result.stream, x.runId, x.startedAt, x.result.outcome, x.result.rowsUpserted];
      });
      assert.deepEqual(got, [
        ['ap_bill', 'r2', t0 + 3600_000, 'cancelled', 0],
        ['department', 'r0', t0 - 3600_000, 'succeeded', 3],
        ['gl_detail', 'r1', t0, 'succeeded', 40],
        ['vendor', 'r2', t0 + 3600_000, 'failed', 0],
        null,
      ]);
      assert.deepEqual(store.lastStreamRun('gl_detail')?.result, result('gl_detail', 'succeeded', 40));

      // Once the run in progress finishes, it is the newest one for the stream it ran.
      store.finishRun('r3', { finishedAt: t0 + 7300_000, outcome: 'succeeded', rowsMoved: 8, apiTransactions: 1, error: null });
      assert.equal(store.lastStreamRun('vendor')?.runId, 'r3');
    } finally {
      store.close();
    }
  });
});
