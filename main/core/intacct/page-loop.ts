/**
 * The one page loop of every paged `query` read: keyset reads of records and of keys, and the
 * offset-paged audit trail (intacct-reader.ts, keyset-read.ts, deleted-read.ts).
 *
 * A read knows how to ask for its next page and what a page moves it to; the loop owns what is
 * the same for all of them: the runaway guard, an empty page ends the read, and the last page is
 * known from `numremaining` (or, when Intacct leaves it out, from a short page), so no request is
 * made only to learn that nothing is left (docs/reference/intacct-xml.md §4.3).
 */
import { ApiError } from '../errors';
import type { IntacctResult } from './response-parser';

/** Pages one read may take before it is stopped as a runaway (a filter Intacct ignores, a loop). */
export const DEFAULT_MAX_PAGES = 100_000;

/** What one page gave the read: the value to hand on, and how many rows it counted. */
export interface TakenPage<T> {
  value: T;
  rows: number;
}

/** One paged read as the loop drives it; its position (cursor or offset) is its own state. */
export interface PagedRead<T> {
  /** What is read, for the runaway message (`GLDETAIL`, `GLDETAIL keys`). */
  readonly what: string;
  readonly maxPages: number;
  /** Pages taken so far; kept on the read, so a read split in two keeps counting. */
  pageNo: number;
  /** Set by the loop once the last page was taken (a partitioned read stops asking then). */
  done: boolean;
  /** The page size asked for last (a short page is the last one when numremaining is absent). */
  readonly pageSize: number;
  /** Sends the request for the next page. */
  fetchPage(signal?: AbortSignal): Promise<IntacctResult>;
  /** Moves the read past the page; null for a page with nothing in it (the read is then over). */
  take(result: IntacctResult): TakenPage<T> | null;
}

/**
 * Pages of `read` until it is over. Each `next()` of the iterator makes at most one request, so a
 * caller may interleave several reads (readPartitioned) or stop after any page.
 */
export async function* pageLoop<T>(read: PagedRead<T>, signal?: AbortSignal): AsyncGenerator<T> {
  while (!read.done) {
    if (read.pageNo >= read.maxPages) {
      throw new ApiError({
        service: 'intacct',
        code: 'RUNAWAY_READ',
        userMessage: `Reading ${read.what} stopped after ${read.maxPages} pages, more than expected. Narrow the read (date range) or contact support.`,
      });
    }
    const result = await read.fetchPage(signal);
    const page = read.take(result);
    if (page === null) {
      read.done = true;
      return;
    }
    read.pageNo++;
    const remaining = result.data?.numRemaining;
    read.done = remaining !== null && remaining !== undefined ? remaining <= 0 : page.rows < read.pageSize;
    yield page.value;
  }
}
