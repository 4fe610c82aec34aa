import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { ConnectorError } from '../../../../main/core/errors';
import { createIntacctClient } from '../../../../main/core/intacct/intacct-client';
import { IntacctPermissionError } from '../../../../main/core/intacct/intacct-errors';
import { compileRowBuilder, datePartitions, parseObjectKey, splitRange } from '../../../../main/core/intacct/intacct-reader';
import { RowConverter } from '../../../../main/core/intacct/row-builder';
import { compileColumn, ZoneConverter } from '../../../../main/core/intacct/intacct-values';
import { zoneFromUserFormatting } from '../../../../main/core/intacct/intacct-client';
import type { IntacctResult } from '../../../../main/core/intacct/response-parser';
import type { IntacctClientOptions, Page, ReadSpec } from '../../../../main/core/intacct/intacct-types';
import type { ColumnDef, Row } from '../../../../main/core/streams/types';
import { authOk, CREDS, createFakeGateway, okResponse, resultFailure, USER_FORMATTING_OK, type FakeGatewayOptions, type FakeRecord } from './fake-gateway';

const pad = (n: number) => String(n).padStart(2, '0');
/** Local (API user's zone) Intacct datetime text for 2026-03-dd hh:mm:ss. */
const wm = (day: number, h: number, m = 0, s = 0) => `03/${pad(day)}/2026 ${pad(h)}:${pad(m)}:${pad(s)}`;

/**
 * GLDETAIL's RECORDNO is TEXT, `<batch>-<entry>-<line>--<book>` (docs/reference/intacct-objects.md):
 * batch keys of different lengths make text order differ from numeric order ('1175-…' < '62-…'),
 * so a reader that parsed or ordered keys itself would lose or repeat rows.
 */
const glKey = (i: number, book = 'accrual') => `${9 + ((i * 7) % 23) * 53}-${1000000 + i}-${30001 + i}--${book}`;
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * 23 GL detail rows with ties on WHENMODIFIED (several rows per second) and RECORDNOs that do not
 * follow WHENMODIFIED order, two books, one row without a department.
 */
function glRows(): FakeRecord[] {
  const rows: FakeRecord[] = [];
  const times = [wm(1, 9), wm(1, 9), wm(1, 9), wm(2, 10), wm(2, 10), wm(3, 11, 30), wm(3, 11, 30), wm(3, 11, 30), wm(3, 11, 30), wm(3, 11, 30)];
  for (let i = 0; i < 23; i++) {
    rows.push({
      RECORDNO: glKey(i, i === 5 ? 'cash' : 'accrual'),
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
  { name: 'RECORDNO', source: 'RECORDNO', type: 'text', nullable: false },
  { name: 'WHENMODIFIED', source: 'WHENMODIFIED', type: 'timestamp', nullable: true },
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

/** Expected order: (WHENMODIFIED in UTC, RECORDNO as text), the fixed filter applied. */
function expected(rows: FakeRecord[], keep: (r: FakeRecord) => boolean = () => true) {
  const z = (t: string) => {
    const [d, h, mi, s] = [Number(t.slice(3, 5)), Number(t.slice(11, 13)), Number(t.slice(14, 16)), Number(t.slice(17, 19))];
    return Date.UTC(2026, 2, d, h, mi, s) + (d >= 8 ? 4 : 5) * 3600_000; // New York: DST from 8 March 2026
  };
  return rows
    .filter((r) => r.BOOKID === 'ACCRUAL' && r.WHENMODIFIED && keep(r))
    .map((r) => ({ recordNo: r.RECORDNO!, ms: z(r.WHENMODIFIED!) }))
    .sort((a, b) => a.ms - b.ms || byText(a.recordNo, b.recordNo));
}

/** The rows of GLDETAIL queries (not preferences, lookups or sign-ins). */
const glQueries = (fake: ReturnType<typeof createFakeGateway>) => fake.calls().filter((r) => r.fn === 'query' && r.object === 'GLDETAIL');

describe('readChanged', () => {
  it('pages by keyset over ties on WHENMODIFIED: every row once, in order, each page a resume point', async () => {
    const { client, fake, data } = setup();
    const pages = await collect(client.readChanged(spec()));
    const want = expected(data.GLDETAIL);
    const got = pages.flatMap((p) => p.rows.map((r) => r['RECORDNO']));
    assert.deepEqual(
      got,
      want.map((w) => w.recordNo),
    );
    assert.ok(
      want.some((w, i) => i > 0 && Number(w.recordNo.split('-')[0]) < Number(want[i - 1]!.recordNo.split('-')[0]) && w.ms === want[i - 1]!.ms),
      'text order differs from numeric order within a tie',
    );
    assert.equal(pages.length, Math.ceil(want.length / 4));
    assert.deepEqual(
      pages.map((p) => p.pageNo),
      pages.map((_, i) => i + 1),
    );
    for (const p of pages) {
      const last = p.rows[p.rows.length - 1]!;
      assert.equal(p.cursor.recordNo, last['RECORDNO']);
      assert.equal(p.totalCount, want.length);
    }
    // Every page request used offset 0 and a filter built from the previous page's last row, the
    // key going back as the text Intacct sent.
    const queries = glQueries(fake);
    assert.ok(queries.every((q) => String(q.query!['offset']) === '0' && String(q.query!['pagesize']) === '4'));
    assert.equal(queries[0]!.xml.includes('<or>'), false);
    assert.equal(queries[1]!.xml.includes('<or><greaterthan><field>WHENMODIFIED</field>'), true);
    assert.ok(queries[1]!.xml.includes(`<greaterthan><field>RECORDNO</field><value>${want[3]!.recordNo}</value></greaterthan>`));
    // Then one pass for rows whose WHENMODIFIED is empty, keyed by RECORDNO alone (none here).
    const last = queries[queries.length - 1]!;
    assert.equal(queries.length, pages.length + 1);
    assert.ok(last.xml.includes('<isnull><field>WHENMODIFIED</field></isnull>'));
    assert.ok(/<orderby><order><field>RECORDNO<\/field><ascending\/><\/order><\/orderby>/.test(last.xml), last.xml);
  });

  it('reads rows whose WHENMODIFIED is empty in a pass of their own, after the changed rows, and counts them', async () => {
    const nulls: FakeRecord[] = [0, 1, 2].map((k) => ({
      RECORDNO: glKey(40 + k),
      WHENMODIFIED: '',
      BOOKID: 'ACCRUAL',
      AMOUNT: `${k}.25`,
      BATCH_DATE: '03/04/2026',
      DEPARTMENTID: 'D9',
      ISREVERSED: 'false',
    }));
    nulls.push({
      RECORDNO: glKey(50, 'cash'),
      WHENMODIFIED: '',
      BOOKID: 'CASH',
      AMOUNT: '9',
      BATCH_DATE: '03/04/2026',
      DEPARTMENTID: 'D9',
      ISREVERSED: 'false',
    });
    const { client, fake, data } = setup({ data: { GLDETAIL: [...nulls.slice(0, 2), ...glRows(), ...nulls.slice(2)] } });
    const want = expected(data.GLDETAIL);
    const nullKeys = nulls
      .filter((r) => r.BOOKID === 'ACCRUAL')
      .map((r) => r.RECORDNO!)
      .sort(byText);
    const pages = await collect(client.readChanged(spec()));
    const got = pages.flatMap((p) => p.rows.map((r) => r['RECORDNO']));
    assert.deepEqual(got, [...want.map((w) => w.recordNo), ...nullKeys], 'changed rows in keyset order, then the empty-WHENMODIFIED rows by RECORDNO');
    const nullRows = pages.flatMap((p) => p.rows).filter((r) => r['WHENMODIFIED'] === null);
    assert.deepEqual(
      nullRows.map((r) => r['AMOUNT']),
      ['0.25', '1.25', '2.25'],
    );
    // Their pages carry the changed rows' last cursor: a checkpoint never moves back.
    const lastChanged = pages.find((p) => p.rows.some((r) => r['RECORDNO'] === want[want.length - 1]!.recordNo))!.cursor;
    for (const p of pages.filter((x) => x.rows.some((r) => r['WHENMODIFIED'] === null))) assert.deepEqual(p.cursor, lastChanged);
    const nullPass = glQueries(fake).filter((q) => q.xml.includes('<isnull><field>WHENMODIFIED</field></isnull>'));
    assert.ok(nullPass.length >= 1 && nullPass.every((q) => q.xml.includes('<equalto><field>BOOKID</field><value>ACCRUAL</value></equalto>')));
    // count() covers both: what a full read returns.
    assert.equal(await client.count(spec()), want.length + nullKeys.length);
    // An incremental read from the last cursor has no changed rows but still reads the empty ones
    // (no WHENMODIFIED window can select them).
    const again = (await collect(setup({ data: { GLDETAIL: data.GLDETAIL } }).client.readChanged(spec({ since: lastChanged })))).flatMap((p) =>
      p.rows.map((r) => r['RECORDNO']),
    );
    assert.deepEqual(again, nullKeys);
  });

  it('converts rows to typed cells with datetimes in UTC from the user zone', async () => {
    const { client } = setup();
    const [first] = await collect(client.readChanged(spec({ pageSize: 1, maxPages: 1 }))).catch(() => [] as Page[]);
    const { client: c2 } = setup();
    const rows: Row[] = [];
    for await (const p of c2.readChanged(spec())) rows.push(...p.rows);
    const r = rows.find((x) => x['RECORDNO'] === glKey(0))!; // source row 0: 03/01/2026 09:00:00 New York = 14:00 UTC
    assert.deepEqual(r, {
      RECORDNO: glKey(0),
      WHENMODIFIED: '2026-03-01 14:00:00',
      AMOUNT: '0.00',
      BATCH_DATE: '2026-03-01',
      DEPARTMENTID: 'D0',
      ISREVERSED: true,
    });
    const noDept = rows.find((x) => x['RECORDNO'] === glKey(3))!;
    assert.equal(noDept['DEPARTMENTID'], null);
    assert.equal(rows.find((x) => x['RECORDNO'] === glKey(1))!['AMOUNT'], '1.50');
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
    assert.deepEqual(
      got,
      want.filter((w) => w.ms >= cursor.whenModified - lookbackMs).map((w) => w.recordNo),
    );
  });

  it('stops at the upper bound (until) and applies date and RECORDNO ranges', async () => {
    const { client, data } = setup();
    const want = expected(data.GLDETAIL);
    const until = want[6]!.ms;
    const got = (await collect(client.readChanged(spec({ until })))).flatMap((p) => p.rows.map((r) => r['RECORDNO']));
    assert.deepEqual(
      got,
      want.filter((w) => w.ms <= until).map((w) => w.recordNo),
    );

    const dated = (await collect(setup().client.readChanged(spec({ dateRange: { column: 'BATCH_DATE', from: '2026-03-02', to: '2026-03-05' } })))).flatMap(
      (p) => p.rows,
    );
    assert.equal(dated.length, expected(data.GLDETAIL, (r) => r.BATCH_DATE! >= '03/02/2026' && r.BATCH_DATE! <= '03/05/2026').length);
    assert.ok(dated.length > 0);
    for (const r of dated) assert.ok((r['BATCH_DATE'] as string) >= '2026-03-02' && (r['BATCH_DATE'] as string) <= '2026-03-05');
    const before = (await collect(setup().client.readChanged(spec({ dateRange: { column: 'BATCH_DATE', from: '2026-03-02', before: '2026-03-05' } })))).flatMap(
      (p) => p.rows,
    );
    assert.equal(before.length, expected(data.GLDETAIL, (r) => r.BATCH_DATE! >= '03/02/2026' && r.BATCH_DATE! < '03/05/2026').length);

    // RECORDNO ranges are for integer keys (APBILL here), compared as numbers: 8..21, not '8'..'21' as text.
    const bills = Array.from({ length: 30 }, (_, i) => ({ RECORDNO: String(i + 1), WHENMODIFIED: wm(1 + (i % 9), 9) }));
    const billColumns: ColumnDef[] = [{ name: 'RECORDNO', source: 'RECORDNO', type: 'bigint', nullable: false }, columns[1]!];
    const ranged = (
      await collect(
        setup({ data: { APBILL: bills } }).client.readChanged({ object: 'APBILL', columns: billColumns, pageSize: 4, recordNoRange: { from: 8, to: 21 } }),
      )
    ).flatMap((p) => p.rows);
    assert.deepEqual(
      ranged.map((r) => r['RECORDNO'] as number).sort((a, b) => a - b),
      Array.from({ length: 14 }, (_, i) => i + 8),
    );
  });

  it('is lazy: nothing is requested until a page is asked for, and one request per page', async () => {
    const { client, fake } = setup();
    const gen = client.readChanged(spec());
    await new Promise((r) => setImmediate(r));
    assert.equal(fake.requests.length, 0);
    await gen.next();
    // The first page needs the API user's preferences (read once) and one query.
    assert.deepEqual(
      fake.calls().map((r) => r.fn),
      ['readUserFormatting', 'query'],
    );
    await gen.next();
    assert.equal(glQueries(fake).length, 2);
    assert.equal(fake.calls().length, 3);
    await gen.return(undefined);
  });

  it('detects a loop when a page does not advance the key', async () => {
    const stuck = okResponse(
      authOk(Date.UTC(2026, 3, 1, 12), 3600_000),
      `<result><status>success</status><function>query</function><controlid>x</controlid><data listtype="GLDETAIL" totalcount="9" offset="0" count="2" numremaining="7"><GLDETAIL><RECORDNO>${glKey(1)}</RECORDNO><WHENMODIFIED>${wm(1, 9)}</WHENMODIFIED></GLDETAIL><GLDETAIL><RECORDNO>${glKey(2)}</RECORDNO><WHENMODIFIED>${wm(1, 9)}</WHENMODIFIED></GLDETAIL></data></result>`,
    );
    const { client } = setup({ script: (req) => (req.fn === 'query' ? { body: stuck } : undefined) });
    await assert.rejects(
      collect(client.readChanged(spec({ columns: columns.slice(0, 2) }))),
      (e: unknown) => e instanceof ConnectorError && e.code === 'LOOP_DETECTED' && /loop detected/.test(e.userMessage),
    );
  });

  it('asks for half as many rows after an HTTP 524, down to 100, then retries a few times after pauses before giving up', async () => {
    const rows = manyRows(300);
    const html524 = {
      status: 524,
      body: '<!DOCTYPE html><html><head><title>api.intacct.com | 524: A timeout occurred</title></head><body>Error code 524</body></html>',
    };
    // Pages of more than 150 rows time out at the front door.
    const { client, fake, clock } = setup({
      data: { GLDETAIL: rows },
      script: (req) => (req.object === 'GLDETAIL' && Number(req.query!['pagesize']) > 150 ? html524 : undefined),
    });
    const sizes = () => glQueries(fake).map((q) => Number(q.query!['pagesize']));
    const got = (await collect(client.readChanged(spec({ pageSize: 600 })))).flatMap((p) => p.rows.map((r) => r['RECORDNO'] as string));
    assert.deepEqual([...got].sort(byText), rows.map((r) => r.RECORDNO!).sort(byText));
    assert.equal(new Set(got).size, got.length);
    // 600 and 300 time out, 150 fits; the empty-WHENMODIFIED pass starts at the size that fit.
    assert.deepEqual(sizes(), [600, 300, 150, 150, 150]);
    assert.deepEqual(clock.sleeps, [], 'narrowing needs no pause');

    // At the smallest page (100), a 524 is asked again after a pause, three times at most.
    let timeouts = 0;
    const slow = setup({ data: { GLDETAIL: rows }, script: (req) => (req.object === 'GLDETAIL' && timeouts++ < 3 ? html524 : undefined) });
    const again = (await collect(slow.client.readChanged(spec({ pageSize: 100 })))).flatMap((p) => p.rows);
    assert.equal(again.length, rows.length);
    assert.deepEqual(slow.clock.sleeps, [1000, 2000, 3000]);
    const stuck = setup({ data: { GLDETAIL: rows }, script: (req) => (req.object === 'GLDETAIL' ? html524 : undefined) });
    await assert.rejects(
      collect(stuck.client.readChanged(spec({ pageSize: 200 }))),
      (e: unknown) => e instanceof ConnectorError && e.code === 'HTTP_524' && !e.retryable && /took too long/.test(e.userMessage),
    );
    assert.deepEqual(
      glQueries(stuck.fake).map((q) => Number(q.query!['pagesize'])),
      [200, 100, 100, 100, 100],
    );
  });

  it('stops a runaway read at maxPages', async () => {
    const { client } = setup();
    await assert.rejects(collect(client.readChanged(spec({ maxPages: 2 }))), (e: unknown) => e instanceof ConnectorError && e.code === 'RUNAWAY_READ');
  });

  it('reads the zone and date format with readUserFormatting when none is configured; a GMT user reads as UTC', async () => {
    const zoned = setup(
      { userFormatting: '<data><userformatting><dateformat>/mdY</dateformat><timezone>GMT-05:00</timezone><clock>24</clock></userformatting></data>' },
      { timeZone: undefined },
    );
    const rows = (await collect(zoned.client.readChanged(spec()))).flatMap((p) => p.rows);
    assert.equal(rows.find((r) => r['RECORDNO'] === glKey(0))!['WHENMODIFIED'], '2026-03-01 14:00:00');
    const utc = setup({ userFormatting: USER_FORMATTING_OK }, { timeZone: undefined });
    const rows2 = (await collect(utc.client.readChanged(spec()))).flatMap((p) => p.rows);
    assert.equal(rows2.find((r) => r['RECORDNO'] === glKey(0))!['WHENMODIFIED'], '2026-03-01 09:00:00');
    assert.equal(utc.fake.requests.filter((r) => r.fn === 'readUserFormatting').length, 1);
    // A configured zone wins over the user's offset, but the date format is still checked.
    const configured = setup({ userFormatting: USER_FORMATTING_OK });
    const rows3 = (await collect(configured.client.readChanged(spec()))).flatMap((p) => p.rows);
    assert.equal(rows3.find((r) => r['RECORDNO'] === glKey(0))!['WHENMODIFIED'], '2026-03-01 14:00:00');
    assert.equal(configured.fake.requests.filter((r) => r.fn === 'readUserFormatting').length, 1);
  });

  it('refuses a user whose date format or clock it cannot read, naming the preference, before reading a row', async () => {
    const cases = [
      ['/dmY', '24', /date format is '\/dmY'.*Date format to MM\/DD\/YYYY/],
      ['/mdY', '12', /clock is 12-hour.*Time format to 24-hour/],
      ['dd.mm.yyyy', '24', /date format is 'dd\.mm\.yyyy'/],
      ['-Ymd', '24', /date format is '-Ymd'/],
    ] as const;
    for (const [format, clock, message] of cases) {
      for (const timeZone of [undefined, 'America/New_York']) {
        const { client, fake } = setup(
          {
            userFormatting: `<data><userformatting><dateformat>${format}</dateformat><gmtoffset>+00:00</gmtoffset><clock>${clock}</clock></userformatting></data>`,
          },
          { timeZone },
        );
        await assert.rejects(
          collect(client.readChanged(spec())),
          (e: unknown) => e instanceof ConnectorError && e.code === 'USER_DATE_FORMAT' && !e.retryable && message.test(e.userMessage),
          `${format} ${clock} ${timeZone}`,
        );
        assert.equal(glQueries(fake).length, 0, 'no record was read');
      }
    }
  });

  it('accepts month/day/year with slashes however the preference is spelled', async () => {
    for (const format of ['/mdY', 'mdY', 'MM/DD/YYYY', 'mm/dd/yyyy', '']) {
      const { client } = setup({
        userFormatting: `<data><userformatting><dateformat>${format}</dateformat><gmtoffset>+00:00</gmtoffset><clock>24</clock></userformatting></data>`,
      });
      await collect(client.readChanged(spec()));
    }
  });

  it('does not guess when readUserFormatting is refused: stops, unless a time zone was set', async () => {
    const unset = setup({ refuseUserFormatting: true }, { timeZone: undefined });
    await assert.rejects(
      collect(unset.client.readChanged(spec())),
      (e: unknown) =>
        e instanceof ConnectorError && e.code === 'PREFERENCES_UNREADABLE' && /preferences/.test(e.userMessage) && /time zone in Settings/.test(e.userMessage),
    );
    assert.equal(glQueries(unset.fake).length, 0);
    // With the zone set in Settings the person vouched for the user's preferences: the read goes on in that zone.
    const set = setup({ refuseUserFormatting: true });
    const rows = (await collect(set.client.readChanged(spec()))).flatMap((p) => p.rows);
    assert.equal(rows.find((r) => r['RECORDNO'] === glKey(0))!['WHENMODIFIED'], '2026-03-01 14:00:00');
  });
});

describe('zoneFromUserFormatting', () => {
  const result = (raw: Record<string, unknown>) =>
    ({ status: 'success', functionName: 'readUserFormatting', controlId: 'x', data: null, errors: [], raw }) as IntacctResult;
  it('finds a GMT offset or zone name wherever the (UNCONFIRMED) answer puts it', () => {
    assert.equal(zoneFromUserFormatting(result({ data: { userformatting: [{ gmtoffset: '-05:00', clock: '24' }] } })), '-05:00');
    assert.equal(zoneFromUserFormatting(result({ data: { user: { TIMEZONE: '(GMT-08:00) Pacific Time' } } })), '-08:00');
    assert.equal(zoneFromUserFormatting(result({ data: { prefs: { timezone: 'Europe/Paris' } } })), 'Europe/Paris');
    assert.equal(zoneFromUserFormatting(result({ data: { prefs: { locale: 'en_US' } } })), null);
  });
});

/** `n` ACCRUAL rows with text keys, WHENMODIFIED ties and a BATCH_DATE on each of 60 days of 2026. */
function manyRows(n: number): FakeRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const day = new Date(Date.UTC(2026, 0, 1 + ((i * 37) % 60)));
    return {
      RECORDNO: glKey(i),
      WHENMODIFIED: wm(1, 9, 0, i % 3),
      BOOKID: 'ACCRUAL',
      AMOUNT: '1',
      BATCH_DATE: `${pad(day.getUTCMonth() + 1)}/${pad(day.getUTCDate())}/2026`,
    };
  });
}

describe('readPartitioned', () => {
  it('returns exactly the rows of a plain read, across interleaved date partitions', async () => {
    // One row has no BATCH_DATE and one no WHENMODIFIED: the partitions and passes must still cover them.
    const rows0 = [
      ...glRows(),
      { RECORDNO: glKey(60), WHENMODIFIED: wm(2, 10), BOOKID: 'ACCRUAL', AMOUNT: '3', BATCH_DATE: '', DEPARTMENTID: 'D1', ISREVERSED: 'false' },
    ];
    rows0.push({ RECORDNO: glKey(61), WHENMODIFIED: '', BOOKID: 'ACCRUAL', AMOUNT: '4', BATCH_DATE: '03/03/2026', DEPARTMENTID: 'D1', ISREVERSED: 'false' });
    const partSpec = spec({ pageSize: 3, partitionColumn: 'BATCH_DATE' });
    const { client } = setup({ data: { GLDETAIL: rows0 } });
    const plain = (await collect(client.readChanged(partSpec))).flatMap((p) => p.rows);
    assert.equal(plain.length, expected(rows0).length + 1);
    const { client: c2, fake } = setup({ data: { GLDETAIL: rows0 } });
    const pages = await collect(c2.readPartitioned(partSpec, { partitions: 3 }));
    const rows = pages.flatMap((p) => p.rows);
    assert.equal(rows.length, plain.length);
    assert.deepEqual(new Set(rows.map((r) => r['RECORDNO'])), new Set(plain.map((r) => r['RECORDNO'])));
    const byKey = (a: Row, b: Row) => byText(a['RECORDNO'] as string, b['RECORDNO'] as string);
    assert.deepEqual([...rows].sort(byKey), [...plain].sort(byKey));
    // No RECORDNO bounds or ranges (text keys cannot be split). One probe finds the earliest
    // BATCH_DATE; then every changed-row query is bounded by BATCH_DATE (a range from that date, or
    // the rows with no date), then one pass for the empty WHENMODIFIED rows.
    const [probe, ...queries] = glQueries(fake);
    assert.equal(String(probe!.query!['pagesize']), '1');
    assert.ok(
      /<select><field>BATCH_DATE<\/field><\/select>/.test(probe!.xml) && /<orderby><order><field>BATCH_DATE<\/field><ascending\/>/.test(probe!.xml),
      probe!.xml,
    );
    assert.ok(queries.every((q) => String(q.query!['pagesize']) === '3'));
    assert.ok(
      queries.some((q) => q.xml.includes('<greaterthanorequalto><field>BATCH_DATE</field><value>03/01/2026</value>')),
      'the partitions start at the earliest date',
    );
    assert.ok(!queries.some((q) => q.xml.includes('01/01/1990')));
    assert.ok(
      queries.every((q) => !q.xml.includes('<greaterthanorequalto><field>RECORDNO</field>') && !q.xml.includes('<lessthanorequalto><field>RECORDNO</field>')),
    );
    const [nullPass, ...changed] = [...queries].reverse();
    assert.ok(nullPass!.xml.includes('<isnull><field>WHENMODIFIED</field></isnull>'));
    assert.ok(changed.every((q) => /<(greaterthanorequalto|isnull)><field>BATCH_DATE<\/field>/.test(q.xml)));
    assert.ok(changed.some((q) => q.xml.includes('<isnull><field>BATCH_DATE</field></isnull>')));
    assert.ok(
      pages.every((p) => p.totalCount === null),
      'a partition total is not the read total',
    );
  });

  it('cuts a full read into contiguous date ranges from the start date, the last open-ended', () => {
    const base = spec();
    const parts = datePartitions(base, 'BATCH_DATE', Date.UTC(2026, 2, 31, 15), 4);
    assert.deepEqual(
      parts.map((p) => p.dateRange),
      [
        { column: 'BATCH_DATE', from: '1990-01-01', before: '1999-01-24' },
        { column: 'BATCH_DATE', from: '1999-01-24', before: '2008-02-16' },
        { column: 'BATCH_DATE', from: '2008-02-16', before: '2017-03-09' },
        { column: 'BATCH_DATE', from: '2017-03-09' },
      ],
    );
    assert.ok(parts.every((p) => p.filters === base.filters));
    // With a start date (Settings): from there on.
    const from = datePartitions(spec({ dateRange: { column: 'BATCH_DATE', from: '2026-03-01' } }), 'BATCH_DATE', Date.UTC(2026, 2, 31, 15), 3);
    assert.deepEqual(
      from.map((p) => p.dateRange),
      [
        { column: 'BATCH_DATE', from: '2026-03-01', before: '2026-03-11' },
        { column: 'BATCH_DATE', from: '2026-03-11', before: '2026-03-22' },
        { column: 'BATCH_DATE', from: '2026-03-22' },
      ],
    );
  });

  it('splits the last partition as it goes and still returns exactly the rows after a cursor', async () => {
    const { client, data } = setup();
    const want = expected(data.GLDETAIL);
    const since = { whenModified: want[5]!.ms, recordNo: want[5]!.recordNo };
    for (const lookbackMs of [0, 3600_000]) {
      const plain = (await collect(setup().client.readChanged(spec({ since, lookbackMs })))).flatMap((p) => p.rows.map((r) => r['RECORDNO'] as string));
      const parts = (
        await collect(
          client.readPartitioned(spec({ since, lookbackMs, pageSize: 2, dateRange: { column: 'BATCH_DATE', from: '2026-02-20' } }), { partitions: 1 }),
        )
      ).flatMap((p) => p.rows.map((r) => r['RECORDNO'] as string));
      assert.ok(plain.length > 0 && plain.length < want.length);
      assert.deepEqual([...parts].sort(byText), [...plain].sort(byText), `lookback ${lookbackMs}`);
    }
  });

  it('keeps the next request in flight while a page is parsed and consumed, one on the wire, buffering little', async () => {
    let active = 0;
    let peak = 0;
    const { client, fake } = setup({
      data: { GLDETAIL: manyRows(40) },
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
    for await (const page of client.readPartitioned(
      spec({ pageSize: 4, columns: columns.slice(0, 3), dateRange: { column: 'BATCH_DATE', from: '2026-01-01' } }),
      { partitions: 4 },
    )) {
      // When the consumer gets a page, the next request is already waiting on the network.
      if (active === 1) inFlightAtReceipt++;
      consumed += page.rows.length;
      pagesYielded++;
      // Pages answered with rows, whether the consumer has had them or not.
      const pagesAnswered = glQueries(fake).filter((r) => (r.answeredRows ?? 0) > 0).length;
      maxAhead = Math.max(maxAhead, pagesAnswered - pagesYielded);
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
        data: { GLDETAIL: manyRows(80) },
        delay: async (req) => {
          if (req.object !== 'GLDETAIL') return;
          log.push('sent');
          await new Promise((r) => setTimeout(r, 5));
        },
      },
      { onEvent: (e) => e.operation === 'query GLDETAIL' && e.outcome === 'ok' && log.push('parsed') },
    );
    await collect(
      client.readPartitioned(spec({ pageSize: 4, columns: columns.slice(0, 3), dateRange: { column: 'BATCH_DATE', from: '2026-01-01' } }), { partitions: 3 }),
    );
    let sent = 0;
    let parsed = 0;
    let overlapped = 0;
    for (const entry of log) {
      if (entry === 'sent') sent++;
      else if (++parsed < sent) overlapped++; // a later request was already out when this one was parsed
    }
    assert.ok(parsed >= 20);
    // Not every one: a partition's last page, and the empty-WHENMODIFIED pass after all partitions,
    // have nothing to overlap with. Read one page at a time, none would be.
    assert.ok(overlapped >= Math.ceil(parsed * 0.75), `${overlapped} of ${parsed} answers were parsed with the next request already sent`);
  });

  it('yields nothing for an empty range and stops cleanly when the consumer breaks', async () => {
    const { client } = setup();
    assert.deepEqual(
      await collect(
        client.readPartitioned(spec({ filters: [{ field: 'BOOKID', op: 'equalto', value: 'NONE' }], dateRange: { column: 'BATCH_DATE' } }), { partitions: 2 }),
      ),
      [],
    );
    for await (const p of client.readPartitioned(spec({ dateRange: { column: 'BATCH_DATE' } }), { partitions: 2 })) {
      assert.ok(p.rows.length > 0);
      break;
    }
  });

  it('uses both slots when the company allows two requests at once', async () => {
    let active = 0;
    let peak = 0;
    const { client } = setup(
      {
        data: { GLDETAIL: manyRows(40) },
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
    const rows = (
      await collect(
        client.readPartitioned(spec({ pageSize: 4, columns: columns.slice(0, 3), dateRange: { column: 'BATCH_DATE', from: '2026-01-01' } }), { partitions: 4 }),
      )
    ).flatMap((p) => p.rows);
    assert.equal(rows.length, 40);
    assert.equal(peak, 2);
  });

  it('splits RECORDNO ranges into contiguous inclusive parts', () => {
    assert.deepEqual(splitRange(1, 10, 3), [
      { from: 1, to: 4 },
      { from: 5, to: 8 },
      { from: 9, to: 10 },
    ]);
    assert.deepEqual(splitRange(5, 5, 4), [{ from: 5, to: 5 }]);
    assert.deepEqual(splitRange(5, 4, 2), []);
    // Bounds past 2^53 (or 1e400 → Infinity) cannot be split exactly: nothing, instead of a loop
    // that never ends (issue 12: it used to spin and crash the process).
    assert.deepEqual(splitRange(0, 2 ** 53 + 10, 4), []);
    assert.deepEqual(splitRange(0, Number('1e400'), 4), []);
    assert.deepEqual(splitRange(Number.NaN, 10, 4), []);
  });
});

describe('count, bounds, keys, deletions, lookup', () => {
  it('counts and bounds the matching rows', async () => {
    const { client, data } = setup();
    const n = expected(data.GLDETAIL).length;
    assert.equal(await client.count(spec()), n);
    // Bounds are for integer keys (APBILL), compared as numbers (9 < 10, not as text).
    const bills = [3, 9, 10, 42, 100, 7].map((k, i) => ({ RECORDNO: String(k), WHENMODIFIED: wm(1 + i, 9), STATE: i === 5 ? 'D' : 'A' }));
    const b = setup({ data: { APBILL: bills } });
    const billSpec: ReadSpec = {
      object: 'APBILL',
      columns: [{ name: 'RECORDNO', source: 'RECORDNO', type: 'bigint', nullable: false }],
      filters: [{ field: 'STATE', op: 'equalto', value: 'A' }],
    };
    assert.deepEqual(await b.client.recordNoBounds(billSpec), { min: 3, max: 100, count: 5 });
  });

  it('reads keys only, keyset-paged on RECORDNO', async () => {
    const { client, data, fake } = setup({
      data: {
        GLDETAIL: Array.from({ length: 4500 }, (_, i) => ({
          RECORDNO: `${4500 - i}-${7 + i}-${30001 + i}--${i % 2 ? 'accrual' : 'cash'}`,
          BOOKID: i % 2 ? 'ACCRUAL' : 'CASH',
        })),
      },
    });
    const pages: string[][] = [];
    for await (const keys of client.readKeys('GLDETAIL', [{ field: 'BOOKID', op: 'equalto', value: 'ACCRUAL' }])) pages.push(keys);
    // Keys exactly as Intacct sent them, in its (text) order: '1000-…' before '999-…'.
    const want = data.GLDETAIL.filter((r) => r.BOOKID === 'ACCRUAL')
      .map((r) => r.RECORDNO!)
      .sort(byText);
    assert.deepEqual(pages.flat(), want);
    assert.deepEqual(
      pages.map((p) => p.length),
      [2000, 250],
    );
    const queries = fake.calls().filter((q) => q.fn === 'query');
    assert.equal(queries.length, 2, 'a short page ends the read');
    assert.ok(queries.every((q) => /<select><field>RECORDNO<\/field><\/select>/.test(q.xml)));
    assert.ok(queries[1]!.xml.includes(`<greaterthan><field>RECORDNO</field><value>${want[1999]}</value></greaterthan>`));
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
    const auditQuery = fake.calls().find((q) => q.object === 'AUDITHISTORY')!;
    assert.ok(auditQuery.xml.includes('<equalto><field>OBJECTTYPE</field><value>apbill</value></equalto>'));
    assert.equal(parseObjectKey('123--REC'), 123);
    assert.equal(parseObjectKey('abc'), null);
  });

  it('says plainly when the audit history is not readable', async () => {
    const { client } = setup({
      script: (req) =>
        req.object === 'AUDITHISTORY'
          ? {
              body: okResponse(
                authOk(Date.UTC(2026, 3, 1, 12), 3600_000),
                resultFailure('query', req.functionControlId, [
                  { errorno: 'PL04000005', description2: 'You do not have permission for API operation READ_BY_QUERY on objects of type audithistory' },
                ]),
              ),
            }
          : undefined,
    });
    await assert.rejects(
      (async () => {
        for await (const _ of client.readDeleted('apbill', 0)) void _;
      })(),
      (e: unknown) =>
        e instanceof IntacctPermissionError &&
        e.code === 'AUDIT_NOT_PERMITTED' &&
        !e.retryable &&
        /will not be removed from Tableau until a full reload/.test(e.userMessage),
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
      {
        id: 'DEPARTMENTID',
        label: 'Department',
        type: 'TEXT',
        isCustom: false,
        relationship: { objectPath: 'DEPARTMENT', objectName: 'DEPARTMENT', type: 'MANY2ONE', relatedBy: 'DEPARTMENTID' },
      },
    ]);
  });
});

describe('testConnection', () => {
  it('passes all four steps with good credentials and an MM/DD/YYYY, 24-hour API user', async () => {
    const { client } = setup({}, { timeZone: undefined });
    const r = await client.testConnection();
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.steps.map((s) => [s.name, s.ok]),
      [
        ['Sender credentials', true],
        ['User sign-in', true],
        ['User preferences', true],
        ['Read one record', true],
      ],
    );
  });

  it('names the first failing step and why', async () => {
    const sender = await setup({}, { credentials: { ...CREDS, senderPassword: 'wrong' } }).client.testConnection();
    assert.deepEqual(
      sender.steps.map((s) => [s.name, s.ok]),
      [['Sender credentials', false]],
    );
    assert.match(sender.steps[0]!.message, /Sender ID or password is wrong/);

    const user = await setup({}, { credentials: { ...CREDS, userPassword: 'wrong' } }).client.testConnection();
    assert.deepEqual(
      user.steps.map((s) => [s.name, s.ok]),
      [
        ['Sender credentials', true],
        ['User sign-in', false],
      ],
    );
    assert.match(user.steps[1]!.message, /user ID, company ID and user password/);

    const dmy = await setup({
      userFormatting: '<data><userformatting><dateformat>/dmY</dateformat><clock>24</clock></userformatting></data>',
    }).client.testConnection();
    assert.equal(dmy.ok, false);
    assert.deepEqual(
      dmy.steps.map((s) => [s.name, s.ok]),
      [
        ['Sender credentials', true],
        ['User sign-in', true],
        ['User preferences', false],
      ],
    );
    assert.match(dmy.steps[2]!.message, /date format is '\/dmY'.*Date format to MM\/DD\/YYYY/);

    const refused = await setup({ refuseUserFormatting: true }, { timeZone: undefined }).client.testConnection();
    assert.deepEqual(
      refused.steps.map((s) => [s.name, s.ok]),
      [
        ['Sender credentials', true],
        ['User sign-in', true],
        ['User preferences', false],
      ],
    );
    assert.match(refused.steps[2]!.message, /Could not read the Intacct API user's preferences.*permission/);

    const read = await setup({
      script: (req) =>
        req.fn === 'query'
          ? {
              body: okResponse(
                authOk(Date.UTC(2026, 3, 1, 12), 3600_000),
                resultFailure('query', req.functionControlId, [{ errorno: 'PL04000005', description2: 'You do not have permission' }]),
              ),
            }
          : undefined,
    }).client.testConnection();
    assert.equal(read.ok, false);
    assert.deepEqual(
      read.steps.map((s) => [s.name, s.ok]),
      [
        ['Sender credentials', true],
        ['User sign-in', true],
        ['User preferences', true],
        ['Read one record', false],
      ],
    );
    assert.match(read.steps[3]!.message, /permission/);
  });
});

const z = new ZoneConverter('UTC');
const def = (name: string, source: string, type: ColumnDef['type'], scale?: number): ColumnDef => ({
  name,
  source,
  type,
  nullable: true,
  ...(scale === undefined ? {} : { scale }),
});

/** Columns of every kind the builders handle: a related (dotted) field, a scaled decimal, a missing field. */
const sampleCols = [
  def('RECORDNO', 'RECORDNO', 'bigint'),
  def('JOURNAL_SYMBOL', 'JOURNAL.SYMBOL', 'text'),
  def('AMOUNT', 'AMOUNT', 'numeric', 2),
  def('WHENMODIFIED', 'WHENMODIFIED', 'timestamp'),
  def('VENDORID', 'VENDORID', 'text'),
  def('MISSING', 'MISSING', 'date'),
];

describe('compileRowBuilder', () => {
  const build = (cols: ColumnDef[]) =>
    compileRowBuilder(
      cols,
      cols.map((c) => compileColumn(c, z)),
    );

  it('builds typed rows from flat and nested records, with empty and missing elements as null', () => {
    const buildRow = build(sampleCols);
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
    const nested = buildRow({
      RECORDNO: '8',
      JOURNAL: { SYMBOL: 'AP' },
      AMOUNT: { '#text': '-2', '@_x': '1' },
      WHENMODIFIED: '01/02/2026 03:04:05',
      VENDORID: 'V1',
    });
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

describe('RowConverter.fromTable', () => {
  // Text keys (GLDETAIL's RECORDNO), and two columns of one field.
  const cols = [def('RECORDNO', 'RECORDNO', 'text'), ...sampleCols.slice(1), def('AMOUNT_AGAIN', 'AMOUNT', 'numeric', 2)];
  const converter = () =>
    new RowConverter(
      cols,
      cols.map((c) => compileColumn(c, z)),
    );
  /** The same table as records, as the scanner's `records` view gives them. */
  const asRecords = (fields: string[], rows: string[][]) => rows.map((values) => Object.fromEntries(fields.map((f, k) => [f, values[k]!])));

  it('gives by position exactly the rows the record builder gives, empty and absent fields as null', () => {
    const fields = ['AMOUNT', 'RECORDNO', 'WHENMODIFIED', 'JOURNAL.SYMBOL', 'VENDORID'];
    const rows = [
      ['1.5', '3220-55186-27290--accrual', '01/02/2026 03:04:05', 'GJ', ''],
      ['-2', '3220-55186-27291--accrual', '', '', 'V1'],
    ];
    const c = converter();
    const got = c.fromTable({ tag: 'GLDETAIL', fields, rows, built: null, last: rows[1]! });
    assert.deepEqual(
      got,
      asRecords(fields, rows).map((r) => c.fromRecord(r)),
    );
    assert.deepEqual(got[0], {
      RECORDNO: '3220-55186-27290--accrual',
      JOURNAL_SYMBOL: 'GJ',
      AMOUNT: '1.50',
      WHENMODIFIED: '2026-01-02 03:04:05',
      VENDORID: null,
      MISSING: null,
      AMOUNT_AGAIN: '1.50',
    });
  });

  it('follows a page whose fields come in another order (the builder is compiled per layout)', () => {
    const c = converter();
    const a = c.fromTable({ tag: 'R', fields: ['RECORDNO', 'AMOUNT'], rows: [['1', '2']], built: null, last: ['1', '2'] });
    const b = c.fromTable({ tag: 'R', fields: ['AMOUNT', 'RECORDNO'], rows: [['2', '1']], built: null, last: ['2', '1'] });
    assert.deepEqual(a, b);
    assert.equal(a[0]!.AMOUNT, '2.00');
    assert.equal(a[0]!.RECORDNO, '1');
  });
});
