/** The whole run's progress (issue #14 point 9): the window's overall bar and the tray's percentage. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runPace } from '../../../shared/run-progress';
import type { StreamProgress } from '../../../shared/types';

const p = (stream: string, phase: StreamProgress['phase'], rowsDone: number, rowsExpected: number | null) =>
  ({ stream, phase, rowsDone, rowsExpected }) as StreamProgress;

describe('runPace', () => {
  it('weighs each stream the same, caps a reading stream below done, and scales the time so far by what is left', () => {
    const progress = [
      p('gl_account', 'done', 150, 150),
      p('vendor', 'done', 400, 400),
      p('gl_detail', 'reading', 5000, 10_000),
      p('ap_bill', 'queued', 0, null),
    ];
    const pace = runPace(progress, 0, 20_000);
    // (1 + 1 + 0.5 + 0) / 4
    assert.equal(pace.fraction, 0.625);
    assert.equal(pace.rowsDone, 5550);
    assert.equal(pace.rowsPerSecond, 5550 / 20);
    // 20 s for 62.5 %: 12 s for the rest.
    assert.equal(pace.msLeft, 12_000);
    assert.equal(runPace([p('gl_detail', 'reading', 10_500, 10_000)], 0, 5000).fraction, 0.99, 'an overtaken estimate is not done');
    // Streams that have not reported yet still count: the first of eleven is not the whole run.
    assert.equal(runPace([p('gl_account', 'writing', 154, 154)], 0, 5000, 11).fraction, 0.99 / 11);
  });

  it('says nothing it cannot know: no streams yet, the first second, a finished run', () => {
    assert.deepEqual(runPace([], 0, 5000), { fraction: null, rowsPerSecond: null, msLeft: null, rowsDone: 0 });
    const early = runPace([p('gl_detail', 'reading', 10, 100)], 0, 500);
    assert.equal(early.rowsPerSecond, null);
    assert.equal(early.msLeft, null);
    assert.equal(runPace([p('gl_detail', 'done', 100, 100)], 0, 5000).msLeft, null);
  });
});
