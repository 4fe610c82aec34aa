/**
 * One keyset-paged read of records (one date partition, or the empty-WHENMODIFIED pass): the
 * prepared query and converters, and the read's position, driven by the page loop (page-loop.ts).
 * The filter of each page is read-filter.ts's; pagesize 2000 is the `query` maximum
 * (docs/reference/intacct-xml.md §4.3, §6).
 */
import type { QuerySpec } from './query-builder';
import { buildQuery } from './query-builder';
import { recordValue, type DataBlock, type IntacctResult } from './response-parser';
import { RowConverter } from './row-builder';
import { compileColumn, type ZoneConverter } from './intacct-values';
import { ApiError, ConnectorError } from '../errors';
import type { Row } from '../streams/types';
import type { KeysetCursor, Page, ReadSpec } from './intacct-types';
import type { RecordBuilder } from './flat-records';
import type { Clock } from '../clock';
import { addDays, dayDiff } from './calendar-days';
import { DEFAULT_MAX_PAGES, pageLoop, type PagedRead, type TakenPage } from './page-loop';
import { buildReadFilter, publicCursor, RECORDNO, WHENMODIFIED, type InternalCursor, type ReadMode } from './read-filter';

export const DEFAULT_PAGE_SIZE = 2000;

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

/** A read prepared once: selected fields and compiled converters. */
export class PreparedRead {
  readonly fields: string[];

  /** `rows` is shared by reads of the same columns (partitions, splits), so its builders stay hot. */
  constructor(
    readonly spec: ReadSpec,
    readonly zone: ZoneConverter,
    readonly rows: RowConverter = new RowConverter(
      spec.columns,
      spec.columns.map((c) => compileColumn(c, zone)),
    ),
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

/** Smallest page asked for after Intacct's front door timed out on larger ones (HTTP 524). */
export const MIN_PAGE_SIZE = 100;
/**
 * HTTP 524s in a row on a page already at the smallest size before the read gives up. A page that
 * small is not what made Intacct slow, so it is asked for again, after a pause that gives the
 * abandoned query time to finish (the JS SDK's reason for never resending a 524 as is).
 */
export const MAX_TIMEOUTS_AT_MIN_PAGE = 3;
export const TIMEOUT_PAUSE_MS = 1_000;

/** State of one keyset-paged read (one partition, or the empty-WHENMODIFIED pass), for pageLoop. */
export class KeysetRead implements PagedRead<Page> {
  cursor: InternalCursor | null;
  first = true;
  done = false;
  pageNo = 0;
  totalCount: number | null = null;
  pageSize: number;
  /** The cursor handed to the consumer with null-pass pages: where the changed rows' read ended. */
  resumeAt: KeysetCursor | null = null;

  constructor(
    private readonly ctx: ReaderContext,
    public prepared: PreparedRead,
    readonly mode: ReadMode = 'changed',
  ) {
    this.cursor =
      mode === 'changed' && prepared.spec.since ? { whenModified: prepared.spec.since.whenModified, recordNo: String(prepared.spec.since.recordNo) } : null;
    this.pageSize = prepared.spec.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  get what(): string {
    return this.prepared.spec.object;
  }

  get maxPages(): number {
    return this.prepared.spec.maxPages ?? DEFAULT_MAX_PAGES;
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

  /** Asks for the next page; after a front-door timeout, for a smaller one. */
  async fetchPage(signal?: AbortSignal): Promise<IntacctResult> {
    const object = this.prepared.spec.object;
    let timeoutsAtMin = 0;
    for (;;) {
      const body = buildQuery(this.prepared.query(this.cursor, this.first, this.ctx.showPrivate, this.mode, this.pageSize));
      try {
        return await this.ctx.execute(`query ${object}`, body, signal, { build: this.prepared.rows.builder });
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
  }

  /** Checks the page's keys, moves the cursor to its last row and converts its rows. */
  take(result: IntacctResult): TakenPage<Page> | null {
    const spec = this.prepared.spec;
    const data = result.data;
    const table = data?.table;
    const count = table ? (table.built ?? table.rows).length : (data?.records.length ?? 0);
    if (this.first) this.totalCount = data?.totalCount ?? null;
    this.first = false;
    if (!data || count === 0) return null;
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
    const rows = this.prepared.convert(data);
    const cursor =
      this.mode === 'changed'
        ? publicCursor(last)
        : (this.resumeAt ?? publicCursor({ whenModified: spec.since?.whenModified ?? 0, recordNo: String(spec.since?.recordNo ?? '') }));
    return { value: { rows, cursor, totalCount: this.totalCount, pageNo: this.pageNo + 1 }, rows: count };
  }
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
  for await (const page of pageLoop(read, signal)) {
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
export function readNullWhenModified(
  ctx: ReaderContext,
  spec: ReadSpec,
  like: PreparedRead,
  pageSize: number,
  resumeAt: KeysetCursor | null,
  signal?: AbortSignal,
): AsyncGenerator<Page> {
  const nulls = new KeysetRead(ctx, new PreparedRead(spec, like.zone, like.rows), 'nullWhenModified');
  nulls.resumeAt = resumeAt;
  nulls.pageSize = pageSize;
  return pageLoop(nulls, signal);
}
