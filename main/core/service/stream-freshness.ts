/**
 * What Tableau holds for a stream and since when, and what the newest run did with it (issue #14
 * point 2): a card must not stay "Succeeded" after a failed run, nor call a stream the run never
 * reached "succeeded".
 */
import type { RunDetail, StreamName, StreamStatus } from '../../../shared/types';

export interface StreamFreshness {
  dataAsOf: number | null;
  lastAttempt: NonNullable<StreamStatus['lastAttempt']> | null;
}

/**
 * From finished runs, newest first: `dataAsOf` is the start of the newest run in which the stream
 * succeeded (a run reads Intacct's changes up to its start, sync/stream-context.ts `until`); `lastAttempt`
 * is the newest run's outcome for the stream, 'not-run' when that run did not reach it (it failed
 * before reading, or stopped on a configuration failure and skipped it).
 */
export function streamFreshness(runs: readonly RunDetail[], stream: StreamName): StreamFreshness {
  const newest = runs[0];
  let lastAttempt: StreamFreshness['lastAttempt'] = null;
  if (newest) {
    const r = newest.streams.find((x) => x.stream === stream);
    const outcome = !r || r.outcome === 'skipped' ? 'not-run' : r.outcome;
    const message = r?.error?.message ?? (outcome === 'not-run' && newest.error ? newest.error.message : undefined);
    lastAttempt = { at: newest.startedAt, runId: newest.runId, outcome, ...(message ? { message } : {}) };
  }
  const loaded = runs.find((run) => run.streams.some((x) => x.stream === stream && x.outcome === 'succeeded'));
  return { dataAsOf: loaded ? loaded.startedAt : null, lastAttempt };
}
