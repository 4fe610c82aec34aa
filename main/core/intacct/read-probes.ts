/**
 * One-row probes of a read: how many rows it returns, its RECORDNO bounds, the first value of a
 * column. Each is a query ordered by the column with pagesize 1, documented behaviour only (an
 * aggregate's answer shape is UNCONFIRMED, docs/reference/intacct-xml.md §4.3).
 */
import type { QueryFilter } from './query-builder';
import { buildQuery, f } from './query-builder';
import { recordValue } from './response-parser';
import { ApiError } from '../errors';
import type { ReadSpec } from './intacct-types';
import type { ReaderContext } from './keyset-read';
import { buildReadFilter, fixedFilter, rangeParts, RECORDNO, toInternal, WHENMODIFIED } from './read-filter';

/** The first row's `field` (ordered by it) and the matching total: one one-row query. */
export async function firstValue(ctx: ReaderContext, spec: ReadSpec, field: string, filter: QueryFilter | null, descending: boolean, signal?: AbortSignal) {
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
    throw new ApiError({
      service: 'intacct',
      code: 'TEXT_RECORDNO',
      userMessage: `${spec.object} keys are text (RECORDNO '${rn.slice(0, 40)}'), so they have no numeric range; read it by date partitions instead.`,
    });
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
