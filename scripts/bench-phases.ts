/**
 * Where a run's wall time went, from the run's own events (bench-sync.ts): what `incrementalPhases`
 * in the bench's JSON line says. The service emits progress per stream and log entries; the bench
 * stamps each with `performance.now()` as it arrives, and this turns the stamps into phases:
 * - start: from the run's start to the first stream reading (session, project, data sources);
 * - read: per stream, its first to its last `reading` event (the Intacct reads), summed;
 * - load: per stream, its last `reading` event to `done` (write, upload, apply, checkpoint), summed;
 * - models: the model stage's own figure (ModelsRun.seconds, run-models.ts);
 * - tieOut: from the end of the model stage to the run's "Tie-out:" log line (run-sync.ts);
 * - rest: what is left of the wall time (streams waiting on each other, the run's bookkeeping).
 */
import type { ServiceEvent } from '../shared/types';

export interface RunPhases {
  start: number;
  read: number;
  load: number;
  models: number;
  tieOut: number;
  rest: number;
}

/** Records one run's events; `phases` is asked once the run has returned. */
export function phaseRecorder(now: () => number = () => performance.now()) {
  let t0 = 0;
  let firstRead = 0;
  let lastDone = 0;
  let tieOutAt = 0;
  const streams = new Map<string, { first: number; last: number; done: number }>();
  return {
    begin(): void {
      t0 = now();
      firstRead = lastDone = tieOutAt = 0;
      streams.clear();
    },
    observe(e: ServiceEvent): void {
      if (!t0) return;
      const t = now();
      if (e.type === 'progress') {
        const p = e.progress;
        const s = streams.get(p.stream) ?? { first: 0, last: 0, done: 0 };
        if (p.phase === 'reading') {
          if (!s.first) s.first = t;
          s.last = t;
          if (!firstRead) firstRead = t;
        } else if (p.phase === 'done' && !s.done) {
          s.done = t;
          lastDone = Math.max(lastDone, t);
        }
        streams.set(p.stream, s);
      } else if (e.type === 'log' && e.entry.message.startsWith('Tie-out:')) {
        tieOutAt = t;
      }
    },
    /** Seconds per phase (one decimal), given the run's wall time and its model stage's seconds. */
    phases(wallSec: number, modelsSec: number): RunPhases {
      const sec = (ms: number) => Math.max(0, ms) / 1000;
      let read = 0;
      let load = 0;
      for (const s of streams.values()) {
        if (!s.first) continue;
        read += sec(s.last - s.first);
        if (s.done) load += sec(s.done - s.last);
      }
      const start = firstRead ? sec(firstRead - t0) : 0;
      const tieOut = tieOutAt && lastDone ? Math.max(0, sec(tieOutAt - lastDone) - modelsSec) : 0;
      const round = (x: number) => Math.round(x * 10) / 10;
      const rest = wallSec - start - read - load - modelsSec - tieOut;
      return { start: round(start), read: round(read), load: round(load), models: round(modelsSec), tieOut: round(tieOut), rest: round(rest) };
    },
  };
}
