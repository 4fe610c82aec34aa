// The Intacct client against the Intacct emulator (issue 2, acceptance 3 and 4).
//
// Sized for the test suite: GL_ROWS ACCRUAL GL detail rows (the bench, scripts/bench-intacct.ts,
// covers 1,000,000). Both sides use the real clock; retries use tiny delays so faults cost little.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../main/core/clock';
import { createNodeFetch } from '../../main/core/http/transport';
import type { RequestEvent } from '../../main/core/http/request-events';
import { ConnectorError } from '../../main/core/errors';
import { createIntacctClient, IntacctPermissionError, type IntacctClient, type Page, type ReadSpec } from '../../main/core/intacct';
import { ALL_FAULT_KINDS, startIntacctEmulator, decimalToUnits, parseDateTime, type IntacctEmulator } from '../../main/emulators/intacct';
import { streamByName } from '../../main/core/streams/definitions';

// 100,000 rows take 20–45 s per full read here (fast-xml-parser bound, see the bench), and this file
// reads the table five times; 20,000 keeps the suite fast. The bench reads 1,000,000.
// INTACCT_IT_GL_ROWS=100000 runs the full-size check (about a minute on a quiet machine).
const GL_ROWS = Number(process.env.INTACCT_IT_GL_ROWS ?? 20_000);
const glDetail = streamByName('gl_detail');
const vendorStream = streamByName('vendor');

const glSpec = (extra: Partial<ReadSpec> = {}): ReadSpec => ({ object: 'GLDETAIL', columns: glDetail.columns, filters: glDetail.filters, ...extra });
/** A full read partitioned by the stream's backfill date column (BATCH_DATE), from the earliest books. */
const partitionedSpec = (extra: Partial<ReadSpec> = {}): ReadSpec => glSpec({ partitionColumn: glDetail.backfillDateColumn!, ...extra });

interface Tally {
  count: number;
  sum: bigint;
  debit: bigint;
  /** GLDETAIL RECORDNOs: text such as `200000-1000000-30001--accrual`. */
  keys: Set<string>;
  last: Page['cursor'] | null;
  pages: number;
}

async function tally(pages: AsyncIterable<Page>, onPage?: (n: number) => void): Promise<Tally> {
  const t: Tally = { count: 0, sum: 0n, debit: 0n, keys: new Set(), last: null, pages: 0 };
  for await (const page of pages) {
    t.pages++;
    for (const row of page.rows) {
      t.count++;
      assert.equal(typeof row.RECORDNO, 'string');
      t.keys.add(row.RECORDNO as string);
      t.sum += decimalToUnits(row.AMOUNT as string);
      if (row.DEBITAMOUNT !== null) t.debit += decimalToUnits(row.DEBITAMOUNT as string);
    }
    // Keyset pages come in cursor order; on a tie the later page's cursor is the resume point.
    if (!t.last || page.cursor.whenModified >= t.last.whenModified) t.last = page.cursor;
    onPage?.(t.pages);
  }
  return t;
}

/** What the emulator holds for the ACCRUAL book, computed from its records. */
function expected(emu: IntacctEmulator, filter?: (r: Record<string, string>) => boolean) {
  let count = 0;
  let sum = 0n;
  let debit = 0n;
  const keys = new Set<string>();
  for (const r of emu.company.list('GLDETAIL', (x) => x.BOOKID === 'ACCRUAL' && (!filter || filter(x)))) {
    count++;
    keys.add(r.RECORDNO!);
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

describe('intacct client against the emulator', { timeout: Math.max(240_000, GL_ROWS * 8) }, () => {
  let emu: IntacctEmulator;
  let client: IntacctClient;
  const events: RequestEvent[] = [];
  const fetch = createNodeFetch();
  const newClient = (opts: { timeoutMs?: number; concurrency?: number; timeZone?: string } = {}) =>
    createIntacctClient({
      credentials: { ...emu.credentials },
      endpoint: emu.url,
      allowedEndpointHosts: () => true,
      fetch,
      clock: systemClock,
      timeoutMs: opts.timeoutMs ?? 30_000,
      concurrency: opts.concurrency ?? 1,
      retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 10, maxRetryAfterMs: 2_000 },
      ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
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
    // The generated rows, plus the few the sample company holds without a WHENMODIFIED.
    assert.equal(expected(emu, (r) => r.WHENMODIFIED !== '').count, GL_ROWS);
    assert.ok(expected(emu, (r) => r.WHENMODIFIED === '').count > 0);
    fullCursor = got.last;
    assert.ok(client.transactions >= Math.ceil(GL_ROWS / 2000));
  });

  it('converts values exactly: escaped text, decimals, UTC timestamps and dates', async () => {
    // One week of GL lines by BATCH_DATE (a few hundred rows), compared field by field with the records.
    const iso = (mdy: string) => (mdy ? `${mdy.slice(6, 10)}-${mdy.slice(0, 2)}-${mdy.slice(3, 5)}` : null);
    const accrual = [...emu.company.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL')];
    const from = iso(accrual[Math.floor(accrual.length / 2)]!.BATCH_DATE!)!;
    const to = new Date(Date.parse(`${from}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
    const want = accrual.filter((r) => iso(r.BATCH_DATE!)! >= from && iso(r.BATCH_DATE!)! <= to);
    assert.ok(want.length >= 100, `${want.length} rows in the week`);
    const got: Record<string, unknown>[] = [];
    for await (const page of client.readChanged(glSpec({ since: null, pageSize: 150, dateRange: { column: 'BATCH_DATE', from, to } }))) got.push(...page.rows);
    assert.equal(got.length, want.length);
    const byKey = new Map(got.map((g) => [g.RECORDNO as string, g]));
    assert.equal(byKey.size, got.length);
    assert.ok(
      want.some((w) => w.CURRENCY !== w.BASECURR),
      'the week has foreign-currency lines',
    );
    for (const w of want) {
      const g = byKey.get(w.RECORDNO!)!;
      assert.ok(g, `row ${w.RECORDNO} read`);
      assert.equal(g.RECORDNO, w.RECORDNO, 'RECORDNO is the text Intacct sent');
      assert.equal(g.DESCRIPTION, w.DESCRIPTION === '' ? null : w.DESCRIPTION);
      assert.equal(decimalToUnits(g.AMOUNT as string), decimalToUnits(w.AMOUNT!));
      assert.equal(g.TRX_AMOUNT === null ? null : decimalToUnits(g.TRX_AMOUNT as string), w.TRX_AMOUNT ? decimalToUnits(w.TRX_AMOUNT) : null);
      assert.equal(g.CURRENCY, w.CURRENCY || null);
      assert.equal(g.BASECURR, w.BASECURR || null);
      const wm = new Date(parseDateTime(w.WHENMODIFIED!, 0)!).toISOString().replace('T', ' ').slice(0, 19);
      assert.equal(g.WHENMODIFIED, wm);
      assert.equal(g.BATCH_DATE, iso(w.BATCH_DATE!));
      assert.equal(g.WHENCREATED, iso(w.WHENCREATED!), 'WHENCREATED is a DATE on GLDETAIL');
      assert.equal(g.DEPARTMENTID, w.DEPARTMENTID === '' ? null : w.DEPARTMENTID);
      assert.equal(g.LOCATIONID, w.LOCATIONID === '' ? null : w.LOCATIONID);
    }
  });

  it('reads vendors with awkward names exactly', async () => {
    const names: string[] = [];
    for await (const page of client.readChanged({ object: 'VENDOR', columns: vendorStream.columns, since: null }))
      names.push(...page.rows.map((r) => r.NAME as string));
    const want = [...emu.company.rows('VENDOR')].map((v) => v.NAME);
    assert.deepEqual([...names].sort(), [...want].sort());
    assert.ok(names.includes('Smith & <Sons> "Ltd"'));
  });

  it('an incremental read after edits and additions returns exactly the changed rows', async () => {
    assert.ok(fullCursor, 'the full read ran');
    const accrual = [...emu.company.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL' && r.WHENMODIFIED !== '')];
    const changed = new Set<string>();
    for (let k = 0; k < 40; k++) {
      const r = accrual[(k * 2477) % accrual.length]!;
      emu.company.edit('GLDETAIL', r.RECORDNO!, { AMOUNT: '12345.67', DEBITAMOUNT: '12345.67', CREDITAMOUNT: '0' });
      changed.add(r.RECORDNO!);
    }
    // Added lines get later batch keys, which sort before the existing ones as text.
    for (let k = 0; k < 7; k++)
      changed.add(
        emu.company.add('GLDETAIL', {
          BOOKID: 'ACCRUAL',
          BATCH_DATE: '11/24/2026',
          ACCOUNTNO: '6400',
          AMOUNT: `-${k}.05`,
          CREDITAMOUNT: `${k}.05`,
          DEBITAMOUNT: '0',
        }),
      );
    assert.ok(
      [...changed].some((k) => k < accrual[0]!.RECORDNO!),
      'some changed keys sort before every old key',
    );
    const cash = emu.company.list('GLDETAIL', (r) => r.BOOKID === 'CASH').next().value!;
    emu.company.edit('GLDETAIL', cash.RECORDNO!, { DESCRIPTION: 'cash-book edit, not in ACCRUAL' });
    const deleted = accrual[5]!.RECORDNO!;
    emu.company.remove('GLDETAIL', deleted);
    const got = await tally(client.readChanged(glSpec({ since: fullCursor, until: systemClock.now() + 1000 })));
    // The changed rows, and the rows without a WHENMODIFIED, which every read passes over again.
    const blank = expected(emu, (r) => r.WHENMODIFIED === '');
    assert.deepEqual([...got.keys].sort(), [...changed, ...blank.keys].sort());
    const sumChanged = [...changed].reduce((sum, rno) => sum + decimalToUnits(emu.company.get('GLDETAIL', rno)!.AMOUNT!), 0n);
    assert.equal(got.sum, sumChanged + blank.sum);
    // And a full read now matches the changed company.
    const full = await tally(client.readChanged(glSpec({ since: null })));
    assertSameRows(full, expected(emu), 'full read after changes');
    assert.ok(!full.keys.has(deleted));
  });

  it('reads and counts records whose WHENMODIFIED is empty, in full, incremental and partitioned reads', async () => {
    const before = await tally(client.readChanged(glSpec({ since: null })));
    const cursor = before.last!;
    // Production connectors report new records with an empty WHENMODIFIED (intacct-xml.md §9): no
    // WHENMODIFIED window selects them, so every read makes a pass for them.
    const blanks: string[] = [];
    for (let k = 0; k < 5; k++) {
      blanks.push(
        emu.company.add(
          'GLDETAIL',
          { BOOKID: 'ACCRUAL', BATCH_DATE: `03/0${k + 1}/2025`, ACCOUNTNO: '6400', AMOUNT: `${k}.11`, DEBITAMOUNT: `${k}.11`, CREDITAMOUNT: '0' },
          { whenModified: null },
        ),
      );
    }
    const cashBlank = emu.company.add(
      'GLDETAIL',
      { BOOKID: 'CASH', BATCH_DATE: '03/01/2025', ACCOUNTNO: '6400', AMOUNT: '9.99', DEBITAMOUNT: '9.99', CREDITAMOUNT: '0' },
      { whenModified: null },
    );
    for (const b of blanks) assert.equal(emu.company.get('GLDETAIL', b)!.WHENMODIFIED, '');

    const full = await tally(client.readChanged(glSpec({ since: null })));
    assertSameRows(full, expected(emu), 'full read with empty WHENMODIFIED rows');
    for (const b of blanks) assert.ok(full.keys.has(b), `blank ${b} read`);
    assert.ok(!full.keys.has(cashBlank), 'the book filter applies to them too');
    assert.equal(full.count, before.count + blanks.length);
    assert.equal(await client.count(glSpec({ since: null })), expected(emu).count, 'count() includes them');

    // Incremental: nothing changed since the cursor but the blanks, which are read (and counted) again.
    const until = systemClock.now() + 1000;
    const inc = await tally(client.readChanged(glSpec({ since: cursor, until })));
    const allBlank = expected(emu, (r) => r.WHENMODIFIED === '');
    for (const b of blanks) assert.ok(allBlank.keys.has(b));
    assert.deepEqual([...inc.keys].sort(), [...allBlank.keys].sort());
    assert.equal(inc.sum, allBlank.sum);
    assert.deepEqual(inc.last, cursor, 'their pages carry the last changed cursor: the checkpoint does not move back');
    assert.equal(await client.count(glSpec({ since: cursor, until })), allBlank.count);

    const part = await tally(client.readPartitioned(partitionedSpec({ since: null, pageSize: 1000 }), { partitions: 3 }));
    assertSameRows(part, expected(emu), 'partitioned read with empty WHENMODIFIED rows');
  });

  it('reports deletions from AUDITHISTORY, and says plainly when it is not readable', async () => {
    const since = Math.floor(systemClock.now() / 1000) * 1000 - 1000;
    const bills = [...emu.company.rows('APBILL')];
    const victims = [Number(bills[10]!.RECORDNO), Number(bills[20]!.RECORDNO), Number(bills[30]!.RECORDNO)];
    for (const v of victims) emu.company.remove('APBILL', v);
    emu.company.remove('VENDOR', 7);
    const seen: number[] = [];
    for await (const batch of client.readDeleted('apbill', since)) seen.push(...batch.map((d) => d.recordNo));
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      victims.sort((a, b) => a - b),
    );
    emu.setAuditHistoryPermitted(false);
    try {
      await assert.rejects(
        async () => {
          for await (const _ of client.readDeleted('apbill', since)) void _;
        },
        (err: unknown) => err instanceof IntacctPermissionError && (err as IntacctPermissionError).code === 'AUDIT_NOT_PERMITTED',
      );
    } finally {
      emu.setAuditHistoryPermitted(true);
    }
  });

  it('discovers custom fields and user-defined dimensions with lookup', async () => {
    const gl = await client.lookup('GLDETAIL');
    const vendor = await client.lookup('VENDOR');
    // As recorded: a user-defined dimension is not ISCUSTOM; it is known by its relationship to the
    // dimension's object (docs/reference/intacct-objects.md).
    const channel = gl.find((f) => f.id === 'GLDIMSALES_CHANNEL');
    assert.ok(channel && !channel.isCustom && channel.type === 'TEXT', 'the user-defined GL dimension is found');
    assert.equal(channel.relationship?.objectName, 'SALES_CHANNEL');
    assert.ok(gl.some((f) => f.id === 'AMOUNT' && !f.isCustom));
    assert.equal(gl.find((f) => f.id === 'RECORDNO')?.type, 'TEXT');
    assert.deepEqual(
      vendor
        .filter((f) => f.isCustom)
        .map((f) => f.id)
        .sort(),
      ['VENDOR_CF_BOOL', 'VENDOR_CF_NUMBER', 'VENDOR_CF_TEXT'],
      'the vendor custom fields are found',
    );
  });

  it('testConnection names the failing step: sender, unauthorised sender, user sign-in', async () => {
    const ok = await client.testConnection();
    assert.equal(ok.ok, true);
    assert.deepEqual(
      ok.steps.map((x) => x.name),
      ['Sender credentials', 'User sign-in', 'User preferences', 'Read one record'],
    );
    const probe = async (change: Partial<typeof emu.credentials>) => {
      const c = createIntacctClient({
        credentials: { ...emu.credentials, ...change },
        endpoint: emu.url,
        allowedEndpointHosts: () => true,
        fetch,
        clock: systemClock,
        retry: { baseDelayMs: 5, maxAttempts: 2 },
      });
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

  it('asks for smaller pages when GL pages time out at the front door (HTTP 524), and gives up plainly when even small ones do', async () => {
    const fields = new Set([...glDetail.columns.map((c) => c.source), 'RECORDNO', 'WHENMODIFIED']).size;
    const c = newClient();
    try {
      // Pages of more than 600 rows time out: 2000 and 1000 fail, 500 fits.
      emu.setGl524Cells(fields * 600);
      const first = emu.requests.length;
      const got = await tally(c.readChanged(glSpec({ since: null })));
      assertSameRows(got, expected(emu), 'read narrowed after 524s');
      const gl = emu.requests.slice(first).filter((r) => r.object === 'GLDETAIL');
      assert.equal(gl.filter((r) => r.status === 524).length, 2, 'two 524s: 2000 and 1000 rows');
      assert.ok(
        gl.filter((r) => r.status === 200).every((r) => (r.rows ?? 0) <= 500),
        'every answered page fits',
      );
      assert.ok(got.pages >= Math.ceil(GL_ROWS / 500));

      // Even the smallest page times out: a few tries after pauses, then a plain error, not a loop.
      emu.setGl524Cells(1);
      const again = emu.requests.length;
      await assert.rejects(
        tally(c.readChanged(glSpec({ since: null }))),
        (e: unknown) =>
          e instanceof ConnectorError && e.code === 'HTTP_524' && /took too long/.test(e.userMessage) && /narrow the date range/.test(e.userMessage),
      );
      const timeouts = emu.requests.slice(again).filter((r) => r.object === 'GLDETAIL' && r.status === 524).length;
      assert.ok(timeouts >= 4 && timeouts <= 10, `${timeouts} timed-out pages before giving up`);
    } finally {
      emu.setGl524Cells(250_000);
      c.close();
    }
  });

  it('refuses an API user whose date format or clock it cannot read, naming the preference, and never guesses when they are unreadable', async () => {
    const cases: [{ dateFormat?: string; clock?: 12 | 24 }, RegExp][] = [
      [{ dateFormat: '/dmY' }, /date format is '\/dmY'.*Date format to MM\/DD\/YYYY/],
      [{ clock: 12 }, /clock is 12-hour.*Time format to 24-hour/],
    ];
    for (const [prefs, message] of cases) {
      emu.setUserFormatting(prefs);
      const c = newClient();
      try {
        const first = emu.requests.length;
        await assert.rejects(
          tally(c.readChanged(glSpec({ since: null }))),
          (e: unknown) => e instanceof ConnectorError && e.code === 'USER_DATE_FORMAT' && !e.retryable && message.test(e.userMessage),
        );
        assert.equal(emu.requests.slice(first).filter((r) => r.object === 'GLDETAIL').length, 0, 'no GL row was read');
        const t = await c.testConnection();
        assert.equal(t.ok, false);
        const failed = t.steps.find((x) => !x.ok)!;
        assert.equal(failed.name, 'User preferences');
        assert.match(failed.message, message);
      } finally {
        emu.setUserFormatting({ dateFormat: '/mdY', clock: 24 });
        c.close();
      }
    }
    emu.setUserFormattingRefused(true);
    const refused = newClient();
    const zoned = newClient({ timeZone: 'UTC' });
    try {
      await assert.rejects(
        refused.count(glSpec({ since: null })),
        (e: unknown) =>
          e instanceof ConnectorError &&
          e.code === 'PREFERENCES_UNREADABLE' &&
          /preferences/.test(e.userMessage) &&
          /permission/.test(e.userMessage) &&
          /Settings/.test(e.userMessage),
      );
      const t = await refused.testConnection();
      assert.equal(t.steps.find((x) => !x.ok)?.name, 'User preferences');
      // With the zone set in Settings the person vouched for the user's preferences: reads go on.
      assert.equal(await zoned.count(glSpec({ since: null })), expected(emu).count);
    } finally {
      emu.setUserFormattingRefused(false);
      refused.close();
      zoned.close();
    }
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
      assert.deepEqual(
        [...kinds].sort(),
        [...ALL_FAULT_KINDS].sort(),
        `every fault kind was injected (${faults.length} faults in ${emu.requests.length - firstRequest} requests)`,
      );
      const retries = events.filter((e) => e.retryInMs !== undefined);
      assert.ok(retries.length >= faults.length / 2, `retries are visible in request events (${retries.length} for ${faults.length} faults)`);
      assert.ok(
        events.some((e) => e.operation === 'getAPISession' && e.attempt >= 1 && e.outcome === 'ok'),
        'a new session was obtained',
      );
      // Partitioned reads at concurrency 2 under the same faults also return the same rows.
      emu.setFaults({ rate: 0.1, kinds: ALL_FAULT_KINDS, seed: 8, retryAfterSeconds: 0 });
      const two = newClient({ timeoutMs: 1_500, concurrency: 2 });
      try {
        const part = await tally(two.readPartitioned(partitionedSpec({ since: null, pageSize: 500 }), { partitions: 4 }));
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
