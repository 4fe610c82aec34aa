/**
 * Per-request fault injection for the emulator (issue 2: 5xx, 429, a hang past the client's
 * timeout, a dropped connection, malformed XML, transient error numbers, a session that expires in
 * the middle of a paged read). Decisions come from a seeded generator, so a run is repeatable.
 */
import { seededRandom } from '../../core/util/seeded-random';

/** What a faulted request gets (see FaultPlan and intacct-emulator.ts for each behaviour). */
export type FaultKind = 'http500' | 'http502' | 'http503' | 'http429' | 'http524' | 'hang' | 'drop' | 'truncated' | 'malformed' | 'transient' | 'sessionExpire';

/** Every kind, for "all faults mixed". */
export const ALL_FAULT_KINDS: readonly FaultKind[] = [
  'http500',
  'http502',
  'http503',
  'http429',
  'http524',
  'hang',
  'drop',
  'truncated',
  'malformed',
  'transient',
  'sessionExpire',
];

/** Fault injection settings (`setFaults`). */
export interface FaultConfig {
  /** Share of requests faulted, 0..1. */
  rate: number;
  /** Which kinds to draw from (default: all). */
  kinds?: readonly FaultKind[];
  seed?: number;
  /** Retry-After for 429 answers, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Never fault the first N requests from now (e.g. let sign-in through). */
  skipFirst?: number;
}

/**
 * The transient 200-body failures Intacct is known to send (intacct-xml.md §2.4). The reference
 * records their texts only; the errornos are UNCONFIRMED, so BL01001973 (the generic
 * business-layer failure) is used and a client must classify on the text, as §2.4 advises.
 */
export const TRANSIENT_ERRORS = [
  { errorno: 'BL01001973', description: '', description2: 'There are too many operations running for this company (200024)', correction: '' },
  { errorno: 'BL01001973', description: '', description2: 'The Service is Temporarily Off-line [Support ID: Emu%7EYk2mQ0Ax]', correction: '' },
  { errorno: 'DL02000001', description: '', description2: 'There was an error processing the request.', correction: 'Please Try Again Later' },
] as const;

/** Draws faults for successive requests. */
export class FaultPlan {
  private random: () => number;
  private config: FaultConfig;
  private skip: number;
  private rotation: FaultKind[] = [];

  constructor(config: FaultConfig = { rate: 0 }) {
    this.config = config;
    this.random = seededRandom(config.seed ?? 1);
    this.skip = config.skipFirst ?? 0;
  }

  /** Replaces the configuration and restarts the sequence. */
  set(config: FaultConfig): void {
    this.config = config;
    this.rotation = [];
    this.random = seededRandom(config.seed ?? 1);
    this.skip = config.skipFirst ?? 0;
  }

  get retryAfterSeconds(): number {
    return this.config.retryAfterSeconds ?? 1;
  }

  /** The fault for the next request, or null. */
  next(): FaultKind | null {
    if (this.skip > 0) {
      this.skip--;
      return null;
    }
    const kinds = this.config.kinds && this.config.kinds.length ? this.config.kinds : ALL_FAULT_KINDS;
    if (this.config.rate <= 0) return null;
    if (this.random() >= this.config.rate) return null;
    // Kinds rotate through a seeded shuffle, so every kind shows up once per `kinds.length` faults.
    if (this.rotation.length === 0) {
      this.rotation = [...kinds];
      for (let i = this.rotation.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [this.rotation[i], this.rotation[j]] = [this.rotation[j]!, this.rotation[i]!];
      }
    }
    return this.rotation.shift() ?? null;
  }

  /** A deterministic choice among `n` variants. */
  variant(n: number): number {
    return Math.floor(this.random() * n);
  }
}
