/**
 * "Data as of 14:17 UTC · last attempt 14:21 UTC failed": what Tableau holds for a table and since
 * when, and what the newest run did with it when that was not a success (issue #14 point 2). One
 * sentence for the window's stream cards and the CLI's `status`, so both say the same thing.
 */
import type { StreamStatus } from './types';
import { formatWhen } from './format';

const attemptWords = { succeeded: 'succeeded', failed: 'failed', cancelled: 'cancelled', 'not-run': 'did not reach it' } as const;

export function freshnessText(stream: StreamStatus, now: number): string {
  const attempt = stream.lastAttempt ?? null;
  const asOf = stream.dataAsOf ?? null;
  const held = asOf == null ? (stream.totalRowsInTableau != null ? 'Loaded earlier' : 'No data in Tableau yet') : `Data as of ${formatWhen(asOf, now)}`;
  if (!attempt || (attempt.outcome === 'succeeded' && attempt.at === asOf)) return held;
  if (attempt.outcome === 'not-run') return `${held} · last run ${formatWhen(attempt.at, now)} did not reach it`;
  return `${held} · last attempt ${formatWhen(attempt.at, now)} ${attemptWords[attempt.outcome]}`;
}
