import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { ConnectorError } from '../../../../main/core/errors';
import { createIntacctClient } from '../../../../main/core/intacct/intacct-client';
import { IntacctPermissionError } from '../../../../main/core/intacct/intacct-errors';
import { compileRowBuilder, parseObjectKey, splitRange } from '../../../../main/core/intacct/intacct-reader';
import { compileColumn, ZoneConverter } from '../../../../main/core/intacct/intacct-values';
import { zoneFromUserFormatting } from '../../../../main/core/intacct/intacct-client';
import type { IntacctResult } from '../../../../main/core/intacct/response-parser';
import type { IntacctClientOptions, Page, ReadSpec } from '../../../../main/core/intacct/intacct-types';
import type { ColumnDef, Row } from '../../../../main/core/streams/types';
import { authOk, CREDS, createFakeGateway, okResponse, resultFailure, type FakeGatewayOptions, type FakeRecord } from './fake-gateway';

const pad = (n: number) => String(n).padStart(2, '0');
/** Local (API user's zone) Intacct datetime text for 2026-03-dd hh:mm:ss. */
const wm = (day: number, h: number, m = 0, s = 0) => `03/${pad(day)}/2026 ${pad(h)}:${pad(m)}:${pad(s)}`;

/**
 * 23 GL detail rows with ties on WHENMODIFIED (several rows per second) and RECORDNOs that do not
 * follow WHENMODIFIED order, two books, one row without a department.
 */
function glRows(): FakeRecord[] {
  const rows: FakeRecord[] = [];
  const times = [wm(1, 9), wm(1, 9), wm(1, 9), wm(2, 10), wm(2, 10), wm(3, 11, 30), wm(3, 11, 30), wm(3, 11, 30), wm(3, 11, 30), wm(3, 11, 30)];
  for (let i = 0; i < 23; i++) {
    rows.push({
      RECORDNO: String(1000 + ((i * 7) % 23) * 3),
      WHENMODIFIED: times[i % times.length]!.replace(/^03\/0(\d)/, (_, d) => `03/0${Number(d) + Math.floor(i / times.length) * 3}`),
      BOOKID: i === 5 ? 'CASH' : 'ACCRUAL',
      AMOUNT: i % 2 ? `${i}.5` : `-${i * 100}`,
      BATCH_DATE: `03/${pad(1 + (i % 9))}/2026`,
      DEPARTMENTID: i === 3 ? '' : `D${i % 4}`,
      ISREVERSED: i % 3 === 0 ? 'true' : 'false',
    });
  }
  return rows;
}

const columns: ColumnDef[] = [
  { name: 'RECORDNO', source: 'RECORDNO', type: 'bigint', nullable: false },
  { name: 'WHENMODIFIED', source: 'WHENMODIFIED', type: 'timestamp', nullable: false },
  { name: 'AMOUNT', source: 'AMOUNT', type: 'numeric', precision: 18, scale: 2, nullable: true },
  { name: 'BATCH_DATE', source: 'BATCH_DATE', type: 'date', nullable: true },
  { name: 'DEPARTMENTID', source: 'DEPARTMENTID', type: 'text', nullable: true },
  { name: 'ISREVERSED', source: 'ISREVERSED', type: 'bool', nullable: true },
];

function setup(gw: Partial<FakeGatewayOptions> = {}, client: Partial<IntacctClientOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 3, 1, 12), true);
  const data = { GLDETAIL: glRows(), GLACCOUNT: [{ RECORDNO: '7', WHENMODIFIED: wm(1, 1) }], ...gw.data };
  const fake = createFakeGateway({ clock, ...gw, data });
  const c = createIntacctClient({ credentials: CREDS, fetch: fake.fetch, clock, random: () => 0.5, timeZone: 'America/New_York', ...client });
  return { clock, fake, client: c, data };
}

const spec = (extra: Partial<ReadSpec> = {}): ReadSpec => ({
  object: 'GLDETAIL',
  columns,
  filters: [{ field: 'BOOKID', op: 'equalto', value: 'ACCRUAL' }],
  pageSize: 4,
  ...extra,
});

async function collect(gen: AsyncGenerator<Page>): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const p of gen) pages.push(p);
  return pages;
}

/** Expected order: (WHENMODIFIED in UTC, RECORDNO), the fixed filter applied. */
function expected(rows: FakeRecord[], keep: (r: FakeRecord) => boolean = () => true) {
  const z = (t: string) => {
    const [d, h, mi, s] = [Number(t.slice(3, 5)), Number(t.slice(11, 13)), Number(t.slice(14, 16)), Number(t.slice(17, 19))];
    return Date.UTC(2026, 2, d, h, mi, s) + (d >= 8 ? 4 : 5) * 3600_000; // New York: DST from 8 March 2026
  };
  return rows
    .filter((r) => r.BOOKID === 'ACCRUAL' && keep(r))
    .map((r) => ({ recordNo: Number(r.RECORDNO), ms: z(r.WHENMODIFIED!) }))
    .sort((a, b) => a.ms - b.ms || a.recordNo - b.recordNo);
}

describe('readChanged', () => {
  it('pages by keyset over ties on WHENMODIFIED: every row once, in order, each page a resume point', async () => {
    const { client, fake, data } = setup();
    const pages = await collect(client.readChanged(spec()));
    const want = expected(data.GLDETAIL);
    const got = pages.flatMap((p) => p.rows.map((r) => r['RECORDNO']));
    assert.deepEqual(got, want.map((w) => w.recordNo));
    assert.equal(pages.length, Math.ceil(want.length / 4));
    assert.deepEqual(pages.map((p) => p.pageNo), pages.map((_, i) => i + 1));
    for (const p of pages) {
      const last = p.rows[p.rows.length - 1]!;
      assert.equal(p.cursor.recordNo, last['RECORDNO']);
      assert.equal(p.totalCount, want.length);
    }
    // Every page request used offset 0 and a filter built from the previous page's last row.
    const queries = fake.calls().filter((r) => r.object === 'GLDETAIL');
    assert.ok(queries.every((q) => String(q.query!['offset']) === '0' && String(q.query!['pagesize']) === '4'));
    assert.equal(queries[0]!.xml.includes('<or>'), false);
    assert.equal(queries[1]!.xml.includes('<or><greaterthan><field>WHENMODIFIED</field>'), true);
  });

  it('converts rows to typed cells with datetimes in UTC from the user zone', async () => {
    const { client } = setup();
    const [first] = await collect(client.readChanged(spec({ pageSize: 1, maxPages: 1 }))).catch(() => [] as Page[]);
    const { client: c2 } = setup();
    const rows: Row[] = [];
    for await (const p of c2.readChanged(spec())) rows.push(...p.rows);
    const r = rows.find((x) => x['RECORDNO'] === 1000)!; // source row 0: 03/01/2026 09:00:00 New York = 14:00 UTC
    assert.deepEqual(r, { RECORDNO: 1000, WHENMODIFIED: '2026-03-01 14:00:00', AMOUNT: '0.00', BATCH_DATE: '2026-03-01', DEPARTMENTID: 'D0', ISREVERSED: true });
    const noDept = rows.find((x) => x['RECORDNO'] === 1000 + ((3 * 7) % 23) * 3)!;
    assert.equal(noDept['DEPARTMENTID'], null);
    assert.equal(rows.find((x) => x['RECORDNO'] === 1000 + 7 * 3)!['AMOUNT'], '1.50');
    assert.ok(first === undefined || first.rows.length === 1);
  });

  it('resumes from any page cursor with exactly the remaining rows', async () => {
    const { client, data } = setup();
    const pages = await collect(client.readChanged(spec()));
    const all = pages.flatMap((p) => p.rows.map((r) => r['RECORDNO']));
    for (let i = 0; i < pages.length; i++) {
      const { client: again } = setup();
      const rest = (await collect(again.readChanged(spec({ since: pages[i]!.cursor })))).flatMap((p) => p.rows.map((r) => r['RECORDNO']));
      assert.deepEqual(rest, all.slice((i + 1) * 4), `resume after page ${i + 1}`);
    }
    assert.equal(all.length, expected(data.GLDETAIL).length);
  });

  it('with a look-back re-reads from cursor minus look-back, then pages strictly', async () => {
    const { client, data } = setup();
    const want = expected(data.GLDETAIL);
    const cursor = { whenModified: want[10]!.ms, recordNo: want[10]!.recordNo };
    const lookbackMs = 3600_000 * 24;
    const got = (await collect(client.readChanged(spec({ since: cursor, lookbackMs })))).flatMap((p) => p.rows.map((r) => r['RECORDNO']));
    assert.deepEqual(got, want.filter((w) => w.ms >= cursor.whenModified - lookbackMs).map((w) => w.recordNo));
  });

  it('stops at the upper bound (until) and applies date and RECORDNO ranges', async () => {
    const { client, data } = setup();
    const want = expected(data.GLDETAIL);
    const until = want[6]!.ms;
    const got = (await collect(client.readChanged(spec({ until })))).flatMap((p) => p.rows.map((r) => r['RECORDNO']));
    assert.deepEqual(got, want.filter((w) => w.ms <= until).map((w) => w.recordNo));

    const ranged = (await collect(setup().client.readChanged(spec({ recordNoRange: { from: 1010, to: 1040 }, dateRange: { column: 'BATCH_DATE', from: '2026-03-02', to: '2026-03-05' } }))))
      .flatMap((p) => p.rows);
    assert.ok(ranged.length > 0);
    for (const r of ranged) {
      assert.ok((r['RECORDNO'] as number) >= 1010 && (r['RECORDNO'] as number) <= 1040);
      assert.ok((r['BATCH_DATE'] as string) >= '2026-03-02' && (r['BATCH_DATE'] as string) <= '2026-03-05');
    }
  });

  it('is lazy: nothing is requested until a page is asked for, and one request per page', async () => {
    const { client, fake } = setup();
    const gen = client.readChanged(spec());
    await new Promise((r) => setImmediate(r));
    assert.equal(fake.requests.length, 0);
    await gen.next();
    assert.equal(fake.calls().length, 1);
    await gen.next();
    assert.equal(fake.calls().length, 2);
    await gen.return(undefined);
  });

  it('detects a loop when a page does not advance the key', async () => {
    const stuck = okResponse(
      authOk(Date.UTC(2026, 3, 1, 12), 3600_000),
      `<result><status>success</status><function>query</function><controlid>x</controlid><data listtype="GLDETAIL" totalcount="9" offset="0" count="2" numremaining="7"><GLDETAIL><RECORDNO>1</RECORDNO><WHENMODIFIED>${wm(1, 9)}</WHENMODIFIED></GLDETAIL><GLDETAIL><RECORDNO>2</RECORDNO><WHENMODIFIED>${wm(1, 9)}</WHENMODIFIED></GLDETAIL></data></result>`,
    );
    const { client } = setup({ script: (req) => (req.fn === 'query' ? { body: stuck } : undefined) });
    await assert.rejects(collect(client.readChanged(spec({ columns: columns.slice(0, 2) }))), (e: unknown) => e instanceof ConnectorError && e.code === 'LOOP_DETECTED' && /loop detected/.test(e.userMessage));
  });

  it('stops a runaway read at maxPages', async () => {
    const { client } = setup();
    await assert.rejects(collect(client.readChanged(spec({ maxPages: 2 }))), (e: unknown) => e instanceof ConnectorError && e.code === 'RUNAWAY_READ');
  });

  it('reads the zone with readUserFormatting when none is configured, else falls back to UTC', async () => {
    const zoned = setup({ userFormatting: '<data><userformatting><dateformat>mm/dd/yyyy</dateformat><timezone>GMT-05:00</timezone></userformatting></data>' }, { timeZone: undefined });
    const rows = (await collect(zoned.client.readChanged(spec()))).flatMap((p) => p.rows);
    assert.equal(rows.find((r) => r['RECORDNO'] === 1000)!['WHENMODIFIED'], '2026-03-01 14:00:00');
    const utc = setup({}, { timeZone: undefined });
    const rows2 = (await collect(utc.client.readChanged(spec()))).flatMap((p) => p.rows);
    assert.equal(rows2.find((r) => r['RECORDNO'] === 1000)!['WHENMODIFIED'], '2026-03-01 09:00:00');
    assert.equal(utc.fake.requests.filter((r) => r.fn === 'readUserFormatting').length, 1);
  });
});

describe('zoneFromUserFormatting', () => {
  const result = (raw: Record<string, unknown>) => ({ status: 'success', functionName: 'readUserFormatting', controlId: 'x', data: null, errors: [], raw }) as IntacctResult;
  it('finds a GMT offset or zone name wherever the (UNCONFIRMED) answer puts it', () => {
    assert.equal(zoneFromUserFormatting(result({ data: { userformatting: [{ gmtoffset: '-05:00', clock: '24' }] } })), '-05:00');
    assert.equal(zoneFromUserFormatting(result({ data: { user: { TIMEZONE: '(GMT-08:00) Pacific Time' } } })), '-08:00');
    assert.equal(zoneFromUserFormatting(result({ data: { prefs: { timezone: 'Europe/Paris' } } })), 'Europe/Paris');
    assert.equal(zoneFromUserFormatting(result({ data: { prefs: { locale: 'en_US' } } })), null);
  });
});

describe('readPartitioned', () => {
  it('returns exactly the rows of a plain read, across interleaved partitions', async () => {
    const { client } = setup();
    const plain = (await collect(client.readChanged(spec()))).flatMap((p) => p.rows);
    const { client: c2, fake } = setup();
    const pages = await collect(c2.readPartitioned(spec({ pageSize: 3 }), { partitions: 3 }));
    const rows = pages.flatMap((p) => p.rows);
    assert.equal(rows.length, plain.length);
    assert.deepEqual(new Set(rows.map((r) => r['RECORDNO'])), new Set(plain.map((r) => r['RECORDNO'])));
    assert.deepEqual([...rows].sort((a, b) => (a['RECORDNO'] as number) - (b['RECORDNO'] as number)), [...plain].sort((a, b) => (a['RECORDNO'] as number) - (b['RECORDNO'] as number)));
    // Bounds: one query each way, then only partitioned page queries.
    const queries = fake.calls().filter((r) => r.object === 'GLDETAIL');
    assert.equal(String(queries[0]!.query!['pagesize']), '1');
    assert.equal(String(queries[1]!.query!['pagesize']), '1');
    assert.ok(queries.slice(2).every((q) => q.xml.includes('<greaterthanorequalto><field>RECORDNO</field>')));
  });

  it('splits the last partition as it goes and still returns exactly the rows after a cursor', async () => {
    const { client, data } = setup();
    const want = expected(data.GLDETAIL);
    const since = { whenModified: want[5]!.ms, recordNo: want[5]!.recordNo };
    for (const lookbackMs of [0, 3600_000]) {
      const plain = (await collect(setup().client.readChanged(spec({ since, lookbackMs })))).flatMap((p) => p.rows.map((r) => r['RECORDNO'] as number));
      const parts = (await collect(client.readPartitioned(spec({ since, lookbackMs, pageSize: 2 }), { partitions: 1 }))).flatMap((p) => p.rows.map((r) => r['RECORDNO'] as number));
      assert.ok(plain.length > 0 && plain.length < want.length);
      assert.deepEqual([...parts].sort((a, b) => a - b), [...plain].sort((a, b) => a - b), `lookback ${lookbackMs}`);
    }
  });

  it('keeps the next request in flight while a page is parsed and consumed, one on the wire, buffering little', async () => {
    let active = 0;
    let peak = 0;
    const { client, fake } = setup({
      data: { GLDETAIL: Array.from({ length: 40 }, (_, i) => ({ RECORDNO: String(i + 1), WHENMODIFIED: wm(1, 9, 0, i % 3), BOOKID: 'ACCRUAL', AMOUNT: '1' })) },
      delay: async (req) => {
        if (req.object !== 'GLDETAIL') return;
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 15)); // the network wait
        active--;
      },
    });
    let consumed = 0;
    let pagesYielded = 0;
    let inFlightAtReceipt = 0;
    let maxAhead = 0;
    for await (const page of client.readPartitioned(spec({ pageSize: 4, columns: columns.slice(0, 3) }), { partitions: 4 })) {
      // When the consumer gets a page, the next request is already waiting on the network.
      if (active === 1) inFlightAtReceipt++;
      consumed += page.rows.length;
      pagesYielded++;
      const pageQueriesSent = fake.calls().filter((r) => r.object === 'GLDETAIL').length - 2;
      maxAhead = Math.max(maxAhead, pageQueriesSent - pagesYielded);
      await new Promise((r) => setTimeout(r, 3)); // the consumer's work
    }
    assert.equal(consumed, 40);
    assert.equal(peak, 1, 'concurrency 1: never two requests on the wire');
    // Every page but the last one or two (when nothing is left to fetch) overlapped a request.
    assert.ok(inFlightAtReceipt >= pagesYielded - 2, `${inFlightAtReceipt} of ${pagesYielded} pages arrived with a request in flight`);
    assert.ok(maxAhead <= 3, `at most a couple of pages ahead of the consumer (was ${maxAhead})`);
  });

  it('sends the next request before parsing the answer that just arrived', async () => {
    const log: string[] = [];
    const { client } = setup(
      {
        data: { GLDETAIL: Array.from({ length: 30 }, (_, i) => ({ RECORDNO: String(i + 1), WHENMODIFIED: wm(1, 9, 0, i % 3), BOOKID: 'ACCRUAL', AMOUNT: '1' })) },
        delay: async (req) => {
          if (req.object !== 'GLDETAIL') return;
          log.push('sent');
          await new Promise((r) => setTimeout(r, 5));
        },
      },
      { onEvent: (e) => e.operation === 'query GLDETAIL' && e.outcome === 'ok' && log.push('parsed') },
    );
    await collect(client.readPartitioned(spec({ pageSize: 4, columns: columns.slice(0, 3) }), { partitions: 3 }));
    let sent = 0;
    let parsed = 0;
    let overlapped = 0;
    for (const entry of log) {
      if (entry === 'sent') sent++;
      else if (++parsed < sent) overlapped++; // a later request was already out when this one was parsed
    }
    assert.ok(parsed >= 8);
    assert.ok(overlapped >= parsed - 3, `${overlapped} of ${parsed} answers were parsed with the next request already sent`);
  });

  it('yields nothing for an empty range and stops cleanly when the consumer breaks', async () => {
    const { client } = setup();
    assert.deepEqual(await collect(client.readPartitioned(spec({ filters: [{ field: 'BOOKID', op: 'equalto', value: 'NONE' }] }), { partitions: 2 })), []);
    for await (const p of client.readPartitioned(spec(), { partitions: 2 })) {
      assert.ok(p.rows.length > 0);
      break;
    }
  });

  it('uses both slots when the company allows two requests at once', async () => {
    let active = 0;
    let peak = 0;
    const { client } = setup(
      {
        data: { GLDETAIL: Array.from({ length: 40 }, (_, i) => ({ RECORDNO: String(i + 1), WHENMODIFIED: wm(1, 9, 0, i % 3), BOOKID: 'ACCRUAL', AMOUNT: '1' })) },
        delay: async (req) => {
          if (req.object !== 'GLDETAIL') return;
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        },
      },
      { concurrency: 2 },
    );
    const rows = (await collect(client.readPartitioned(spec({ pageSize: 4, columns: columns.slice(0, 3) }), { partitions: 4 }))).flatMap((p) => p.rows);
    assert.equal(rows.length, 40);
    assert.equal(peak, 2);
  });

  it('splits RECORDNO ranges into contiguous inclusive parts', () => {
    assert.deepEqual(splitRange(1, 10, 3), [{ from: 1, to: 4 }, { from: 5, to: 8 }, { from: 9, to: 10 }]);
    assert.deepEqual(splitRange(5, 5, 4), [{ from: 5, to: 5 }]);
    assert.deepEqual(splitRange(5, 4, 2), []);
  });
});

describe('count, bounds, keys, deletions, lookup', () => {
  it('counts and bounds the matching rows', async () => {
    const { client, data } = setup();
    const n = expected(data.GLDETAIL).length;
    assert.equal(await client.count(spec()), n);
    const nos = data.GLDETAIL.filter((r) => r.BOOKID === 'ACCRUAL').map((r) => Number(r.RECORDNO));
    assert.deepEqual(await client.recordNoBounds(spec()), { min: Math.min(...nos), max: Math.max(...nos), count: n });
  });

  it('reads keys only, keyset-paged on RECORDNO', async () => {
    const { client, data, fake } = setup({ data: { GLDETAIL: Array.from({ length: 4500 }, (_, i) => ({ RECORDNO: String(4500 - i), BOOKID: i % 2 ? 'ACCRUAL' : 'CASH' })) } });
    const pages: number[][] = [];
    for await (const keys of client.readKeys('GLDETAIL', [{ field: 'BOOKID', op: 'equalto', value: 'ACCRUAL' }])) pages.push(keys);
    const want = data.GLDETAIL.filter((r) => r.BOOKID === 'ACCRUAL').map((r) => Number(r.RECORDNO)).sort((a, b) => a - b);
    assert.deepEqual(pages.flat(), want);
    assert.deepEqual(pages.map((p) => p.length), [2000, 250]);
    assert.ok(fake.calls().every((q) => /<select><field>RECORDNO<\/field><\/select>/.test(q.xml)));
  });

  it('reads deletions from AUDITHISTORY, parsing suffixed object keys', async () => {
    const audit = [
      { OBJECTTYPE: 'apbill', OBJECTKEY: '101--REC', ACCESSMODE: 'D', ACCESSTIME: wm(10, 8) },
      { OBJECTTYPE: 'apbill', OBJECTKEY: '102', ACCESSMODE: 'D', ACCESSTIME: wm(11, 8) },
      { OBJECTTYPE: 'apbill', OBJECTKEY: '103', ACCESSMODE: 'M', ACCESSTIME: wm(11, 9) },
      { OBJECTTYPE: 'vendor', OBJECTKEY: '104', ACCESSMODE: 'D', ACCESSTIME: wm(11, 9) },
      { OBJECTTYPE: 'apbill', OBJECTKEY: '99', ACCESSMODE: 'D', ACCESSTIME: wm(2, 8) },
    ];
    const { client, fake } = setup({ data: { AUDITHISTORY: audit } });
    const out: { recordNo: number; deletedAt: number }[] = [];
    for await (const batch of client.readDeleted('APBILL', Date.UTC(2026, 2, 5))) out.push(...batch);
    assert.deepEqual(out, [
      { recordNo: 101, deletedAt: Date.UTC(2026, 2, 10, 12) },
      { recordNo: 102, deletedAt: Date.UTC(2026, 2, 11, 12) },
    ]);
    assert.ok(fake.calls()[0]!.xml.includes('<equalto><field>OBJECTTYPE</field><value>apbill</value></equalto>'));
    assert.equal(parseObjectKey('123--REC'), 123);
    assert.equal(parseObjectKey('abc'), null);
  });

  it('says plainly when the audit history is not readable', async () => {
    const { client } = setup({
      script: (req) =>
        req.object === 'AUDITHISTORY'
          ? { body: okResponse(authOk(Date.UTC(2026, 3, 1, 12), 3600_000), resultFailure('query', req.functionControlId, [{ errorno: 'PL04000005', description2: 'You do not have permission for API operation READ_BY_QUERY on objects of type audithistory' }])) }
          : undefined,
    });
    await assert.rejects(
      (async () => {
        for await (const _ of client.readDeleted('apbill', 0)) void _;
      })(),
      (e: unknown) =>
        e instanceof IntacctPermissionError && e.code === 'AUDIT_NOT_PERMITTED' && !e.retryable && /will not be removed from Tableau until a full reload/.test(e.userMessage),
    );
  });

  it('looks up fields, custom fields and relationships', async () => {
    const lookupXml = `<data listtype="All" count="1"><Type Name="GLDETAIL" DocumentType=""><Fields>
      <Field><ID>RECORDNO</ID><LABEL>Record number</LABEL><DATATYPE>INTEGER</DATATYPE><ISCUSTOM>false</ISCUSTOM></Field>
      <Field><ID>GLDIMFUNDING</ID><LABEL>Funding</LABEL><DATATYPE>TEXT</DATATYPE><ISCUSTOM>true</ISCUSTOM></Field>
      <Field><ID>DEPARTMENTID</ID><LABEL>Department</LABEL><DATATYPE>TEXT</DATATYPE><ISCUSTOM>false</ISCUSTOM></Field>
      </Fields><Relationships><Relationship><OBJECTPATH>DEPARTMENT</OBJECTPATH><OBJECTNAME>DEPARTMENT</OBJECTNAME><LABEL>Department</LABEL><RELATIONSHIPTYPE>MANY2ONE</RELATIONSHIPTYPE><RELATEDBY>DEPARTMENTID</RELATEDBY></Relationship></Relationships></Type></data>`;
    const { client } = setup({ lookup: lookupXml });
    assert.deepEqual(await client.lookup('GLDETAIL'), [
      { id: 'RECORDNO', label: 'Record number', type: 'INTEGER', isCustom: false },
      { id: 'GLDIMFUNDING', label: 'Funding', type: 'TEXT', isCustom: true },
      { id: 'DEPARTMENTID', label: 'Department', type: 'TEXT', isCustom: false, relationship: { objectPath: 'DEPARTMENT', objectName: 'DEPARTMENT', type: 'MANY2ONE', relatedBy: 'DEPARTMENTID' } },
    ]);
  });
});

describe('testConnection', () => {
  it('passes all three steps with good credentials', async () => {
    const { client } = setup();
    const r = await client.testConnection();
    assert.equal(r.ok, true);
    assert.deepEqual(r.steps.map((s) => [s.name, s.ok]), [['Sender credentials', true], ['User sign-in', true], ['Read one record', true]]);
  });

  it('names the first failing step and why', async () => {
    const sender = await setup({}, { credentials: { ...CREDS, senderPassword: 'wrong' } }).client.testConnection();
    assert.deepEqual(sender.steps.map((s) => [s.name, s.ok]), [['Sender credentials', false]]);
    assert.match(sender.steps[0]!.message, /Sender ID or password is wrong/);

    const user = await setup({}, { credentials: { ...CREDS, userPassword: 'wrong' } }).client.testConnection();
    assert.deepEqual(user.steps.map((s) => [s.name, s.ok]), [['Sender credentials', true], ['User sign-in', false]]);
    assert.match(user.steps[1]!.message, /user ID, company ID and user password/);

    const read = await setup({ script: (req) => (req.fn === 'query' ? { body: okResponse(authOk(Date.UTC(2026, 3, 1, 12), 3600_000), resultFailure('query', req.functionControlId, [{ errorno: 'PL04000005', description2: 'You do not have permission' }])) } : undefined) }).client.testConnection();
    assert.equal(read.ok, false);
    assert.deepEqual(read.steps.map((s) => [s.name, s.ok]), [['Sender credentials', true], ['User sign-in', true], ['Read one record', false]]);
    assert.match(read.steps[2]!.message, /permission/);
  });
});

describe('compileRowBuilder', () => {
  const z = new ZoneConverter('UTC');
  const def = (name: string, source: string, type: ColumnDef['type'], scale?: number): ColumnDef => ({ name, source, type, nullable: true, ...(scale === undefined ? {} : { scale }) });
  const build = (cols: ColumnDef[]) => compileRowBuilder(cols, cols.map((c) => compileColumn(c, z)));

  it('builds typed rows from flat and nested records, with empty and missing elements as null', () => {
    const cols = [
      def('RECORDNO', 'RECORDNO', 'bigint'),
      def('JOURNAL_SYMBOL', 'JOURNAL.SYMBOL', 'text'),
      def('AMOUNT', 'AMOUNT', 'numeric', 2),
      def('WHENMODIFIED', 'WHENMODIFIED', 'timestamp'),
      def('VENDORID', 'VENDORID', 'text'),
      def('MISSING', 'MISSING', 'date'),
    ];
    const buildRow = build(cols);
    assert.deepEqual(buildRow({ RECORDNO: '7', 'JOURNAL.SYMBOL': 'GJ', AMOUNT: '1.5', WHENMODIFIED: '01/02/2026 03:04:05', VENDORID: '' }), {
      RECORDNO: 7,
      JOURNAL_SYMBOL: 'GJ',
      AMOUNT: '1.50',
      WHENMODIFIED: '2026-01-02 03:04:05',
      VENDORID: null,
      MISSING: null,
    });
    // Related fields may come back nested (UNCONFIRMED, recordValue accepts both); an element with
    // attributes comes back as an object with '#text'.
    const nested = buildRow({ RECORDNO: '8', JOURNAL: { SYMBOL: 'AP' }, AMOUNT: { '#text': '-2', '@_x': '1' }, WHENMODIFIED: '01/02/2026 03:04:05', VENDORID: 'V1' });
    assert.deepEqual(nested, { RECORDNO: 8, JOURNAL_SYMBOL: 'AP', AMOUNT: '-2.00', WHENMODIFIED: '2026-01-02 03:04:05', VENDORID: 'V1', MISSING: null });
    assert.throws(() => buildRow({ RECORDNO: 'x' }), ConnectorError);
  });

  it('keeps any column name a plain key, quotes and __proto__ included', () => {
    const odd = [def('a"b\\c\u2028', 'SRC', 'text'), def('constructor', 'C', 'text')];
    assert.deepEqual(build(odd)({ SRC: 'v', C: 'w' }), { 'a"b\\c\u2028': 'v', constructor: 'w' });
    const proto = build([def('__proto__', 'P', 'text'), def('X', 'X', 'bigint')])({ P: 'p', X: '1' });
    assert.equal(Object.getPrototypeOf(proto), Object.prototype);
    assert.deepEqual(Object.keys(proto), ['__proto__', 'X']);
    assert.equal(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value, 'p');
  });
});
