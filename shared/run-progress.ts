/**
 * How far the run in progress is, as one figure for the whole run: the window's overall bar and the
 * tray's percentage read the same numbers. Pure.
 *
 * Each stream weighs the same (a stream's share of the work is not known before it is read); a
 * stream still reading counts its rows done of Intacct's count, capped below 1 until it finishes.
 * The time left is the time so far scaled by what is left, so it stays a rough guide while the
 * first streams (small master data) go fast and GL detail has not started.
 */
import type { StreamProgress, SyncPhase } from './types';

const finished: ReadonlySet<SyncPhase> = new Set(['done', 'failed', 'skipped', 'cancelled']);

export interface RunPace {
  /** 0..1 of the run's streams, or null before any stream reported. */
  fraction: number | null;
  /** Rows read per second over the run so far, or null in its first second. */
  rowsPerSecond: number | null;
  /** Milliseconds left at the pace so far, or null while it cannot be said. */
  msLeft: number | null;
  rowsDone: number;
}

/**
 * 0..1 of the run's streams, or null before any stream reported. `streamCount`: the streams the run
 * will sync. Progress lists only those that reported so far, so without it the first stream's rows
 * would read as the whole run (99 % with 10 streams to go).
 */
export function runFraction(progress: readonly StreamProgress[], streamCount = 0): number | null {
  if (progress.length === 0) return null;
  let sum = 0;
  for (const p of progress) {
    if (finished.has(p.phase)) sum += 1;
    else if (p.rowsExpected && p.rowsExpected > 0) sum += Math.min(0.99, p.rowsDone / p.rowsExpected);
  }
  return sum / Math.max(progress.length, streamCount);
}

export function runPace(progress: readonly StreamProgress[], startedAt: number, now: number, streamCount = 0): RunPace {
  const rowsDone = progress.reduce((n, p) => n + p.rowsDone, 0);
  const fraction = runFraction(progress, streamCount);
  if (fraction === null) return { fraction: null, rowsPerSecond: null, msLeft: null, rowsDone };
  const elapsed = now - startedAt;
  const rowsPerSecond = elapsed >= 1000 ? rowsDone / (elapsed / 1000) : null;
  const msLeft = elapsed >= 1000 && fraction > 0 && fraction < 1 ? (elapsed * (1 - fraction)) / fraction : null;
  return { fraction, rowsPerSecond, msLeft, rowsDone };
}
