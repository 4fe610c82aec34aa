import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { streamFreshness } from '../../../../main/core/service/stream-freshness';
import type { RunDetail, StreamRunResult } from '../../../../shared/types';

const result = (stream: StreamRunResult['stream'], outcome: StreamRunResult['outcome'], message?: string): StreamRunResult => ({
  stream,
  outcome,
  rowsRead: 0,
  rowsUpserted: 0,
  rowsDeleted: 0,
  durationMs: 0,
  fullLoad: false,
  apiTransactions: 0,
  ...(message ? { error: { message, service: 'intacct' } } : {}),
});
const run = (runId: string, startedAt: number, outcome: RunDetail['outcome'], streams: StreamRunResult[], error: RunDetail['error'] = null): RunDetail => ({
  runId,
  trigger: 'manual',
  startedAt,
  finishedAt: startedAt + 1000,
  outcome,
  rowsMoved: 0,
  durationMs: 1000,
  apiTransactions: 0,
  error,
  streams,
  tieOut: null,
});

describe('streamFreshness', () => {
  const ok = run('r1', 1_000, 'succeeded', [result('vendor', 'succeeded'), result('gl_detail', 'succeeded')]);

  it('keeps "data as of" at the last success after a failed attempt', () => {
    const failed = run('r2', 2_000, 'partial', [result('vendor', 'failed', 'Bad field'), result('gl_detail', 'succeeded')], {
      message: 'Bad field',
      service: 'intacct',
    });
    assert.deepEqual(streamFreshness([failed, ok], 'vendor'), {
      dataAsOf: 1_000,
      lastAttempt: { at: 2_000, runId: 'r2', outcome: 'failed', message: 'Bad field' },
    });
    assert.deepEqual(streamFreshness([failed, ok], 'gl_detail'), { dataAsOf: 2_000, lastAttempt: { at: 2_000, runId: 'r2', outcome: 'succeeded' } });
  });

  it('says "not run" for a stream the newest run skipped or never reached', () => {
    const early = run('r3', 3_000, 'failed', [], { message: 'Sign-in refused', service: 'intacct' });
    assert.deepEqual(streamFreshness([early, ok], 'vendor'), {
      dataAsOf: 1_000,
      lastAttempt: { at: 3_000, runId: 'r3', outcome: 'not-run', message: 'Sign-in refused' },
    });
    const skipped = run('r4', 4_000, 'failed', [result('vendor', 'skipped')]);
    assert.equal(streamFreshness([skipped], 'vendor').lastAttempt?.outcome, 'not-run');
    assert.equal(streamFreshness([skipped], 'vendor').dataAsOf, null);
  });

  it('knows nothing before the first run', () => {
    assert.deepEqual(streamFreshness([], 'vendor'), { dataAsOf: null, lastAttempt: null });
  });
});
