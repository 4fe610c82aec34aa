// The Intacct client against the Intacct emulator (issue 2, acceptance 3 and 4).
//
// Sized for the test suite: GL_ROWS ACCRUAL GL detail rows (the bench, scripts/bench-intacct.ts,
// covers 1,000,000). Both sides use the real clock; retries use tiny delays so faults cost little.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../main/core/clock';
import { createNodeFetch } from '../../main/core/http/transport';
import type { RequestEvent } from '../../main/core/http/request-events';
import { createIntacctClient, IntacctPermissionError, type IntacctClient, type Page, type ReadSpec } from '../../main/core/intacct';
import { ALL_FAULT_KINDS, startIntacctEmulator, decimalToUnits, parseDateTime, type IntacctEmulator } from '../../main/core/emulators/intacct';
import { streamByName } from '../../main/core/streams/definitions';

// 100,000 rows take 20–45 s per full read here (fast-xml-parser bound, see the bench), and this file
// reads the table five times; 20,000 keeps the suite fast. The bench reads 1,000,000.
// INTACCT_IT_GL_ROWS=100000 runs the full-size check (about a minute on a quiet machine).
const GL_ROWS = Number(process.env.INTACCT_IT_GL_ROWS ?? 20_000);
const glDetail = streamByName('gl_detail');
const vendorStream = streamByName('vendor');

const glSpec = (extra: Partial<ReadSpec> = {}): ReadSpec => ({ object: 'GLDETAIL', columns: glDetail.columns, filters: glDetail.filters, ...extra });

interface Tally {
  count: number;
  sum: bigint;
  debit: bigint;
  keys: Set<number>;
  last: Page['cursor'] | null;
  pages: number;
}

async function tally(pages: AsyncIterable<Page>, onPage?: (n: number) => void): Promise<Tally> {
  const t: Tally = { count: 0, sum: 0n, debit: 0n, keys: new Set(), last: null, pages: 0 };
  for await (const page of pages) {
    t.pages++;
    for (const row of page.rows) {
      t.count++;
      t.keys.add(row.RECORDNO as number);
      t.sum += decimalToUnits(row.AMOUNT as string);
      if (row.DEBITAMOUNT !== null) t.debit += decimalToUnits(row.DEBITAMOUNT as string);
    }
    if (!t.last || page.cursor.whenModified > t.last.whenModified || (page.cursor.whenModified === t.last.whenModified && page.cursor.recordNo > t.last.recordNo)) t.last = page.cursor;
    onPage?.(t.pages);
  }
  return t;
}

/** What the emulator holds for the ACCRUAL book, computed from its records. */
function expected(emu: IntacctEmulator, filter?: (r: Record<string, string>) => boolean) {
  let count = 0;
  let sum = 0n;
  let debit = 0n;
  const keys = new Set<number>();
  for (const r of emu.company.list('GLDETAIL', (x) => x.BOOKID === 'ACCRUAL' && (!filter || filter(x)))) {
    count++;
    keys.add(Number(r.RECORDNO));
    sum += decimalToUnits(r.AMOUNT!);
    if (r.DEBITAMOUNT) debit += decimalToUnits(r.DEBITAMOUNT);
  }
  return { count, sum, debit, keys };
}

function assertSameRows(got: Tally, want: ReturnType<typeof expected>, label: string) {
  assert.equal(got.count, want.count, `${label}: row count`);
  assert.equal(got.keys.size, got.count, `${label}: no duplicate keys`);
  assert.equal(got.sum, want.sum, `${label}: sum of AMOUNT to the cent`);
  assert.equal(got.debit, want.debit, `${label}: sum of DEBITAMOUNT to the cent`);
  for (const k of want.keys) assert.ok(got.keys.has(k), `${label}: key ${k} read`);
}

describe('intacct client against the emulator', { timeout: 240_000 }, () => {
  let emu: IntacctEmulator;
  let client: IntacctClient;
  const events: RequestEvent[] = [];
  const fetch = createNodeFetch();
  const newClient = (opts: { timeoutMs?: number; concurrency?: number } = {}) =>
    createIntacctClient({
      credentials: { ...emu.credentials },
      endpoint: emu.url,
      allowedEndpointHosts: () => true,
      fetch,
      clock: systemClock,
      timeoutMs: opts.timeoutMs ?? 30_000,
      concurrency: opts.concurrency ?? 1,
      retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 10, maxRetryAfterMs: 2_000 },
      onEvent: (e) => events.push(e),
    });

  before(async () => {
    emu = await startIntacctEmulator({ glRows: GL_ROWS, seed: 2026 });
    client = newClient();
  });
  after(async () => {
    client?.close();
    await emu?.close();
  });

  let fullCursor: Page['cursor'] | null = null;

  it(`reads all ${GL_ROWS.toLocaleString('en-US')} ACCRUAL GL detail rows exactly: count, sum of amounts, key set`, async () => {
    const got = await tally(client.readChanged(glSpec({ since: null })));
    assertSameRows(got, expected(emu), 'full read');
    assert.equal(got.count, GL_ROWS);
    fullCursor = got.last;
    assert.ok(client.transactions >= Math.ceil(GL_ROWS / 2000));
  });

  it('converts values exactly: escaped text, decimals, UTC timestamps and dates', async () => {
    const want = [...emu.company.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL')].slice(0, 300);
    const got: Record<string, unknown>[] = [];
    for await (const page of client.readChanged(glSpec({ since: null, pageSize: 150, recordNoRange: { from: Number(want[0]!.RECORDNO), to: Number(want[want.length - 1]!.RECORDNO) } }))) got.push(...page.rows);
    assert.equal(got.length, want.length);
    got.sort((a, b) => (a.RECORDNO as number) - (b.RECORDNO as number));
    want.forEach((w, i) => {
      const g = got[i]!;
      assert.equal(g.RECORDNO, Number(w.RECORDNO));
      assert.equal(g.DESCRIPTION, w.DESCRIPTION);
      assert.equal(decimalToUnits(g.AMOUNT as string), decimalToUnits(w.AMOUNT!));
      const wm = new Date(parseDateTime(w.WHENMODIFIED!, 0)!).toISOString().replace('T', ' ').slice(0, 19);
      assert.equal(g.WHENMODIFIED, wm);
      const [m, d, y] = w.BATCH_DATE!.split('/');
      assert.equal(g.BATCH_DATE, `${y}-${m}-${d}`);
      assert.equal(g.DEPARTMENTID, w.DEPARTMENTID === '' ? null : w.DEPARTMENTID);
    });
  });

  it('reads vendors with awkward names exactly', async () => {
    const names: string[] = [];
    for await (const page of client.readChanged({ object: 'VENDOR', columns: vendorStream.columns, since: null })) names.push(...page.rows.map((r) => r.NAME as string));
    const want = [...emu.company.rows('VENDOR')].map((v) => v.NAME);
    assert.deepEqual([...names].sort(), [...want].sort());
    assert.ok(names.includes('Smith & <Sons> "Ltd"'));
  });

  it('an incremental read after edits and additions returns exactly the changed rows', async () => {
    assert.ok(fullCursor, 'the full read ran');
    const accrual = [...emu.company.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL')];
    const changed = new Set<number>();
    for (let k = 0; k < 40; k++) {
      const r = accrual[(k * 2477) % accrual.length]!;
      emu.company.edit('GLDETAIL', Number(r.RECORDNO), { AMOUNT: '12345.67', DEBITAMOUNT: '12345.67', CREDITAMOUNT: '0' });
      changed.add(Number(r.RECORDNO));
    }
    for (let k = 0; k < 7; k++) changed.add(emu.company.add('GLDETAIL', { BOOKID: 'ACCRUAL', BATCH_DATE: '11/24/2026', ACCOUNTNO: '6400', AMOUNT: `-${k}.05`, CREDITAMOUNT: `${k}.05`, DEBITAMOUNT: '0' }));
    const cash = emu.company.list('GLDETAIL', (r) => r.BOOKID === 'CASH').next().value!;
    emu.company.edit('GLDETAIL', Number(cash.RECORDNO), { DESCRIPTION: 'cash-book edit, not in ACCRUAL' });
    const deleted = Number(accrual[5]!.RECORDNO);
    emu.company.remove('GLDETAIL', deleted);
    const got = await tally(client.readChanged(glSpec({ since: fullCursor, until: systemClock.now() + 1000 })));
    assert.deepEqual([...got.keys].sort((a, b) => a - b), [...changed].sort((a, b) => a - b));
    const sumChanged = [...changed].reduce((s, rno) => s + decimalToUnits(emu.company.get('GLDETAIL', rno)!.AMOUNT!), 0n);
    assert.equal(got.sum, sumChanged);
    // And a full read now matches the changed company.
    const full = await tally(client.readChanged(glSpec({ since: null })));
    assertSameRows(full, expected(emu), 'full read after changes');
    assert.ok(!full.keys.has(deleted));
  });

  it('reports deletions from AUDITHISTORY, and says plainly when it is not readable', async () => {
    const since = Math.floor(systemClock.now() / 1000) * 1000 - 1000;
    const bills = [...emu.company.rows('APBILL')];
    const victims = [Number(bills[10]!.RECORDNO), Number(bills[20]!.RECORDNO), Number(bills[30]!.RECORDNO)];
    for (const v of victims) emu.company.remove('APBILL', v);
    emu.company.remove('VENDOR', 7);
    const seen: number[] = [];
    for await (const batch of client.readDeleted('apbill', since)) seen.push(...batch.map((d) => d.recordNo));
    assert.deepEqual(seen.sort((a, b) => a - b), victims.sort((a, b) => a - b));
    emu.setAuditHistoryPermitted(false);
    try {
      await assert.rejects(async () => {
        for await (const _ of client.readDeleted('apbill', since)) void _;
      }, (err: unknown) => err instanceof IntacctPermissionError && (err as IntacctPermissionError).code === 'AUDIT_NOT_PERMITTED');
    } finally {
      emu.setAuditHistoryPermitted(true);
    }
  });

  it('discovers custom fields and user-defined dimensions with lookup', async () => {
    const gl = await client.lookup('GLDETAIL');
    const vendor = await client.lookup('VENDOR');
    assert.ok(gl.some((f) => f.id === 'GLDIMPROGRAM' && f.isCustom), 'the GL dimension is found and marked custom');
    assert.ok(gl.some((f) => f.id === 'AMOUNT' && !f.isCustom));
    assert.ok(vendor.some((f) => f.isCustom), 'the vendor custom field is found');
  });

  it('testConnection names the failing step: sender, unauthorised sender, user sign-in', async () => {
    const ok = await client.testConnection();
    assert.equal(ok.ok, true);
    assert.deepEqual(ok.steps.map((x) => x.name), ['Sender credentials', 'User sign-in', 'Read one record']);
    const probe = async (change: Partial<typeof emu.credentials>) => {
      const c = createIntacctClient({ credentials: { ...emu.credentials, ...change }, endpoint: emu.url, allowedEndpointHosts: () => true, fetch, clock: systemClock, retry: { baseDelayMs: 5, maxAttempts: 2 } });
      try {
        const r = await c.testConnection();
        return r.steps.find((x) => !x.ok)?.name;
      } finally {
        c.close();
      }
    };
    assert.equal(await probe({ senderPassword: 'wrong' }), 'Sender credentials');
    assert.equal(await probe({ userPassword: 'wrong' }), 'User sign-in');
    emu.setSenderAuthorized(false);
    try {
      assert.equal(await probe({}), 'Sender credentials');
    } finally {
      emu.setSenderAuthorized(true);
    }
    // A wrong password is never retried (lock-out risk): one sign-in attempt only.
    const before = emu.requests.length;
    await probe({ userPassword: 'wrong-again' });
    assert.equal(emu.requests.slice(before).filter((r) => r.error === 'authentication XL03000006').length, 1);
  });

  it('with 10% of requests faulted (every kind) and sessions expiring mid-read, reads exactly the same rows, retrying visibly', async () => {
    const faulty = newClient({ timeoutMs: 1_500 });
    try {
      events.length = 0;
      const firstRequest = emu.requests.length;
      emu.setFaults({ rate: 0.1, kinds: ALL_FAULT_KINDS, seed: 7, retryAfterSeconds: 0 });
      // Small pages make many requests, so every fault kind gets drawn several times.
      const got = await tally(faulty.readChanged(glSpec({ since: null, pageSize: 200 })), (n) => {
        if (n === 10 || n === 30) emu.expireSessions();
      });
      const faults = emu.requests.slice(firstRequest).filter((r) => r.fault);
      emu.setFaults({ rate: 0 });
      assertSameRows(got, expected(emu), 'faulted read');
      const kinds = new Set(faults.map((f) => f.fault));
      assert.deepEqual([...kinds].sort(), [...ALL_FAULT_KINDS].sort(), `every fault kind was injected (${faults.length} faults in ${emu.requests.length - firstRequest} requests)`);
      const retries = events.filter((e) => e.retryInMs !== undefined);
      assert.ok(retries.length >= faults.length / 2, `retries are visible in request events (${retries.length} for ${faults.length} faults)`);
      assert.ok(events.some((e) => e.operation === 'getAPISession' && e.attempt >= 1 && e.outcome === 'ok'), 'a new session was obtained');
      // Partitioned reads at concurrency 2 under the same faults also return the same rows.
      emu.setFaults({ rate: 0.1, kinds: ALL_FAULT_KINDS, seed: 8, retryAfterSeconds: 0 });
      const two = newClient({ timeoutMs: 1_500, concurrency: 2 });
      try {
        const part = await tally(two.readPartitioned(glSpec({ since: null, pageSize: 500 }), { partitions: 4 }));
        emu.setFaults({ rate: 0 });
        assertSameRows(part, expected(emu), 'partitioned faulted read');
      } finally {
        two.close();
      }
    } finally {
      emu.setFaults({ rate: 0 });
      faulty.close();
    }
  });
});
