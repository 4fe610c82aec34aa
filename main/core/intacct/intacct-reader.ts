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
import { recordValue, type IntacctResult } from './response-parser';
import { compileColumn, toIntacctDate, type CellConverter, type ZoneConverter } from './intacct-values';
import { ApiError, ConnectorError } from '../errors';
import { IntacctError, IntacctPermissionError, type IntacctErrorInfo } from './intacct-errors';
import type { CellValue, ColumnDef, FixedFilter, Row } from '../streams/types';
import type { DeletedRecord, FieldInfo, KeysetCursor, Page, ReadSpec } from './intacct-types';

export const WHENMODIFIED = 'WHENMODIFIED';
export const RECORDNO = 'RECORDNO';
export const DEFAULT_PAGE_SIZE = 2000;
export const DEFAULT_MAX_PAGES = 100_000;

/** What the reader needs from the client. */
export interface ReaderContext {
  /** Runs one function (with session, retries, events) and returns its successful result. */
  execute(operation: string, functionBody: string, signal?: AbortSignal): Promise<IntacctResult>;
  zone(signal?: AbortSignal): Promise<ZoneConverter>;
  /** True at the top level of a company: ask for private entities' records too (§3.3). */
  showPrivate: boolean;
  /** Requests allowed in flight at once (the semaphore's limit). */
  concurrency: number;
}

/** Keyset position; whenModified null for rows without a WHENMODIFIED (Estuary saw some, §4.4). */
interface InternalCursor {
  whenModified: number | null;
  recordNo: number;
}

/** Builds the filter of one page of a read. */
export function buildReadFilter(spec: ReadSpec, cursor: InternalCursor | null, useLookback: boolean, zone: ZoneConverter): QueryFilter | null {
  const parts: (QueryFilter | null)[] = [];
  for (const fixed of spec.filters ?? []) parts.push(fixedFilter(fixed));
  if (cursor) {
    if (useLookback && spec.lookbackMs && spec.lookbackMs > 0 && cursor.whenModified !== null) {
      // With a look-back the tie-break is moot: re-read everything from (cursor − look-back).
      parts.push(f.gte(WHENMODIFIED, zone.toIntacct(cursor.whenModified - spec.lookbackMs)));
    } else if (cursor.whenModified === null) {
      parts.push(f.or(f.isNotNull(WHENMODIFIED), f.and(f.isNull(WHENMODIFIED), f.gt(RECORDNO, String(cursor.recordNo)))));
    } else {
      const t = zone.toIntacct(cursor.whenModified);
      parts.push(f.or(f.gt(WHENMODIFIED, t), f.and(f.eq(WHENMODIFIED, t), f.gt(RECORDNO, String(cursor.recordNo)))));
    }
  }
  if (spec.until !== undefined) parts.push(f.lte(WHENMODIFIED, zone.toIntacct(spec.until)));
  if (spec.dateRange) {
    const { column, from, to } = spec.dateRange;
    if (from) parts.push(f.gte(column, toIntacctDate(from)));
    if (to) parts.push(f.lte(column, toIntacctDate(to)));
  }
  if (spec.recordNoRange) {
    parts.push(f.gte(RECORDNO, String(spec.recordNoRange.from)));
    parts.push(f.lte(RECORDNO, String(spec.recordNoRange.to)));
  }
  return f.and(...parts);
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

type XmlRecord = Record<string, unknown>;
/** Turns one parsed record into a typed row. */
export type RowBuilder = (record: XmlRecord) => Row;

/**
 * The raw value of column `source` when the record's own property is not a string: null for a
 * missing element, else the nested/odd shapes {@link recordValue} understands.
 */
function slowRaw(record: XmlRecord, source: string, dotted: boolean): string | null {
  return record[source] === undefined && !dotted ? null : recordValue(record, source);
}

/**
 * Compiles one function that turns a parsed record into a typed row with a single object
 * literal. Conversion runs for every row of every page: a literal gets all its properties in one
 * allocation with one shape, where adding ~25 properties one by one to `{}` regrows the property
 * store several times per row (measured: about 40% of the conversion time, plus the garbage).
 * Keys and sources are embedded with JSON.stringify, so any column name is a plain string key;
 * where code generation is unavailable (or a name is `__proto__`, which a literal would treat as
 * the prototype) the same conversion runs as a loop.
 */
export function compileRowBuilder(columns: readonly ColumnDef[], converters: readonly CellConverter[]): RowBuilder {
  const names = columns.map((c) => c.name);
  const sources = columns.map((c) => c.source);
  const dotted = sources.map((s) => s.includes('.'));
  const loop: RowBuilder = (rec) => {
    const row: Record<string, CellValue> = {};
    for (let i = 0; i < names.length; i++) {
      const v = rec[sources[i]!];
      const cell = converters[i]!(typeof v === 'string' ? (v === '' ? null : v) : slowRaw(rec, sources[i]!, dotted[i]!));
      // Assigning to `__proto__` would set the prototype instead of a property.
      if (names[i] === '__proto__') Object.defineProperty(row, '__proto__', { value: cell, enumerable: true, writable: true, configurable: true });
      else row[names[i]!] = cell;
    }
    return row;
  };
  if (names.includes('__proto__')) return loop;
  const props = columns.map((c, i) => {
    const src = JSON.stringify(c.source);
    return `${JSON.stringify(c.name)}: conv[${i}](typeof (v = rec[${src}]) === 'string' ? (v === '' ? null : v) : slowRaw(rec, ${src}, ${dotted[i]}))`;
  });
  try {
    const source = `'use strict'; return function buildRow(rec) { let v; return {\n${props.join(',\n')}\n}; };`;
    const factory = new Function('conv', 'slowRaw', source) as (conv: readonly CellConverter[], raw: typeof slowRaw) => RowBuilder;
    return factory(converters, slowRaw);
  } catch {
    // --disallow-code-generation-from-strings or a CSP: same rows, built slower.
    return loop;
  }
}

/** A read prepared once: selected fields and compiled converters. */
class PreparedRead {
  readonly fields: string[];

  /** `buildRow` is shared by reads of the same columns (partitions, splits), so it stays hot. */
  constructor(
    readonly spec: ReadSpec,
    readonly zone: ZoneConverter,
    readonly buildRow: RowBuilder = compileRowBuilder(spec.columns, spec.columns.map((c) => compileColumn(c, zone))),
  ) {
    const fields = new Set(spec.columns.map((c) => c.source));
    fields.add(RECORDNO);
    fields.add(WHENMODIFIED);
    this.fields = [...fields];
  }

  query(cursor: InternalCursor | null, first: boolean, showPrivate: boolean): QuerySpec {
    return {
      object: this.spec.object,
      fields: this.fields,
      filter: buildReadFilter(this.spec, cursor, first, this.zone),
      orderBy: [{ field: WHENMODIFIED }, { field: RECORDNO }],
      ...(showPrivate ? { showPrivate: true } : {}),
      pageSize: this.spec.pageSize ?? DEFAULT_PAGE_SIZE,
      offset: 0,
    };
  }

  /** Converts records to typed rows; the hot loop of every read. */
  convert(records: readonly XmlRecord[]): Row[] {
    const buildRow = this.buildRow;
    const rows: Row[] = new Array(records.length);
    for (let r = 0; r < records.length; r++) rows[r] = buildRow(records[r]!);
    return rows;
  }

  keyOf(record: Record<string, unknown>): InternalCursor {
    const rn = recordValue(record, RECORDNO);
    const recordNo = rn === null ? NaN : Number(rn);
    if (!Number.isSafeInteger(recordNo)) {
      throw new ApiError({ service: 'intacct', code: 'BAD_VALUE', userMessage: `Intacct returned a ${this.spec.object} record without a valid RECORDNO.` });
    }
    const wm = recordValue(record, WHENMODIFIED);
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

function compareKeys(a: InternalCursor, b: InternalCursor): number {
  // Nulls sort first, as the `isnull … or isnotnull` filter assumes.
  const aw = a.whenModified ?? -Infinity, bw = b.whenModified ?? -Infinity;
  if (aw !== bw) return aw < bw ? -1 : 1;
  return a.recordNo - b.recordNo;
}

function publicCursor(c: InternalCursor): KeysetCursor {
  // A null WHENMODIFIED resumes from the epoch (UNCONFIRMED case, §4.4: such rows are re-read only by a full load).
  return { whenModified: c.whenModified ?? 0, recordNo: c.recordNo };
}

/** State of one keyset-paged read (one partition). */
class KeysetRead {
  cursor: InternalCursor | null;
  first = true;
  done = false;
  pageNo = 0;
  totalCount: number | null = null;

  constructor(private readonly ctx: ReaderContext, public prepared: PreparedRead) {
    this.cursor = prepared.spec.since ? { ...prepared.spec.since } : null;
  }

  /**
   * Splits off the upper half of this read's RECORDNO range (when it has one). Both halves keep the
   * same keyset cursor, so together they still return exactly the rows this read had left: the
   * cursor excludes what was read, the ranges partition what remains.
   */
  split(): KeysetRead | null {
    const range = this.prepared.spec.recordNoRange;
    if (this.done || !range || range.to - range.from < 1) return null;
    const mid = range.from + Math.floor((range.to - range.from) / 2);
    const zone = this.prepared.zone;
    const buildRow = this.prepared.buildRow;
    const upper = new KeysetRead(this.ctx, new PreparedRead({ ...this.prepared.spec, recordNoRange: { from: mid + 1, to: range.to } }, zone, buildRow));
    this.prepared = new PreparedRead({ ...this.prepared.spec, recordNoRange: { from: range.from, to: mid } }, zone, buildRow);
    upper.cursor = this.cursor && { ...this.cursor };
    upper.first = this.first;
    upper.pageNo = this.pageNo;
    upper.totalCount = this.totalCount;
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
    const pageSize = spec.pageSize ?? DEFAULT_PAGE_SIZE;
    const body = buildQuery(this.prepared.query(this.cursor, this.first, this.ctx.showPrivate));
    const result = await this.ctx.execute(`query ${spec.object}`, body, signal);
    const data = result.data;
    const records = data?.records ?? [];
    if (this.first) this.totalCount = data?.totalCount ?? null;
    this.first = false;
    if (records.length === 0) {
      this.done = true;
      return null;
    }
    const last = this.prepared.keyOf(records[records.length - 1]!);
    if (this.cursor && compareKeys(last, this.cursor) <= 0 && !(spec.lookbackMs && this.pageNo === 0)) {
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
    this.done = remaining !== null && remaining !== undefined ? remaining <= 0 : records.length < pageSize;
    const rows = this.prepared.convert(records);
    return { rows, cursor: publicCursor(last), totalCount: this.totalCount, pageNo: this.pageNo };
  }
}

/** Lazy keyset-paged read: one request per page, made when the consumer asks for it. */
export async function* readChanged(ctx: ReaderContext, spec: ReadSpec, signal?: AbortSignal): AsyncGenerator<Page> {
  const prepared = new PreparedRead(spec, await ctx.zone(signal));
  const read = new KeysetRead(ctx, prepared);
  for (;;) {
    const page = await read.next(signal);
    if (!page) return;
    yield page;
  }
}

/** Splits [min, max] into at most `n` contiguous inclusive ranges. */
export function splitRange(min: number, max: number, n: number): { from: number; to: number }[] {
  if (max < min) return [];
  const span = max - min + 1;
  const parts = Math.max(1, Math.min(Math.floor(n), span));
  const size = Math.ceil(span / parts);
  const out: { from: number; to: number }[] = [];
  for (let from = min; from <= max; from += size) out.push({ from, to: Math.min(max, from + size - 1) });
  return out;
}

/**
 * Reads RECORDNO partitions with requests pipelined: up to concurrency + 1 requests are started
 * (the extra one waits at the semaphore), so when an answer arrives the next request goes on the
 * wire at once and parsing overlaps the wait. Pages ready or in flight never exceed
 * concurrency + 1 besides the one the consumer holds, so memory stays flat whatever the row count.
 * Page cursors are per partition (not a resume point for the whole read); totalCount is the read's.
 */
export async function* readPartitioned(ctx: ReaderContext, spec: ReadSpec, partitions: number, signal?: AbortSignal): AsyncGenerator<Page> {
  const zone = await ctx.zone(signal);
  const bounds = await recordNoBounds(ctx, spec, signal);
  if (bounds.count === 0) return;
  const ranges = splitRange(bounds.min, bounds.max, partitions);
  const buildRow = new PreparedRead(spec, zone).buildRow;
  const prepared = ranges.map((range) => new PreparedRead({ ...spec, recordNoRange: range }, zone, buildRow));
  const idle = prepared.map((p) => new KeysetRead(ctx, p));

  const internal = new AbortController();
  const onAbort = () => internal.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const concurrency = Math.max(1, ctx.concurrency);
  const maxOutstanding = concurrency + 1;
  const maxHeld = concurrency + 1;
  const ready: Page[] = [];
  let inflight = 0;
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
      read.next(internal.signal).then(
        (page) => {
          inflight--;
          // Progress is over the whole read, not one partition.
          if (page) ready.push({ ...page, totalCount: bounds.count });
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
      if (inflight === 0 && idle.length === 0) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (inflight > 0) internal.abort(new Error('read closed'));
  }
}

async function firstRecordNo(ctx: ReaderContext, spec: ReadSpec, filter: QueryFilter | null, descending: boolean, signal?: AbortSignal) {
  const body = buildQuery({
    object: spec.object,
    fields: [RECORDNO],
    filter,
    orderBy: [{ field: RECORDNO, descending }],
    ...(ctx.showPrivate ? { showPrivate: true } : {}),
    pageSize: 1,
    offset: 0,
  });
  const result = await ctx.execute(`query ${spec.object}`, body, signal);
  const rec = result.data?.records[0];
  const rn = rec ? recordValue(rec, RECORDNO) : null;
  const data = result.data;
  const total = data?.totalCount ?? (data ? (data.count ?? 0) + (data.numRemaining ?? 0) : 0);
  return { recordNo: rn === null ? null : Number(rn), total };
}

/** Rows matching the read's first-page filter (Intacct's totalcount of a one-row query). */
export async function count(ctx: ReaderContext, spec: ReadSpec, signal?: AbortSignal): Promise<number> {
  const zone = await ctx.zone(signal);
  const filter = buildReadFilter(spec, spec.since ?? null, true, zone);
  return (await firstRecordNo(ctx, spec, filter, false, signal)).total;
}

/**
 * Smallest and largest RECORDNO (and the count) matching the read. Two one-row queries ordered
 * both ways: documented behaviour only (the aggregate result shape is UNCONFIRMED).
 */
export async function recordNoBounds(ctx: ReaderContext, spec: ReadSpec, signal?: AbortSignal): Promise<{ min: number; max: number; count: number }> {
  const zone = await ctx.zone(signal);
  const filter = buildReadFilter(spec, spec.since ?? null, true, zone);
  const low = await firstRecordNo(ctx, spec, filter, false, signal);
  if (low.recordNo === null || low.total === 0) return { min: 0, max: 0, count: 0 };
  const high = await firstRecordNo(ctx, spec, filter, true, signal);
  return { min: low.recordNo, max: high.recordNo ?? low.recordNo, count: low.total };
}

/** RECORDNOs only, keyset-paged on RECORDNO, for key reconciliation. */
export async function* readKeys(ctx: ReaderContext, object: string, filters: readonly FixedFilter[], signal?: AbortSignal, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<number[]> {
  let after: number | null = null;
  for (let pageNo = 0; ; pageNo++) {
    if (pageNo >= DEFAULT_MAX_PAGES) {
      throw new ApiError({ service: 'intacct', code: 'RUNAWAY_READ', userMessage: `Reading ${object} keys stopped after ${DEFAULT_MAX_PAGES} pages.` });
    }
    const filter = f.and(...filters.map(fixedFilter), after === null ? null : f.gt(RECORDNO, String(after)));
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
    const keys: number[] = [];
    for (const rec of result.data?.records ?? []) {
      const v = recordValue(rec, RECORDNO);
      const n = v === null ? NaN : Number(v);
      if (Number.isSafeInteger(n)) keys.push(n);
    }
    if (keys.length === 0) return;
    const last = keys[keys.length - 1]!;
    if (after !== null && last <= after) {
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

/**
 * Deletions recorded in AUDITHISTORY since `sinceMs` (§5 "Deletes"): OBJECTTYPE lower-case,
 * ACCESSMODE 'D' (single letters in `query`). Offset paging is safe here because the audit trail is
 * append-only and ordered by ACCESSTIME. A permission failure (or an unknown object) becomes
 * IntacctPermissionError code 'AUDIT_NOT_PERMITTED'.
 */
export async function* readDeleted(ctx: ReaderContext, objectType: string, sinceMs: number, signal?: AbortSignal, pageSize = DEFAULT_PAGE_SIZE): AsyncGenerator<DeletedRecord[]> {
  const zone = await ctx.zone(signal);
  const filter = f.and(
    f.eq('OBJECTTYPE', objectType.toLowerCase()),
    f.eq('ACCESSMODE', 'D'),
    f.gt('ACCESSTIME', zone.toIntacct(sinceMs)),
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
