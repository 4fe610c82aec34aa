import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { interruptedRunMessage, openStore } from '../../../../main/core/store/index';
import type { StreamRunResult, TieOut } from '../../../../shared/types';

const t0 = Date.UTC(2026, 0, 15, 6, 0);

describe('runs', () => {
  it('records a run from start to finish with stream results and tie-out', () => {
    const store = openStore(':memory:');
    try {
      store.startRun({ runId: 'r1', trigger: 'schedule', startedAt: t0 });
      assert.equal(store.getRun('r1')?.outcome, 'running');
      const vendor: StreamRunResult = {
        stream: 'vendor',
        outcome: 'succeeded',
        rowsRead: 10,
        rowsUpserted: 9,
        rowsDeleted: 1,
        durationMs: 500,
        fullLoad: true,
        apiTransactions: 3,
      };
      const gl: StreamRunResult = {
        stream: 'gl_detail',
        outcome: 'failed',
        rowsRead: 0,
        rowsUpserted: 0,
        rowsDeleted: 0,
        durationMs: 20,
        fullLoad: false,
        apiTransactions: 1,
        error: { message: 'Bad', service: 'tableau', code: 'X' },
      };
      store.saveStreamResult('r1', vendor);
      store.saveStreamResult('r1', { ...gl, outcome: 'skipped' });
      store.saveStreamResult('r1', gl); // replaces, keeps its position
      const tie: TieOut = {
        ok: false,
        counts: [{ stream: 'vendor', intacct: 10, tableau: 9, match: false }],
        differences: [{ stream: 'gl_detail', account: '1000', period: '2026-01', intacct: '10.00', tableau: '9.99' }],
      };
      store.saveTieOut('r1', tie);
      store.finishRun('r1', {
        finishedAt: t0 + 60_000,
        outcome: 'partial',
        rowsMoved: 10,
        apiTransactions: 4,
        error: { message: 'GL detail failed', service: 'tableau' },
      });
      const run = store.getRun('r1');
      assert.deepEqual(run, {
        runId: 'r1',
        trigger: 'schedule',
        startedAt: t0,
        finishedAt: t0 + 60_000,
        outcome: 'partial',
        rowsMoved: 10,
        durationMs: 60_000,
        apiTransactions: 4,
        error: { message: 'GL detail failed', service: 'tableau' },
        streams: [vendor, gl],
        tieOut: tie,
      });
      assert.equal(store.getRun('nope'), null);
    } finally {
      store.close();
    }
  });

  it('lists newest first, charts finished runs oldest first, and knows the last success', () => {
    const store = openStore(':memory:');
    try {
      for (let i = 0; i < 5; i++) {
        store.startRun({ runId: `r${i}`, trigger: 'manual', startedAt: t0 + i * 1000 });
        if (i < 4)
          store.finishRun(`r${i}`, {
            finishedAt: t0 + i * 1000 + 100 + i,
            outcome: i === 3 ? 'failed' : 'succeeded',
            rowsMoved: i,
            apiTransactions: 1,
            error: null,
          });
      }
      assert.deepEqual(
        store.listRuns(3).map((r) => r.runId),
        ['r4', 'r3', 'r2'],
      );
      assert.deepEqual(
        store.history(2).map((h) => [h.runId, h.durationMs, h.outcome]),
        [
          ['r2', 102, 'succeeded'],
          ['r3', 103, 'failed'],
        ],
      );
      assert.equal(store.lastSuccessAt(), t0 + 2000 + 102);
    } finally {
      store.close();
    }
  });

  it('marks runs left running by a crash as failed with a clear error', () => {
    const store = openStore(':memory:');
    try {
      store.startRun({ runId: 'done', trigger: 'manual', startedAt: t0 });
      store.finishRun('done', { finishedAt: t0 + 1, outcome: 'succeeded', rowsMoved: 0, apiTransactions: 0, error: null });
      store.startRun({ runId: 'crashed', trigger: 'schedule', startedAt: t0 + 10 });
      assert.equal(store.markInterruptedRuns(t0 + 5_000), 1);
      const run = store.getRun('crashed');
      assert.equal(run?.outcome, 'failed');
      assert.equal(run?.finishedAt, t0 + 5_000);
      assert.equal(run?.error?.message, interruptedRunMessage);
      assert.equal(run?.error?.message, 'The app stopped during this run; the next run resumes from the last checkpoint.');
      assert.equal(run?.error?.runId, 'crashed');
      assert.equal(store.getRun('done')?.outcome, 'succeeded');
      assert.equal(store.markInterruptedRuns(t0 + 6_000), 0);
    } finally {
      store.close();
    }
  });
});
