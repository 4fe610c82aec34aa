/**
 * Reading records, the reader's entry points (intacct-client.ts calls these):
 * - changed rows, keyset-paged (keyset-read.ts, filters in read-filter.ts);
 * - full reads by date partitions, pipelined (partitioned-read.ts);
 * - counts and RECORDNO bounds (read-probes.ts);
 * - keys for reconciliation (here), deletions from the audit trail (deleted-read.ts);
 * - an object's fields (`lookup`, here).
 * Every paged read runs through the one page loop of page-loop.ts.
 */
import { buildQuery, f } from './query-builder';
import { lookupFunction } from './request-envelope';
import { recordValue } from './response-parser';
import { ApiError } from '../errors';
import type { FixedFilter } from '../streams/types';
import type { FieldInfo } from './intacct-types';
import { DEFAULT_PAGE_SIZE, type ReaderContext } from './keyset-read';
import { DEFAULT_MAX_PAGES, pageLoop, type PagedRead } from './page-loop';
import { fixedFilter, RECORDNO } from './read-filter';

export { compileRowBuilder, type RowBuilder } from './row-builder';
export { buildReadFilter, RECORDNO, WHENMODIFIED } from './read-filter';
export { DEFAULT_PAGE_SIZE, MAX_TIMEOUTS_AT_MIN_PAGE, MIN_PAGE_SIZE, readChanged, TIMEOUT_PAUSE_MS, type ReaderContext } from './keyset-read';
export { DEFAULT_MAX_PAGES } from './page-loop';
export { datePartitions, EARLIEST_DATE, readPartitioned, splitRange } from './partitioned-read';
export { count, recordNoBounds } from './read-probes';
export { MIN_AUDIT_WINDOW_MS, parseObjectKey, readDeleted, type SkippedWindow } from './deleted-read';

/** RECORDNOs only, keyset-paged on RECORDNO, for key reconciliation. */
export function readKeys(
  ctx: ReaderContext,
  object: string,
  filters: readonly FixedFilter[],
  signal?: AbortSignal,
  pageSize = DEFAULT_PAGE_SIZE,
): AsyncGenerator<string[]> {
  // Keys as Intacct sends them (text on GLDETAIL), compared by Intacct in the filter.
  let after: string | null = null;
  const read: PagedRead<string[]> = {
    what: `${object} keys`,
    maxPages: DEFAULT_MAX_PAGES,
    pageNo: 0,
    done: false,
    pageSize,
    fetchPage(signal) {
      const body = buildQuery({
        object,
        fields: [RECORDNO],
        filter: f.and(...filters.map(fixedFilter), after === null ? null : f.gt(RECORDNO, after)),
        orderBy: [{ field: RECORDNO }],
        ...(ctx.showPrivate ? { showPrivate: true } : {}),
        pageSize,
        offset: 0,
      });
      return ctx.execute(`query ${object}`, body, signal);
    },
    take(result) {
      const keys: string[] = [];
      for (const rec of result.data?.records ?? []) {
        const v = recordValue(rec, RECORDNO);
        if (v !== null && v !== '') keys.push(v);
      }
      if (keys.length === 0) return null;
      const last = keys[keys.length - 1]!;
      if (after !== null && last === after) {
        throw new ApiError({ service: 'intacct', code: 'LOOP_DETECTED', userMessage: `Reading ${object} keys stopped: loop detected at RECORDNO ${after}.` });
      }
      after = last;
      return { value: keys, rows: keys.length };
    },
  };
  return pageLoop(read, signal);
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
