/**
 * Deletions from the audit trail (AUDITHISTORY), window by window, offset-paged through the page
 * loop (page-loop.ts).
 */
import { buildQuery, f } from './query-builder';
import { recordValue } from './response-parser';
import type { ZoneConverter } from './intacct-values';
import { ConnectorError } from '../errors';
import { IntacctError, IntacctPermissionError, type IntacctErrorInfo } from './intacct-errors';
import type { DeletedRecord, SkippedAuditWindow } from './intacct-types';
import { DEFAULT_PAGE_SIZE, type ReaderContext } from './keyset-read';
import { DEFAULT_MAX_PAGES, pageLoop, type PagedRead } from './page-loop';

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
  ctx: ReaderContext,
  zone: ZoneConverter,
  objectType: string,
  from: number,
  to: number | null,
  pageSize: number,
  signal?: AbortSignal,
): AsyncGenerator<DeletedRecord[]> {
  const filter = f.and(
    f.eq('OBJECTTYPE', objectType.toLowerCase()),
    f.eq('ACCESSMODE', 'D'),
    f.gt('ACCESSTIME', zone.toIntacct(from)),
    to === null ? null : f.lte('ACCESSTIME', zone.toIntacct(to)),
  );
  let offset = 0;
  const read: PagedRead<DeletedRecord[]> = {
    what: `deletions of ${objectType}`,
    maxPages: DEFAULT_MAX_PAGES,
    pageNo: 0,
    done: false,
    pageSize,
    async fetchPage(signal) {
      const body = buildQuery({
        object: 'AUDITHISTORY',
        fields: ['OBJECTKEY', 'ACCESSTIME'],
        filter,
        orderBy: [{ field: 'ACCESSTIME' }, { field: 'OBJECTKEY' }],
        ...(ctx.showPrivate ? { showPrivate: true } : {}),
        pageSize,
        offset,
      });
      try {
        return await ctx.execute('query AUDITHISTORY', body, signal);
      } catch (err) {
        throw auditNotPermitted(err, objectType) ?? err;
      }
    },
    take(result) {
      const records = result.data?.records ?? [];
      if (records.length === 0) return null;
      const out: DeletedRecord[] = [];
      for (const rec of records) {
        const recordNo = parseObjectKey(recordValue(rec, 'OBJECTKEY'));
        const at = recordValue(rec, 'ACCESSTIME');
        const deletedAt = at === null ? null : zone.toUtcMs(at);
        if (recordNo !== null && deletedAt !== null) out.push({ recordNo, deletedAt });
      }
      offset += records.length;
      return { value: out, rows: records.length };
    },
  };
  // A page whose entries all lack a usable key or time hands nothing on.
  for await (const out of pageLoop(read, signal)) if (out.length) yield out;
}

function auditNotPermitted(err: unknown, objectType: string): IntacctPermissionError | null {
  if (!(err instanceof ConnectorError)) return null;
  const denied = err instanceof IntacctPermissionError || err.code === 'OBJECT_NOT_FOUND' || err.code === 'PERMISSION_DENIED';
  if (!denied) return null;
  const info: IntacctErrorInfo =
    err instanceof IntacctError ? err : { level: 'result', errorno: '', description: '', description2: err.userMessage, correction: '', errors: [] };
  return new IntacctPermissionError({
    info,
    code: 'AUDIT_NOT_PERMITTED',
    userMessage:
      `The Intacct API user cannot read the audit history (AUDITHISTORY) for ${objectType}, so records deleted in Intacct ` +
      'will not be removed from Tableau until a full reload. Give the API user permission to view the audit trail to fix this.',
    cause: err,
  });
}
