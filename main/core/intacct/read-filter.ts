/**
 * The filter of one page of a record read: its fixed filters, its WHENMODIFIED window and keyset
 * position, and its date and RECORDNO ranges.
 *
 * Paging (docs/reference/intacct-xml.md §4.3): each page re-runs the query, so offset paging skips
 * or repeats rows when data changes between pages. We page by keyset instead: ordered by
 * WHENMODIFIED then RECORDNO, the next page asks for rows after the last row's (WHENMODIFIED,
 * RECORDNO), offset stays 0, and an upper bound (`until`, the run start) keeps rows changed during
 * the read for the next run. Every page is therefore a safe resume point.
 */
import type { QueryFilter } from './query-builder';
import { f } from './query-builder';
import { toIntacctDate, type ZoneConverter } from './intacct-values';
import type { FixedFilter } from '../streams/types';
import type { KeysetCursor, ReadSpec } from './intacct-types';

export const WHENMODIFIED = 'WHENMODIFIED';
export const RECORDNO = 'RECORDNO';

/**
 * Keyset position. `recordNo` is RECORDNO's text exactly as Intacct sent it: an integer on most
 * objects, a composite string on GLDETAIL (`3220-55186-27290--accrual`, docs/reference/
 * intacct-objects.md "RECORDNO"). It goes back into the filter as text, so Intacct compares it by
 * the field's own type; we never parse or order it ourselves.
 */
export interface InternalCursor {
  whenModified: number | null;
  recordNo: string;
}

/** What one keyset read covers: changed rows (by WHENMODIFIED), or rows whose WHENMODIFIED is empty. */
export type ReadMode = 'changed' | 'nullWhenModified';

/** Builds the filter of one page of a read. */
export function buildReadFilter(
  spec: ReadSpec,
  cursor: InternalCursor | null,
  useLookback: boolean,
  zone: ZoneConverter,
  mode: ReadMode = 'changed',
): QueryFilter | null {
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
export function rangeParts(spec: ReadSpec): QueryFilter[] {
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

/** A stream definition's fixed filter (BOOKID = ACCRUAL, a state list) as a query filter. */
export function fixedFilter(x: FixedFilter): QueryFilter {
  if (typeof x.value === 'string') {
    return x.op === 'in' ? f.in(x.field, [x.value]) : { op: x.op, field: x.field, value: x.value };
  }
  const values = x.value as readonly string[];
  if (x.op === 'in') return f.in(x.field, values);
  if (x.op === 'notequalto') return { op: 'notin', field: x.field, values };
  return values.length === 1 ? f.eq(x.field, values[0]!) : f.in(x.field, values);
}

export function toInternal(c: KeysetCursor | null | undefined): InternalCursor | null {
  return c ? { whenModified: c.whenModified, recordNo: String(c.recordNo) } : null;
}

export function publicCursor(c: InternalCursor): KeysetCursor {
  return { whenModified: c.whenModified ?? 0, recordNo: c.recordNo };
}
