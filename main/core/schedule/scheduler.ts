/**
 * Drives a schedule: fires `onFire` at each due time, reschedules after each fire, and catches up a
 * missed run exactly once.
 *
 * Why a heartbeat: Node's timers run on the monotonic clock, which stands still while the machine
 * sleeps, so a timer due at 06:00 on a laptop that slept from 05:00 to 09:00 would fire at ~10:00.
 * Every `heartbeatMs` the scheduler compares the wall clock (the injected Clock) with the next due
 * time; if it has passed, the run fires at once as 'catch-up' and the next due time is computed
 * from *now*, so however many due times were slept through, exactly one run makes up for them.
 * Whoever notices first (the timer or the heartbeat) claims the due time, so it never fires twice.
 */
import { scheduleJob } from 'node-schedule';
import type { Clock } from '../clock';
import type { Settings } from '../../../shared/types';
import { nextRuns } from './next-runs';

/** What fires the scheduler's callbacks; node-schedule in the app, a fake in tests. */
export interface TimerLike {
  /** Calls `fn` once at wall time `whenMs` (or as soon as possible if already past); returns cancel. */
  at(whenMs: number, fn: () => void): () => void;
  /** Calls `fn` every `ms` milliseconds until cancelled; returns cancel. */
  every(ms: number, fn: () => void): () => void;
}

/** Why a run fired: on time, or late to make up for one or more missed due times. */
export type FireTrigger = 'schedule' | 'catch-up';

/** Options for `createScheduler`. */
export interface SchedulerOptions {
  clock: Clock;
  schedule: Settings['schedule'];
  /** When the last run (of any trigger) started; null if never. Read once, at start. */
  lastRunAt: () => number | null;
  onFire: (trigger: FireTrigger) => void;
  /** Default: node-schedule. */
  timer?: TimerLike;
  /** How often the wall clock is checked for a missed due time. Default 60 s. */
  heartbeatMs?: number;
  /** A fire later than this after its due time counts as 'catch-up'. Default 2 min. */
  lateToleranceMs?: number;
  /** Receives an exception thrown by `onFire` (the scheduler keeps going either way). */
  onError?: (err: unknown) => void;
}

/** A running schedule. */
export interface Scheduler {
  start(): void;
  /** Cancels every timer; nothing fires afterwards until `start` is called again. */
  stop(): void;
  /** Replaces the schedule and recomputes the next due time from now (throws ValidationError for an invalid one, keeping the old). */
  update(schedule: Settings['schedule']): void;
  /** The next due time (UTC ms), or null for a manual or paused schedule. */
  nextRunAt(): number | null;
}

/**
 * The default timer: node-schedule jobs at a Date for due times, a plain interval for the heartbeat.
 * node-schedule returns no job for a date already past; such a callback is queued to run at once.
 * The heartbeat deliberately stays out of node-schedule: its single shared invocation queue can
 * lose a job when a timer fires a millisecond early and is re-armed while another job is being
 * scheduled (node-schedule 2.1 `runOnDate` does not record the re-armed timer), and the heartbeat is
 * the safety net for exactly such a lost or late due-time job.
 */
export function nodeScheduleTimer(): TimerLike {
  return {
    at(whenMs, fn) {
      let cancelled = false;
      const job = scheduleJob(new Date(whenMs), () => {
        if (!cancelled) fn();
      });
      if (!job) {
        void Promise.resolve().then(() => {
          if (!cancelled) fn();
        });
      }
      return () => {
        cancelled = true;
        job?.cancel();
      };
    },
    every(ms, fn) {
      const interval = setInterval(fn, ms);
      return () => clearInterval(interval);
    },
  };
}

/** Creates a scheduler (not started). `start` throws ValidationError for an invalid schedule. */
export function createScheduler(opts: SchedulerOptions): Scheduler {
  const { clock, onFire } = opts;
  const timer = opts.timer ?? nodeScheduleTimer();
  const heartbeatMs = opts.heartbeatMs ?? 60_000;
  const lateToleranceMs = opts.lateToleranceMs ?? 120_000;
  let schedule = opts.schedule;
  let started = false;
  let due: number | null = null;
  let lastCheckAt = -Infinity;
  let cancelTimer: (() => void) | null = null;
  let cancelHeartbeat: (() => void) | null = null;

  const fire = (trigger: FireTrigger) => {
    try {
      onFire(trigger);
    } catch (err) {
      opts.onError?.(err);
    }
  };

  /** Sets the next due time after `from` and arms the timer (and heartbeat) for it. */
  const plan = (from: number) => {
    cancelTimer?.();
    cancelTimer = null;
    due = nextRuns(schedule, from, 1)[0] ?? null;
    if (due === null) {
      cancelHeartbeat?.();
      cancelHeartbeat = null;
      return;
    }
    cancelTimer = timer.at(due, () => check(true));
    cancelHeartbeat ??= timer.every(heartbeatMs, () => check(false));
  };

  const check = (fromTimer: boolean) => {
    if (!started || due === null) return;
    const now = clock.now();
    const movedBack = now < lastCheckAt;
    lastCheckAt = now;
    if (now < due) {
      // An early timer must be re-armed; a wall clock set back may make an earlier slot apply.
      // (Only then is nextRuns recomputed: the heartbeat stays cheap.)
      if (fromTimer || movedBack) plan(now);
      return;
    }
    const trigger: FireTrigger = now - due > lateToleranceMs ? 'catch-up' : 'schedule';
    plan(now); // every due time up to now is consumed here: a long sleep yields one run
    fire(trigger);
  };

  return {
    start() {
      if (started) return;
      const now = clock.now();
      nextRuns(schedule, now, 1); // throws ValidationError while still stopped
      started = true;
      lastCheckAt = now;
      plan(now);
      // Missed while the app was not running at all: one catch-up run, like a wake from sleep.
      const last = opts.lastRunAt();
      if (last !== null && schedule.preset.kind !== 'manual' && !schedule.paused) {
        const missed = nextRuns(schedule, last, 1)[0];
        if (missed !== undefined && missed <= now) fire('catch-up');
      }
    },
    stop() {
      started = false;
      cancelTimer?.();
      cancelHeartbeat?.();
      cancelTimer = null;
      cancelHeartbeat = null;
      due = null;
    },
    update(next) {
      nextRuns(next, clock.now(), 1); // throws ValidationError before anything changes
      schedule = next;
      if (started) plan(clock.now());
    },
    nextRunAt() {
      if (started) return due;
      return nextRuns(schedule, clock.now(), 1)[0] ?? null;
    },
  };
}
