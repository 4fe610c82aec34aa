import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorError } from '../../../../main/core/errors';
import { pageLoop, type PagedRead } from '../../../../main/core/intacct/page-loop';
import type { DataBlock, IntacctResult } from '../../../../main/core/intacct/response-parser';

/** A result whose data says `count` rows came and `numRemaining` are left (null: not sent). */
function result(count: number, numRemaining: number | null): IntacctResult {
  const data: DataBlock = { count, totalCount: null, numRemaining, offset: null, records: [], table: null };
  return { status: 'success', functionName: 'query', controlId: 'f', data, errors: [], raw: {} };
}

/** A read over `pages` (rows per page, numremaining per page), counting the requests it makes. */
function fakeRead(pages: { rows: number; remaining: number | null }[], opts: { pageSize?: number; maxPages?: number } = {}) {
  let at = 0;
  const read: PagedRead<number> & { requests: number } = {
    what: 'GLDETAIL',
    maxPages: opts.maxPages ?? 100,
    pageNo: 0,
    done: false,
    pageSize: opts.pageSize ?? 3,
    requests: 0,
    fetchPage() {
      read.requests++;
      const p = pages[at++] ?? { rows: 0, remaining: 0 };
      return Promise.resolve(result(p.rows, p.remaining));
    },
    take(r) {
      const rows = r.data?.count ?? 0;
      return rows === 0 ? null : { value: rows, rows };
    },
  };
  return read;
}

async function collect(read: PagedRead<number>): Promise<number[]> {
  const out: number[] = [];
  for await (const v of pageLoop(read)) out.push(v);
  return out;
}

describe('pageLoop', () => {
  it('stops after the page whose numremaining is 0, without asking for another', async () => {
    const read = fakeRead([
      { rows: 3, remaining: 4 },
      { rows: 3, remaining: 1 },
      { rows: 1, remaining: 0 },
    ]);
    assert.deepEqual(await collect(read), [3, 3, 1]);
    assert.equal(read.requests, 3);
    assert.equal(read.pageNo, 3);
    assert.equal(read.done, true);
  });

  it('without numremaining, takes a short page as the last one', async () => {
    const read = fakeRead([
      { rows: 3, remaining: null },
      { rows: 2, remaining: null },
      { rows: 3, remaining: null },
    ]);
    assert.deepEqual(await collect(read), [3, 2]);
    assert.equal(read.requests, 2);
  });

  it('ends on an empty page, handing nothing on for it', async () => {
    const read = fakeRead([
      { rows: 3, remaining: null },
      { rows: 0, remaining: null },
    ]);
    assert.deepEqual(await collect(read), [3]);
    assert.equal(read.requests, 2);
    assert.equal(read.done, true);
  });

  it('stops a read that runs past its page limit (RUNAWAY_READ), counting pages kept on the read', async () => {
    const read = fakeRead(
      Array.from({ length: 10 }, () => ({ rows: 3, remaining: 99 })),
      { maxPages: 4 },
    );
    read.pageNo = 2; // a read split in two keeps the pages its first half took
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const v of pageLoop(read)) seen.push(v);
      })(),
      (e: unknown) => e instanceof ConnectorError && e.code === 'RUNAWAY_READ' && /GLDETAIL stopped after 4 pages/.test(e.userMessage),
    );
    assert.deepEqual(seen, [3, 3]);
  });

  it('makes at most one request per next(), so reads can be interleaved', async () => {
    const read = fakeRead([
      { rows: 3, remaining: 3 },
      { rows: 3, remaining: 0 },
    ]);
    const it = pageLoop(read);
    assert.equal(read.requests, 0);
    assert.deepEqual(await it.next(), { value: 3, done: false });
    assert.equal(read.requests, 1);
    assert.equal(read.done, false);
    assert.deepEqual(await it.next(), { value: 3, done: false });
    assert.equal(read.done, true, 'known to be over before the consumer asks again');
    assert.deepEqual(await it.next(), { value: undefined, done: true });
    assert.equal(read.requests, 2);
  });
});
