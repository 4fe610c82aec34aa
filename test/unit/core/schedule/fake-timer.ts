import type { ManualClock } from '../../../../main/core/clock';
import type { TimerLike } from '../../../../main/core/schedule/index';

interface Pending {
  id: number;
  when: number;
  fn: () => void;
  everyMs?: number;
}

/**
 * A TimerLike on a ManualClock. `runUntil` is an awake machine: every timer fires at its time.
 * `sleepUntil` is a suspended one: the wall clock jumps and nothing fires; `wakeHeartbeat` then
 * fires the heartbeats (the first thing to notice the jump on a real machine).
 */
export class FakeTimer implements TimerLike {
  private pending: Pending[] = [];
  private seq = 0;
  constructor(private readonly clock: ManualClock) {}

  at(whenMs: number, fn: () => void): () => void {
    const p: Pending = { id: ++this.seq, when: whenMs, fn };
    this.pending.push(p);
    return () => this.remove(p.id);
  }

  every(ms: number, fn: () => void): () => void {
    const p: Pending = { id: ++this.seq, when: this.clock.now() + ms, fn, everyMs: ms };
    this.pending.push(p);
    return () => this.remove(p.id);
  }

  /** Timers (one-shot and recurring) still armed. */
  get active(): number {
    return this.pending.length;
  }

  /** One-shot timers armed, by due time. */
  get armedAt(): number[] {
    return this.pending
      .filter((p) => p.everyMs === undefined)
      .map((p) => p.when)
      .sort((a, b) => a - b);
  }

  runUntil(t: number): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = [...this.pending].sort((a, b) => a.when - b.when || a.id - b.id)[0];
      if (!next || next.when > t) break;
      if (next.when > this.clock.now()) this.clock.set(next.when);
      this.fire(next);
    }
    if (t > this.clock.now()) this.clock.set(t);
  }

  sleepUntil(t: number): void {
    this.clock.set(t);
  }

  wakeHeartbeat(): void {
    for (const p of this.pending.filter((x) => x.everyMs !== undefined)) this.fire(p);
  }

  /** A late one-shot timer fires with no heartbeat first (the other order on wake). */
  fireOverdueOneShots(): void {
    for (const p of this.pending.filter((x) => x.everyMs === undefined && x.when <= this.clock.now())) this.fire(p);
  }

  private fire(p: Pending): void {
    if (!this.pending.some((x) => x.id === p.id)) return;
    if (p.everyMs === undefined) this.remove(p.id);
    else p.when = this.clock.now() + p.everyMs;
    p.fn();
  }

  private remove(id: number): void {
    this.pending = this.pending.filter((p) => p.id !== id);
  }
}
