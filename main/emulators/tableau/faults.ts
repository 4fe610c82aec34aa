/**
 * Fault injection for the Tableau emulator. A faulted request is refused before it has any effect,
 * so faults never corrupt state; only `jobFail` and `jobCancel` let the request through and end its
 * job failed (finish code 1) or cancelled (2) instead, without applying it. `expire401` ends a
 * session only once it has served a request: sessions expire from idle time or lifetime, never the
 * moment they are created (a fresh session refused at once means another client, and the client
 * stops there).
 */
import { seededRandom } from '../../core/util/seeded-random';

/** The kinds of trouble the emulator can cause. */
export type TableauFaultKind = 'expire401' | 'http429' | 'http5xx' | 'jobFail' | 'jobCancel';

/** `rate` is the probability (0–1) that a request is faulted; `seed` makes the sequence repeatable. */
export interface TableauFaultConfig {
  readonly rate: number;
  readonly kinds: readonly TableauFaultKind[];
  readonly seed?: number;
}

/** Picks, per request, whether to fault it and how. */
export class FaultPlan {
  private random: () => number;
  constructor(private config: TableauFaultConfig = { rate: 0, kinds: [] }) {
    this.random = seededRandom(config.seed ?? 1);
  }

  /** Replaces the configuration (and restarts the random sequence from its seed). */
  set(config: TableauFaultConfig): void {
    this.config = config;
    this.random = seededRandom(config.seed ?? 1);
  }

  /** A fault for this request, chosen among `applicable` kinds, or null. */
  pick(applicable: readonly TableauFaultKind[]): TableauFaultKind | null {
    if (this.config.rate <= 0) return null;
    const kinds = this.config.kinds.filter((k) => applicable.includes(k));
    if (kinds.length === 0) return null;
    if (this.random() >= this.config.rate) return null;
    return kinds[Math.floor(this.random() * kinds.length)] ?? null;
  }

  /** A number in [0,1) from the same sequence (to vary 500/502/503 and XML/HTML bodies). */
  next(): number {
    return this.random();
  }
}
