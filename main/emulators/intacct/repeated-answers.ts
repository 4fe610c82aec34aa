/**
 * GL detail answers kept for queries asked again exactly, so a repeated read costs the emulator
 * almost no CPU (option `repeatAnswers`, the CLI's `--repeat-answers`; off by default).
 *
 * Why: scripts/bench-intacct.ts runs the emulator on the same two cores as the client it times.
 * Making a 2,000-row GL page costs the emulator about as much CPU as the client spends reading it,
 * so against a live emulator the client's read is slowed by a server that, in production, runs in
 * Sage's data centre and not on the workstation. The bench reads once live (the answers are kept)
 * and then times the same read again, answered from here.
 *
 * An answer is only reused for the same query (fields, filter, order, page, offset, visibility) of
 * the same ledger: any change to GL detail (`GlLedger.revision`) and any change to the user's
 * formatting makes a new key. Queries without `<orderby>` are never kept (their order is meant to
 * differ from one request to the next). Everything around the data (session check, envelope,
 * control ids, latency, faults) is still done per request.
 */
import type { BodyPart } from './intacct-xml-writer';
import type { ParsedQuery, QueryContext } from './query-engine';

export interface QueryAnswer {
  parts: BodyPart[];
  count: number;
  total: number;
}

/** Total bytes kept before new answers stop being kept (1M GL lines take about 1.5 GB). */
export const DEFAULT_REPEAT_BYTES = 2 * 1024 ** 3;

export class RepeatedAnswers {
  hits = 0;
  misses = 0;
  /**
   * Off: every answer is made and none is kept or reused. The bench reads live with this off: the
   * kept pages (about 1.5 GB for 1M GL lines) cost the emulator's garbage collector ~10 ms per
   * page made (28 against 38.7 ms of CPU per page, 400,000 lines), which would slow the live read
   * it measures; it then turns this on for an untimed read that keeps the pages.
   */
  enabled = true;
  private bytes = 0;
  private readonly answers = new Map<string, QueryAnswer>();

  constructor(private readonly maxBytes = DEFAULT_REPEAT_BYTES) {}

  /** The key of a query, or null when its answer must not be reused. */
  key(q: ParsedQuery, ctx: QueryContext, glRevision: number, formatting: string): string | null {
    if (q.object.name !== 'GLDETAIL' || q.order.length === 0 || q.aggregates.length > 0) return null;
    const { object, ...rest } = q;
    return JSON.stringify([object.name, rest, ctx.locationId ?? '', ctx.offsetMinutes, glRevision, formatting]);
  }

  /** The kept answer for `key`, or the one `make` gives (kept when there is room). */
  answer(key: string | null, make: () => QueryAnswer): QueryAnswer {
    if (key === null || !this.enabled) return make();
    const kept = this.answers.get(key);
    if (kept) {
      this.hits++;
      return kept;
    }
    this.misses++;
    const made = make();
    const size = made.parts.reduce((n, p) => n + (typeof p === 'string' ? p.length * 2 : p.length), 0);
    if (this.bytes + size <= this.maxBytes) {
      this.answers.set(key, made);
      this.bytes += size;
    }
    return made;
  }
}
