/**
 * Full reads by date partitions, pipelined: several keyset reads (keyset-read.ts) of contiguous
 * date ranges, interleaved so a request is on the wire while the last answer is parsed.
 */
import { f } from './query-builder';
import { ApiError } from '../errors';
import type { Page, ReadSpec } from './intacct-types';
import { addDays, dayDiff, dayText, DAY_MS } from './calendar-days';
import { pageLoop } from './page-loop';
import { fixedFilter } from './read-filter';
import { firstValue } from './read-probes';
import { DEFAULT_PAGE_SIZE, KeysetRead, PreparedRead, readChanged, readNullWhenModified, type ReaderContext } from './keyset-read';

/** Splits [min, max] into at most `n` contiguous inclusive ranges. */
export function splitRange(min: number, max: number, n: number): { from: number; to: number }[] {
  if (!(Number.isSafeInteger(min) && Number.isSafeInteger(max)) || max < min) return [];
  const span = max - min + 1;
  const parts = Math.max(1, Math.min(Math.floor(n), span));
  const size = Math.ceil(span / parts);
  const out: { from: number; to: number }[] = [];
  for (let from = min; from <= max; from += size) out.push({ from, to: Math.min(max, from + size - 1) });
  return out;
}

/** Where date partitions start when the read has no start date (earliest books an Intacct company loads). */
export const EARLIEST_DATE = '1990-01-01';

/**
 * The date partitions of a full read: `n` contiguous ranges of `dateColumn` from the read's start
 * date, the last one open-ended (GL lines can be dated after today), plus the rows with no date.
 * Together they cover every row exactly once, whatever the keys look like (GLDETAIL's text
 * RECORDNOs cannot be split into numeric ranges).
 */
export function datePartitions(spec: ReadSpec, dateColumn: string, untilMs: number, n: number): ReadSpec[] {
  const from = spec.dateRange?.from ?? EARLIEST_DATE;
  const end = addDays(dayText(Math.floor(untilMs / DAY_MS) * DAY_MS), 1);
  const days = Math.max(0, dayDiff(from, end));
  const parts = Math.max(1, Math.min(Math.floor(n), days || 1));
  const out: ReadSpec[] = [];
  let at = from;
  for (let k = 1; k < parts; k++) {
    const next = addDays(from, Math.round((days * k) / parts));
    if (next > at) out.push({ ...spec, dateRange: { column: dateColumn, from: at, before: next } });
    at = next;
  }
  out.push({
    ...spec,
    dateRange: { column: dateColumn, from: at, ...(spec.dateRange?.to ? { to: spec.dateRange.to } : {}) },
    openEndSplitAt: at < end ? end : undefined,
  });
  return out;
}

/**
 * The earliest `dateColumn` value the read holds (`YYYY-MM-DD`), or null when no row has one: one
 * row ordered by that column, a documented query (an aggregate's answer shape is UNCONFIRMED).
 */
async function earliestDate(ctx: ReaderContext, spec: ReadSpec, dateColumn: string, signal?: AbortSignal): Promise<string | null> {
  const raw = (await firstValue(ctx, spec, dateColumn, f.and(...(spec.filters ?? []).map(fixedFilter), f.isNotNull(dateColumn)), false, signal)).value;
  if (raw === null) return null;
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(raw.trim());
  if (!m) {
    throw new ApiError({
      service: 'intacct',
      code: 'BAD_VALUE',
      userMessage: `Intacct returned ${dateColumn} '${raw.slice(0, 40)}' for ${spec.object}, which is not MM/DD/YYYY.`,
    });
  }
  return `${m[3]}-${m[1]}-${m[2]}`;
}

/**
 * Reads date partitions with requests pipelined: up to concurrency + 1 requests are started
 * (the extra one waits at the semaphore), so when an answer arrives the next request goes on the
 * wire at once and parsing overlaps the wait. Pages ready or in flight never exceed
 * concurrency + 1 besides the one the consumer holds, so memory stays flat whatever the row count.
 * Page cursors are per partition (not a resume point for the whole read); totalCount is null.
 * Rows with an empty WHENMODIFIED come last, in one pass over the whole read.
 */
export async function* readPartitioned(ctx: ReaderContext, spec: ReadSpec, partitions: number, signal?: AbortSignal): AsyncGenerator<Page> {
  const zone = await ctx.zone(signal);
  const dateColumn = spec.partitionColumn ?? spec.dateRange?.column;
  if (!dateColumn) {
    yield* readChanged(ctx, spec, signal);
    return;
  }
  const rowConverter = new PreparedRead(spec, zone).rows;
  // Without a start date, the partitions start at the earliest date the read holds (one request).
  const from = spec.dateRange?.from ?? (await earliestDate(ctx, spec, dateColumn, signal));
  const specs =
    from === null
      ? []
      : datePartitions(
          { ...spec, dateRange: { ...(spec.dateRange ?? { column: dateColumn }), column: dateColumn, from } },
          dateColumn,
          spec.until ?? ctx.clock.now(),
          partitions,
        );
  // Rows without a date are read even when no row has one.
  if (!spec.dateRange?.from) specs.push({ ...spec, dateRange: { column: dateColumn, isNull: true } });
  const idle = specs.map((p) => new KeysetRead(ctx, new PreparedRead(p, zone, rowConverter)));
  // Each partition's pages come from its own page loop; a split-off half gets one when first asked.
  const loops = new Map<KeysetRead, AsyncGenerator<Page>>();

  const internal = new AbortController();
  const onAbort = () => internal.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const concurrency = Math.max(1, ctx.concurrency);
  const maxOutstanding = concurrency + 1;
  const maxHeld = concurrency + 1;
  const ready: Page[] = [];
  let inflight = 0;
  // The page size the front door lets through (HTTP 524 narrows it), shared by every partition.
  let pageSize = spec.pageSize ?? DEFAULT_PAGE_SIZE;
  const failed: { error?: unknown; set: boolean } = { set: false };
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const pump = () => {
    // Near the end only one partition may be left, and one partition cannot overlap with itself
    // (its next filter needs its last row): split it so a request can be in flight while it parses.
    if (idle.length === 1 && inflight === 0) {
      const upper = idle[0]!.split();
      if (upper) idle.push(upper);
    }
    while (!failed.set && !internal.signal.aborted && idle.length && inflight < maxOutstanding && ready.length + inflight < maxHeld) {
      const read = idle.shift()!;
      inflight++;
      read.pageSize = Math.min(read.pageSize, pageSize);
      let loop = loops.get(read);
      if (!loop) loops.set(read, (loop = pageLoop(read, internal.signal)));
      loop.next().then(
        (step) => {
          inflight--;
          pageSize = Math.min(pageSize, read.pageSize);
          if (!step.done) ready.push({ ...step.value, totalCount: null });
          if (!read.done) idle.push(read);
          pump();
          notify();
        },
        (error: unknown) => {
          inflight--;
          if (!failed.set) Object.assign(failed, { set: true, error });
          notify();
        },
      );
    }
  };
  try {
    for (;;) {
      pump();
      const page = ready.shift();
      if (page) {
        yield page;
        continue;
      }
      if (failed.set) throw failed.error;
      if (inflight === 0 && idle.length === 0) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (inflight > 0) internal.abort(new Error('read closed'));
  }
  for await (const page of readNullWhenModified(ctx, spec, new PreparedRead(spec, zone, rowConverter), pageSize, null, signal))
    yield { ...page, totalCount: null };
}
