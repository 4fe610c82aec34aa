/**
 * Reading records: keyset-paged `query` reads, partitioned reads, counts, keys, deletions, lookup.
 *
 * Paging (intacct-xml.md §4.3): each page re-runs the query, so offset paging skips or repeats rows
 * when data changes between pages. We page by keyset instead: ordered by WHENMODIFIED then
 * RECORDNO, the next page asks for rows after the last row's (WHENMODIFIED, RECORDNO), offset stays
 * 0, and an upper bound (`until`, the run start) keeps rows changed during the read for the next
 * run. Every page is therefore a safe resume point. pagesize 2000 is the `query` maximum (§4.3, §6).
 */
import type { QueryFilter, QuerySpec } from './query-builder';
import { buildQuery, f } from './query-builder';
import { lookupFunction } from './request-envelope';
import { recordValue, type DataBlock, type IntacctResult } from './response-parser';
import { RowConverter } from './row-builder';
import type { RecordBuilder } from './flat-records';
export { compileRowBuilder, type RowBuilder } from './row-builder';
import { compileColumn, toIntacctDate, type ZoneConverter } from './intacct-values';
import { ApiError, ConnectorError } from '../errors';
import { IntacctError, IntacctPermissionError, type IntacctErrorInfo } from './intacct-errors';
import type { FixedFilter, Row } from '../streams/types';
import type { DeletedRecord, FieldInfo, KeysetCursor, Page, ReadSpec, SkippedAuditWindow } from './intacct-types';
import type { Clock } from '../clock';

export const WHENMODIFIED = 'WHENMODIFIED';
export const RECORDNO = 'RECORDNO';
export const DEFAULT_PAGE_SIZE = 2000;
export const DEFAULT_MAX_PAGES = 100_000;

/** What the reader needs from the client. */
export interface ReaderContext {
  /**
   * Runs one function (with session, retries, events) and returns its successful result; `build`
   * makes the typed rows of a flat page while it is parsed (response-parser.ts ParseOptions).
   */
  execute(operation: string, functionBody: string, signal?: AbortSignal, parse?: { build?: RecordBuilder }): Promise<IntacctResult>;
  zone(signal?: AbortSignal): Promise<ZoneConverter>;
  /** True at the top level of a company: ask for private entities' records too (§3.3). */
  showPrivate: boolean;
  /** Requests allowed in flight at once (the semaphore's limit). */
  concurrency: number;
  /** The client's clock: today for date partitions, pauses after front-door timeouts. */
  clock: Pick<Clock, 'now' | 'sleep'>;
}

/**
 * Keyset position. `recordNo` is RECORDNO's text exactly as Intacct sent it: an integer on most
 * objects, a composite string on GLDETAIL (`3220-55186-27290--accrual`, docs/reference/
 * intacct-objects.md "RECORDNO"). It goes back into the filter as text, so Intacct compares it by
 * the field's own type; we never parse or order it ourselves.
 */
interface InternalCursor {
  whenModified: number | null;
  recordNo: string;
}

/** What one keyset read covers: changed rows (by WHENMODIFIED), or rows whose WHENMODIFIED is empty. */
type ReadMode = 'changed' | 'nullWhenModified';

/** Builds the filter of one page of a read. */
export function buildReadFilter(spec: ReadSpec, cursor: InternalCursor | null, useLookback: boolean, zone: ZoneConverter, mode: ReadMode = 'changed'): QueryFilter | null {
  const parts: (QueryFilter | null)[] = [];
  for (const fixed of spec.filters ?? []) parts.push(fixedFilter(fixed));
  if (mode === 'nullWhenModified') {
    // Production connectors report records created with an empty WHENMODIFIED (intacct-xml.md §9,
    // Estuary PR #4465): no WHENMODIFIED window ever matches them, so they get a pass of their own,
    // keyed by RECORDNO alone.
    parts.push(f.isNull(WHENMODIFIED));
    if (cursor) parts.push(f.gt(RECORDNO, cursor.recordNo));
  } else if (cursor && cursor.whenModified !== null) {
    if (useLookback && spec.lookbackMs && spec.lookbackMs > 0) {
      // With a look-back the tie-break is moot: re-read everything from (cursor − look-back).
      parts.push(f.gte(WHENMODIFIED, zone.toIntacct(cursor.whenModified - spec.lookbackMs)));
    } else {
      const t = zone.toIntacct(cursor.whenModified);
      parts.push(f.or(f.gt(WHENMODIFIED, t), f.and(f.eq(WHENMODIFIED, t), f.gt(RECORDNO, cursor.recordNo))));
    }
  } else if (mode === 'changed' && spec.until === undefined) {
    // Rows with an empty WHENMODIFIED belong to their own pass: read here too, they would come
    // twice, and a page ending on one would have no WHENMODIFIED to continue from.
    parts.push(f.isNotNull(WHENMODIFIED));
  }
  if (mode === 'changed' && spec.until !== undefined) parts.push(f.lte(WHENMODIFIED, zone.toIntacct(spec.until)));
  parts.push(...rangeParts(spec));
  return f.and(...parts);
}

/** The read's date and RECORDNO ranges, whatever its WHENMODIFIED window. */
function rangeParts(spec: ReadSpec): QueryFilter[] {
  const parts: QueryFilter[] = [];
  if (spec.dateRange) {
    const { column, from, to, before, isNull } = spec.dateRange;
    if (isNull) parts.push(f.isNull(column));
    if (from) parts.push(f.gte(column, toIntacctDate(from)));
    if (to) parts.push(f.lte(column, toIntacctDate(to)));
    if (before) parts.push(f.lt(column, toIntacctDate(before)));
  }
  if (spec.recordNoRange) {
    parts.push(f.gte(RECORDNO, String(spec.recordNoRange.from)));
    parts.push(f.lte(RECORDNO, String(spec.recordNoRange.to)));
  }
  return parts;
}

function fixedFilter(x: FixedFilter): QueryFilter {
  if (typeof x.value === 'string') {
    return x.op === 'in' ? f.in(x.field, [x.value]) : { op: x.op, field: x.field, value: x.value };
  }
  const values = x.value as readonly string[];
  if (x.op === 'in') return f.in(x.field, values);
  if (x.op === 'notequalto') return { op: 'notin', field: x.field, values };
  return values.length === 1 ? f.eq(x.field, values[0]!) : f.in(x.field, values);
}

/** A read prepared once: selected fields and compiled converters. */
class PreparedRead {
  readonly fields: string[];

  /** `rows` is shared by reads of the same columns (partitions, splits), so its builders stay hot. */
  constructor(
    readonly spec: ReadSpec,
    readonly zone: ZoneConverter,
    readonly rows: RowConverter = new RowConverter(spec.columns, spec.columns.map((c) => compileColumn(c, zone))),
  ) {
    const fields = new Set(spec.columns.map((c) => c.source));
    fields.add(RECORDNO);
    fields.add(WHENMODIFIED);
    this.fields = [...fields];
  }

  query(cursor: InternalCursor | null, first: boolean, showPrivate: boolean, mode: ReadMode, pageSize: number): QuerySpec {
    return {
      object: this.spec.object,
      fields: this.fields,
      filter: buildReadFilter(this.spec, cursor, first, this.zone, mode),
      // Without <orderby> Intacct returns rows in no stable order (intacct-exchanges.md §4), so every
      // keyset page is ordered by the keys its next filter continues from.
      orderBy: mode === 'changed' ? [{ field: WHENMODIFIED }, { field: RECORDNO }] : [{ field: RECORDNO }],
      ...(showPrivate ? { showPrivate: true } : {}),
      pageSize,
      offset: 0,
    };
  }

  /** Converts a page's records to typed rows (by position when the scanner gave a table); the hot loop of every read. */
  convert(data: DataBlock): Row[] {
    if (data.table) return this.rows.fromTable(data.table);
    const buildRow = this.rows.fromRecord;
    const records = data.records;
    const rows: Row[] = new Array(records.length);
    for (let r = 0; r < records.length; r++) rows[r] = buildRow(records[r]!);
    return rows;
  }

  /** The keyset position of the page's last record. */
  lastKey(data: DataBlock): InternalCursor {
    const table = data.table;
    if (!table) {
      const last = data.records[data.records.length - 1]!;
      return this.keyOf(recordValue(last, RECORDNO), recordValue(last, WHENMODIFIED));
    }
    const values = table.last ?? [];
    // As recordValue reads a flat record: an absent or empty element is null.
    const at = (field: string) => {
      const k = table.fields.indexOf(field);
      return k < 0 || values[k] === '' ? null : values[k]!;
    };
    return this.keyOf(at(RECORDNO), at(WHENMODIFIED));
  }

  private keyOf(recordNo: string | null, wm: string | null): InternalCursor {
    if (recordNo === null || recordNo.trim() === '') {
      throw new ApiError({ service: 'intacct', code: 'BAD_VALUE', userMessage: `Intacct returned a ${this.spec.object} record without a RECORDNO.` });
    }
    if (wm === null) return { whenModified: null, recordNo };
    const ms = this.zone.toUtcMs(wm);
    if (ms === null) {
      throw new ApiError({
        service: 'intacct',
        code: 'BAD_VALUE',
        userMessage: `Intacct returned WHENMODIFIED '${wm.slice(0, 40)}' for ${this.spec.object}, which is not MM/DD/YYYY HH:MM:SS. Set the Intacct API user's date format to MM/DD/YYYY and a 24-hour clock.`,
      });
    }
    return { whenModified: ms, recordNo };
  }
}

/**
 * Whether a page's last key fails to move past the cursor (a read that would repeat forever).
 * Only what holds under any collation is checked: the same key again, or an earlier WHENMODIFIED.
 */
function doesNotAdvance(last: InternalCursor, cursor: InternalCursor, mode: ReadMode): boolean {
  if (last.recordNo === cursor.recordNo && last.whenModified === cursor.whenModified) return true;
  return mode === 'changed' && last.whenModified !== null && cursor.whenModified !== null && last.whenModified < cursor.whenModified;
}

function publicCursor(c: InternalCursor): KeysetCursor {
  return { whenModified: c.whenModified ?? 0, recordNo: c.recordNo };
}

/** Smallest page asked for after Intacct's front door timed out on larger ones (HTTP 524). */
export const MIN_PAGE_SIZE = 100;
/**
 * HTTP 524s in a row on a page already at the smallest size before the read gives up. A page that
 * small is not what made Intacct slow, so it is asked for again, after a pause that gives the
 * abandoned query time to finish (the JS SDK's reason for never resending a 524 as is).
 */
export const MAX_TIMEOUTS_AT_MIN_PAGE = 3;
export const TIMEOUT_PAUSE_MS = 1_000;

/** State of one keyset-paged read (one partition, or the empty-WHENMODIFIED pass). */
class KeysetRead {
  cursor: InternalCursor | null;
  first = true;
  done = false;
  pageNo = 0;
  totalCount: number | null = null;
  pageSize: number;
  /** The cursor handed to the consumer with null-pass pages: where the changed rows' read ended. */
  resumeAt: KeysetCursor | null = null;

  constructor(private readonly ctx: ReaderContext, public prepared: PreparedRead, readonly mode: ReadMode = 'changed') {
    this.cursor = mode === 'changed' && prepared.spec.since ? { whenModified: prepared.spec.since.whenModified, recordNo: String(prepared.spec.since.recordNo) } : null;
    this.pageSize = prepared.spec.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /**
   * Splits off the later half of this read's date range (when it has one of two days or more).
   * Both halves keep the same keyset cursor, so together they still return exactly the rows this
   * read had left: the cursor excludes what was read, the ranges partition what remains.
   */
  split(): KeysetRead | null {
    const range = this.prepared.spec.dateRange;
    if (this.done || !range || range.isNull || !range.from) return null;
    const end = range.before ?? this.prepared.spec.openEndSplitAt;
    if (!end) return null;
    const days = dayDiff(range.from, end);
    if (days < 2) return null;
    const mid = addDays(range.from, Math.floor(days / 2));
    const zone = this.prepared.zone;
    const rowConverter = this.prepared.rows;
    const upperRange = range.before ? { ...range, from: mid } : { ...range, from: end };
    const lowerRange = range.before ? { ...range, before: mid } : { ...range, before: end };
    const upper = new KeysetRead(this.ctx, new PreparedRead({ ...this.prepared.spec, dateRange: upperRange }, zone, rowConverter), this.mode);
    this.prepared = new PreparedRead({ ...this.prepared.spec, dateRange: lowerRange }, zone, rowConverter);
    upper.cursor = this.cursor && { ...this.cursor };
    upper.first = this.first;
    upper.pageNo = this.pageNo;
    upper.totalCount = this.totalCount;
    upper.pageSize = this.pageSize;
    return upper;
  }

  /** Fetches, checks and converts the next page; null when the read is finished. */
  async next(signal?: AbortSignal): Promise<Page | null> {
    if (this.done) return null;
    const spec = this.prepared.spec;
    const maxPages = spec.maxPages ?? DEFAULT_MAX_PAGES;
    if (this.pageNo >= maxPages) {
      throw new ApiError({
        service: 'intacct',
        code: 'RUNAWAY_READ',
        userMessage: `Reading ${spec.object} stopped after ${maxPages} pages, more than expected. Narrow the read (date range) or contact support.`,
      });
    }
    let result: IntacctResult;
    let timeoutsAtMin = 0;
    for (;;) {
      const body = buildQuery(this.prepared.query(this.cursor, this.first, this.ctx.showPrivate, this.mode, this.pageSize));
      try {
        result = await this.ctx.execute(`query ${spec.object}`, body, signal, { build: this.prepared.rows.builder });
        break;
      } catch (err) {
        // A heavy page can time out at Intacct's front door (HTTP 524, response-parser.ts): ask for
        // half as many rows; at the smallest page, ask again after a pause, a few times at most.
        if (!(err instanceof ConnectorError && err.code === 'HTTP_524')) throw err;
        if (this.pageSize > MIN_PAGE_SIZE) {
          this.pageSize = Math.max(MIN_PAGE_SIZE, Math.floor(this.pageSize / 2));
          continue;
        }
        if (++timeoutsAtMin > MAX_TIMEOUTS_AT_MIN_PAGE) throw err;
        await this.ctx.clock.sleep(TIMEOUT_PAUSE_MS * timeoutsAtMin, signal);
      }
    }
    const data = result.data;
    const table = data?.table;
    const count = table ? (table.built ?? table.rows).length : (data?.records.length ?? 0);
    if (this.first) this.totalCount = data?.totalCount ?? null;
    this.first = false;
    if (!data || count === 0) {
      this.done = true;
      return null;
    }
    const last = this.prepared.lastKey(data);
    if (this.cursor && doesNotAdvance(last, this.cursor, this.mode) && !(this.mode === 'changed' && spec.lookbackMs && this.pageNo === 0)) {
      // singer-sdk's "Loop detected in pagination": a page that does not move the key forward would repeat forever.
      throw new ApiError({
        service: 'intacct',
        code: 'LOOP_DETECTED',
        userMessage: `Reading ${spec.object} stopped: loop detected (a page did not advance past RECORDNO ${this.cursor.recordNo}). Intacct may be ignoring the filter; contact support.`,
      });
    }
    this.cursor = last;
    this.pageNo++;
    const remaining = data?.numRemaining;
    this.done = remaining !== null && remaining !== undefined ? remaining <= 0 : count < this.pageSize;
    const rows = this.prepared.convert(data);
    const cursor = this.mode === 'changed' ? publicCursor(last) : (this.resumeAt ?? publicCursor({ whenModified: spec.since?.whenModified ?? 0, recordNo: String(spec.since?.recordNo ?? '') }));
    return { rows, cursor, totalCount: this.totalCount, pageNo: this.pageNo };
  }
}

const DAY = 86_400_000;
const dayMs = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);
function dayDiff(from: string, to: string): number {
  return Math.round((dayMs(to) - dayMs(from)) / DAY);
}
function addDays(d: string, n: number): string {
  return dayText(dayMs(d) + n * DAY);
}

/**
 * Lazy keyset-paged read: one request per page, made when the consumer asks for it. After the
 * changed rows come the rows whose WHENMODIFIED is empty (their pages carry the changed rows' last
 * cursor, so a checkpoint never moves back).
 */
export async function* readChanged(ctx: ReaderContext, spec: ReadSpec, signal?: AbortSignal): AsyncGenerator<Page> {
  const prepared = new PreparedRead(spec, await ctx.zone(signal));
  const read = new KeysetRead(ctx, prepared);
  let resumeAt: KeysetCursor | null = spec.since ?? null;
  for (;;) {
    const page = await read.next(signal);
    if (!page) break;
    resumeAt = page.cursor;
    yield page;
  }
  yield* readNullWhenModified(ctx, spec, prepared, read.pageSize, resumeAt, signal);
}

/**
 * The pass over rows whose WHENMODIFIED is empty, after a read of the changed rows (buildReadFilter).
 * It starts at the page size the front door let through (same fields, same weight per row), and
 * its pages carry `resumeAt`, the changed rows' last cursor.
 */
async function* readNullWhenModified(
  ctx: ReaderContext, spec: ReadSpec, like: PreparedRead, pageSize: number, resumeAt: KeysetCursor | null, signal?: AbortSignal,
): AsyncGenerator<Page> {
  const nulls = new KeysetRead(ctx, new PreparedRead(spec, like.zone, like.rows), 'nullWhenModified');
  nulls.resumeAt = resumeAt;
  nulls.pageSize = pageSize;
  for (let page = await nulls.next(signal); page; page = await nulls.next(signal)) yield page;
}

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
  const end = addDays(dayText(Math.floor(untilMs / DAY) * DAY), 1);
  const days = Math.max(0, dayDiff(from, end));
  const parts = Math.max(1, Math.min(Math.floor(n), days || 1));
  const out: ReadSpec[] = [];
  let at = from;
  for (let k = 1; k < parts; k++) {
    const next = addDays(from, Math.round((days * k) / parts));
    if (next > at) out.push({ ...spec, dateRange: { column: dateColumn, from: at, before: next } });
    at = next;
  }
  out.push({ ...spec, dateRange: { column: dateColumn, from: at, ...(spec.dateRange?.to ? { to: spec.dateRange.to } : {}) }, openEndSplitAt: at < end ? end : undefined });
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
    throw new ApiError({ service: 'intacct', code: 'BAD_VALUE', userMessage: `Intacct returned ${dateColumn} '${raw.slice(0, 40)}' for ${spec.object}, which is not MM/DD/YYYY.` });
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
    from === null ? [] : datePartitions({ ...spec, dateRange: { ...(spec.dateRange ?? { column: dateColumn }), column: dateColumn, from } }, dateColumn, spec.until ?? ctx.clock.now(), partitions);
  // Rows without a date are read even when no row has one.
  if (!spec.dateRange?.from) specs.push({ ...spec, dateRange: { column: dateColumn, isNull: true } });
  const idle = specs.map((p) => new KeysetRead(ctx, new PreparedRead(p, zone, rowConverter)));

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
      read.next(internal.signal).then(
        (page) => {
          inflight--;
          pageSize = Math.min(pageSize, read.pageSize);
          if (page) ready.push({ ...page, totalCount: null });
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
  for await (const page of readNullWhenModified(ctx, spec, new PreparedRead(spec, zone, rowConverter), pageSize, null, signal)) yield { ...page, totalCount: null };
}

/** The first row's `field` (ordered by it) and the matching total: one one-row query. */
async function firstValue(ctx: ReaderContext, spec: ReadSpec, field: string, filter: QueryFilter | null, descending: boolean, signal?: AbortSignal) {
  const body = buildQuery({
    object: spec.object,
    fields: [field],
    filter,
    orderBy: [{ field, descending }],
    ...(ctx.showPrivate ? { showPrivate: true } : {}),
    pageSize: 1,
    offset: 0,
  });
  const result = await ctx.execute(`query ${spec.object}`, body, signal);
  const rec = result.data?.records[0];
  const data = result.data;
  const total = data?.totalCount ?? (data ? (data.count ?? 0) + (data.numRemaining ?? 0) : 0);
  return { value: rec ? recordValue(rec, field) : null, total };
}

async function firstRecordNo(ctx: ReaderContext, spec: ReadSpec, filter: QueryFilter | null, descending: boolean, signal?: AbortSignal) {
  const { value: rn, total } = await firstValue(ctx, spec, RECORDNO, filter, descending, signal);
  if (rn !== null && !/^\d+$/.test(rn)) {
    // GLDETAIL's RECORDNO is text (intacct-objects.md): it has no numeric bounds to split.
    throw new ApiError({ service: 'intacct', code: 'TEXT_RECORDNO', userMessage: `${spec.object} keys are text (RECORDNO '${rn.slice(0, 40)}'), so they have no numeric range; read it by date partitions instead.` });
  }
  return { recordNo: rn === null ? null : Number(rn), total };
}

/**
 * Rows the read returns: those matching its first-page filter plus those with an empty
 * WHENMODIFIED (one query: the two filters joined by `or`), as Intacct's totalcount.
 */
export async function count(ctx: ReaderContext, spec: ReadSpec, signal?: AbortSignal): Promise<number> {
  const zone = await ctx.zone(signal);
  const changed = buildReadFilter({ ...spec, filters: [], dateRange: undefined, recordNoRange: undefined }, toInternal(spec.since ?? null), true, zone);
  const nulls = f.isNull(WHENMODIFIED);
  const window = f.and(...(spec.filters ?? []).map(fixedFilter), ...rangeParts(spec));
  const filter = f.and(window, changed ? f.or(changed, nulls) : null);
  return (await firstValue(ctx, spec, RECORDNO, filter, false, signal)).total;
}

function toInternal(c: KeysetCursor | null | undefined): InternalCursor | null {
  return c ? { whenModified: c.whenModified, recordNo: String(c.recordNo) } : null;
}

/**
 * Smallest and largest RECORDNO (and the count) matching the read. Two one-row queries ordered
 * both ways: documented behaviour only (the aggregate result shape is UNCONFIRMED).
 */
export async function recordNoBounds(ctx: ReaderContext, spec: ReadSpec, signal?: AbortSignal): Promise<{ min: number; max: number; count: number }> {
  const zone = await ctx.zone(signal);
  const filter = buildReadFilter(spec, toInternal(spec.since ?? null), true, zone);
  const low = await firstRecordNo(ctx, spec, filter, false, signal);
  if (low.recordNo === null || low.total === 0) return { min: 0, max: 0, count: 0 };
  const high = await firstRecordNo(ctx, spec, filter, true, signal);
  return { min: low.recordNo, max: high.recordNo ?? low.recordNo, count: low.total };
}

/** RECORDNOs only, keyset-paged on RECORDNO, for key reconciliation. */
export async function* readKeys(ctx: ReaderContext, object: string, filters: readonly FixedFilter[], signal?: AbortSignal, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<string[]> {
  // Keys as Intacct sends them (text on GLDETAIL), compared by Intacct in the filter.
  let after: string | null = null;
  for (let pageNo = 0; ; pageNo++) {
    if (pageNo >= DEFAULT_MAX_PAGES) {
      throw new ApiError({ service: 'intacct', code: 'RUNAWAY_READ', userMessage: `Reading ${object} keys stopped after ${DEFAULT_MAX_PAGES} pages.` });
    }
    const filter = f.and(...filters.map(fixedFilter), after === null ? null : f.gt(RECORDNO, after));
    const body = buildQuery({
      object,
      fields: [RECORDNO],
      filter,
      orderBy: [{ field: RECORDNO }],
      ...(ctx.showPrivate ? { showPrivate: true } : {}),
      pageSize,
      offset: 0,
    });
    const result = await ctx.execute(`query ${object}`, body, signal);
    const keys: string[] = [];
    for (const rec of result.data?.records ?? []) {
      const v = recordValue(rec, RECORDNO);
      if (v !== null && v !== '') keys.push(v);
    }
    if (keys.length === 0) return;
    const last = keys[keys.length - 1]!;
    if (after !== null && last === after) {
      throw new ApiError({ service: 'intacct', code: 'LOOP_DETECTED', userMessage: `Reading ${object} keys stopped: loop detected at RECORDNO ${after}.` });
    }
    after = last;
    yield keys;
    const remaining = result.data?.numRemaining;
    if (remaining !== null && remaining !== undefined ? remaining <= 0 : keys.length < pageSize) return;
  }
}

/** `OBJECTKEY` may carry a suffix such as `123--REC` (Estuary, §5): the leading number. */
export function parseObjectKey(key: string | null): number | null {
  if (key === null) return null;
  const m = /^\s*(\d+)/.exec(key);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

/** A window of AUDITHISTORY that kept failing and was skipped. */
export type SkippedWindow = SkippedAuditWindow;

/** AUDITHISTORY windows narrower than this are skipped rather than split again. */
export const MIN_AUDIT_WINDOW_MS = 60_000;

/**
 * Deletions recorded in AUDITHISTORY since `sinceMs` (§5 "Deletes"): OBJECTTYPE lower-case,
 * ACCESSMODE 'D' (single letters in `query`). Offset paging is safe here because the audit trail is
 * append-only and ordered by ACCESSTIME. A permission failure (or an unknown object) becomes
 * IntacctPermissionError code 'AUDIT_NOT_PERMITTED'.
 *
 * Some AUDITHISTORY pages keep answering "There was an error processing the request" (hotglue
 * skips them, intacct-xml.md §2.4): after the client's retries the window is cut in two and each
 * half read on its own; a window of a minute or less that still fails is skipped and reported
 * through `onSkipped`, so the caller can find those deletions another way (key reconciliation).
 */
export async function* readDeleted(
  ctx: ReaderContext,
  objectType: string,
  sinceMs: number,
  signal?: AbortSignal,
  pageSize = DEFAULT_PAGE_SIZE,
  onSkipped?: (w: SkippedWindow) => void,
): AsyncGenerator<DeletedRecord[]> {
  const zone = await ctx.zone(signal);
  const windows: { from: number; to: number | null }[] = [{ from: sinceMs, to: null }];
  while (windows.length) {
    const w = windows.shift()!;
    try {
      yield* readDeletedWindow(ctx, zone, objectType, w.from, w.to, pageSize, signal);
    } catch (err) {
      const persistent = err instanceof ConnectorError && err.code === 'SERVER_ERROR';
      if (!persistent) throw err;
      const to = w.to ?? ctx.clock.now();
      if (to - w.from > MIN_AUDIT_WINDOW_MS) {
        const mid = w.from + Math.floor((to - w.from) / 2000) * 1000;
        windows.unshift({ from: w.from, to: mid }, { from: mid, to: w.to });
      } else {
        onSkipped?.({ objectType, from: w.from, to, reason: (err as ConnectorError).userMessage });
      }
    }
  }
}

async function* readDeletedWindow(
  ctx: ReaderContext, zone: ZoneConverter, objectType: string, from: number, to: number | null, pageSize: number, signal?: AbortSignal,
): AsyncGenerator<DeletedRecord[]> {
  const filter = f.and(
    f.eq('OBJECTTYPE', objectType.toLowerCase()),
    f.eq('ACCESSMODE', 'D'),
    f.gt('ACCESSTIME', zone.toIntacct(from)),
    to === null ? null : f.lte('ACCESSTIME', zone.toIntacct(to)),
  );
  let offset = 0;
  for (let pageNo = 0; ; pageNo++) {
    if (pageNo >= DEFAULT_MAX_PAGES) {
      throw new ApiError({ service: 'intacct', code: 'RUNAWAY_READ', userMessage: `Reading deletions of ${objectType} stopped after ${DEFAULT_MAX_PAGES} pages.` });
    }
    const body = buildQuery({
      object: 'AUDITHISTORY',
      fields: ['OBJECTKEY', 'ACCESSTIME'],
      filter,
      orderBy: [{ field: 'ACCESSTIME' }, { field: 'OBJECTKEY' }],
      ...(ctx.showPrivate ? { showPrivate: true } : {}),
      pageSize,
      offset,
    });
    let result: IntacctResult;
    try {
      result = await ctx.execute('query AUDITHISTORY', body, signal);
    } catch (err) {
      throw auditNotPermitted(err, objectType) ?? err;
    }
    const records = result.data?.records ?? [];
    const out: DeletedRecord[] = [];
    for (const rec of records) {
      const recordNo = parseObjectKey(recordValue(rec, 'OBJECTKEY'));
      const at = recordValue(rec, 'ACCESSTIME');
      const deletedAt = at === null ? null : zone.toUtcMs(at);
      if (recordNo !== null && deletedAt !== null) out.push({ recordNo, deletedAt });
    }
    if (records.length === 0) return;
    if (out.length) yield out;
    offset += records.length;
    const remaining = result.data?.numRemaining;
    if (remaining !== null && remaining !== undefined ? remaining <= 0 : records.length < pageSize) return;
  }
}

function auditNotPermitted(err: unknown, objectType: string): IntacctPermissionError | null {
  if (!(err instanceof ConnectorError)) return null;
  const denied = err instanceof IntacctPermissionError || err.code === 'OBJECT_NOT_FOUND' || err.code === 'PERMISSION_DENIED';
  if (!denied) return null;
  const info: IntacctErrorInfo =
    err instanceof IntacctError
      ? err
      : { level: 'result', errorno: '', description: '', description2: err.userMessage, correction: '', errors: [] };
  return new IntacctPermissionError({
    info,
    code: 'AUDIT_NOT_PERMITTED',
    userMessage:
      `The Intacct API user cannot read the audit history (AUDITHISTORY) for ${objectType}, so records deleted in Intacct ` +
      'will not be removed from Tableau until a full reload. Give the API user permission to view the audit trail to fix this.',
    cause: err,
  });
}

/** An object's fields from `lookup` (custom fields carry ISCUSTOM=true; relationships attach to the field they relate by). */
export async function lookup(ctx: ReaderContext, object: string, signal?: AbortSignal): Promise<FieldInfo[]> {
  const result = await ctx.execute(`lookup ${object}`, lookupFunction(object), signal);
  const type = result.data?.records[0] ?? {};
  const fieldsNode = obj(type['Fields']);
  const relNode = obj(type['Relationships']);
  const fields = arr(fieldsNode?.['Field']);
  const rels = arr(relNode?.['Relationship']);
  const relBy = new Map<string, FieldInfo['relationship']>();
  for (const r of rels) {
    const relatedBy = text(r['RELATEDBY']);
    const rel = {
      objectPath: text(r['OBJECTPATH']),
      objectName: text(r['OBJECTNAME']),
      ...(text(r['RELATIONSHIPTYPE']) ? { type: text(r['RELATIONSHIPTYPE']) } : {}),
      ...(relatedBy ? { relatedBy } : {}),
    };
    if (relatedBy && !relBy.has(relatedBy)) relBy.set(relatedBy, rel);
  }
  return fields
    .map((fl) => {
      const id = text(fl['ID']);
      const rel = relBy.get(id);
      const info: FieldInfo = {
        id,
        label: text(fl['LABEL']) || id,
        type: text(fl['DATATYPE']),
        isCustom: /^(true|t|1)$/i.test(text(fl['ISCUSTOM'])),
        ...(rel ? { relationship: rel } : {}),
      };
      return info;
    })
    .filter((x) => x.id);
}

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
function arr(v: unknown): Record<string, unknown>[] {
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map((x) => obj(x) ?? {});
}
function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
