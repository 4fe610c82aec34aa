import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import { ManualClock } from '../../../../main/core/clock';
import { startIntacctEmulator, type IntacctEmulator } from '../../../../main/emulators/intacct';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (n) => ['result', 'error'].includes(n) });
type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function envelope(
  emu: IntacctEmulator,
  auth: string,
  functions: string[],
  sender = emu.credentials.senderId,
  senderPassword = emu.credentials.senderPassword,
): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${esc(sender)}</senderid><password>${esc(senderPassword)}</password>` +
    `<controlid>ctl-1</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>` +
    `<operation><authentication>${auth}</authentication><content>${functions.map((f, i) => `<function controlid="f${i}">${f}</function>`).join('')}</content></operation></request>`
  );
}
const login = (emu: IntacctEmulator, password = emu.credentials.userPassword) =>
  `<login><userid>${emu.credentials.userId}</userid><companyid>${emu.credentials.companyId}</companyid><password>${esc(password)}</password></login>`;

async function post(url: string, body: string): Promise<{ status: number; text: string; doc: Node }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body });
  const text = await res.text();
  let doc: Node = {};
  try {
    doc = parser.parse(text) as Node;
  } catch {
    doc = {};
  }
  return { status: res.status, text, doc };
}

async function session(emu: IntacctEmulator): Promise<{ id: string; endpoint: string; doc: Node }> {
  const r = await post(emu.url, envelope(emu, login(emu), ['<getAPISession/>']));
  const api = r.doc.response.operation.result[0].data.api;
  return { id: api.sessionid, endpoint: api.endpoint, doc: r.doc };
}

const query = (object: string, fields: string[], extra = '') =>
  `<query><object>${object}</object><select>${fields.map((f) => `<field>${f}</field>`).join('')}</select>${extra}</query>`;
// The sample company has a private entity (CA-HP): top-level reads of the whole company ask for it,
// as our client does (intacct-xml.md §3.3; entity-visibility.test.ts covers the hiding itself).
const SHOW_PRIVATE = '<options><showprivate>true</showprivate></options>';

describe('intacct emulator (raw XML against intacct-xml.md)', () => {
  let emu: IntacctEmulator;
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12, 0, 0));
  before(async () => {
    emu = await startIntacctEmulator({ glRows: 4000, clock, vendors: 120, bills: 60 });
  });
  after(async () => {
    await emu.close();
  });

  it('getAPISession returns a session, an endpoint that differs from the login URL, and ISO session times with an offset', async () => {
    const s = await session(emu);
    assert.match(s.id, /\S{10,}/);
    assert.notEqual(s.endpoint, emu.url);
    assert.equal(s.endpoint, emu.sessionEndpoint);
    const auth = s.doc.response.operation.authentication;
    assert.equal(auth.status, 'success');
    assert.equal(auth.sessiontimestamp, '2026-01-15T12:00:00+00:00');
    assert.equal(auth.sessiontimeout, '2026-01-15T14:00:00+00:00');
    assert.equal(s.doc.response.control.controlid, 'ctl-1');
    // The session works at the endpoint it names.
    const r = await post(s.endpoint, envelope(emu, `<sessionid>${s.id}</sessionid>`, [query('DEPARTMENT', ['RECORDNO'])]));
    assert.equal(r.doc.response.operation.result[0].status, 'success');
  });

  it('slides the session timeout on every call and expires an idle session with an auth-level "Invalid session"', async () => {
    const s = await session(emu);
    clock.advance(90 * 60_000);
    const r1 = await post(s.endpoint, envelope(emu, `<sessionid>${s.id}</sessionid>`, [query('LOCATION', ['RECORDNO'])]));
    assert.equal(r1.doc.response.operation.authentication.sessiontimeout, '2026-01-15T15:30:00+00:00');
    clock.advance(2 * 3_600_000 + 1000);
    const r2 = await post(s.endpoint, envelope(emu, `<sessionid>${s.id}</sessionid>`, [query('LOCATION', ['RECORDNO'])]));
    const op = r2.doc.response.operation;
    assert.equal(r2.doc.response.control.status, 'success');
    assert.equal(op.authentication.status, 'failure');
    assert.equal(op.result, undefined, 'no <result> after an authentication failure');
    assert.equal(op.errormessage.error[0].errorno, 'XL03000006');
    assert.match(op.errormessage.error[0].description2, /Invalid session/);
  });

  it('answers a wrong sender at control level with no <operation>', async () => {
    const r = await post(emu.url, envelope(emu, login(emu), ['<getAPISession/>'], emu.credentials.senderId, 'wrong'));
    assert.equal(r.status, 200);
    assert.equal(r.doc.response.control.status, 'failure');
    assert.equal(r.doc.response.operation, undefined);
    assert.equal(r.doc.response.errormessage.error[0].errorno, 'XL03000006');
    assert.equal(r.doc.response.errormessage.error[0].description2, 'Incorrect Intacct XML Partner ID or password.');
    assert.ok(!r.text.includes('wrong'), 'the password is never echoed');
  });

  it('answers a wrong user password at authentication level, and an unauthorised sender likewise', async () => {
    const bad = await post(emu.url, envelope(emu, login(emu, 'nope'), ['<getAPISession/>']));
    assert.equal(bad.doc.response.operation.authentication.status, 'failure');
    assert.equal(bad.doc.response.operation.errormessage.error[0].description2, 'Sign-in information is incorrect');
    emu.setSenderAuthorized(false);
    try {
      const r = await post(emu.url, envelope(emu, login(emu), ['<getAPISession/>']));
      assert.equal(r.doc.response.operation.authentication.status, 'failure');
      assert.equal(r.doc.response.operation.errormessage.error[0].errorno, 'XL03000006');
      assert.equal(r.doc.response.operation.errormessage.error[0].description2, 'Invalid Web Services Authorization');
    } finally {
      emu.setSenderAuthorized(true);
    }
  });

  it('refuses getAPISession batched with other functions, GET requests and malformed XML', async () => {
    const r = await post(emu.url, envelope(emu, login(emu), ['<getAPISession/>', query('LOCATION', ['RECORDNO'])]));
    const results = r.doc.response.operation.result;
    assert.equal(results[0].status, 'failure');
    assert.equal(results[1].status, 'success');
    const get = await fetch(emu.url);
    assert.equal(get.status, 405);
    const broken = await post(emu.url, '<request><control><senderid>x</senderid>');
    assert.equal(broken.doc.response.control.status, 'failure');
    assert.equal(broken.doc.response.errormessage.error[0].errorno, 'XL03000003');
  });

  it('pages a query with listtype, totalcount, offset, count and numremaining', async () => {
    const s = await session(emu);
    const total = emu.company.count('VENDOR');
    const body = (offset: number) =>
      envelope(emu, `<sessionid>${s.id}</sessionid>`, [
        query(
          'VENDOR',
          ['RECORDNO', 'NAME'],
          `<orderby><order><field>RECORDNO</field><ascending/></order></orderby>${SHOW_PRIVATE}<pagesize>50</pagesize><offset>${offset}</offset>`,
        ),
      ]);
    const seen: string[] = [];
    for (let offset = 0; offset < total; offset += 50) {
      const data = (await post(s.endpoint, body(offset))).doc.response.operation.result[0].data;
      assert.equal(data['@_listtype'], 'VENDOR');
      assert.equal(Number(data['@_totalcount']), total);
      assert.equal(Number(data['@_offset']), offset);
      const count = Number(data['@_count']);
      assert.equal(count, Math.min(50, total - offset));
      assert.equal(Number(data['@_numremaining']), total - offset - count);
      const rows = Array.isArray(data.VENDOR) ? data.VENDOR : [data.VENDOR];
      seen.push(...rows.map((v: Node) => v.RECORDNO));
    }
    assert.deepEqual(
      seen,
      [...emu.company.rows('VENDOR')].map((v) => v.RECORDNO),
    );
    // Names with &, <, quotes and accents survive the round trip.
    const names = new Set([...emu.company.rows('VENDOR')].map((v) => v.NAME));
    assert.ok(names.has('Smith & <Sons> "Ltd"'));
  });

  it('filters on WHENMODIFIED in MM/DD/YYYY HH:MM:SS with and/or, and orders by WHENMODIFIED then RECORDNO', async () => {
    const s = await session(emu);
    const rows = [...emu.company.rows('GLDETAIL')].filter((r) => r.BOOKID === 'ACCRUAL');
    const pivot = rows[1234]!;
    const filter =
      `<filter><and><equalto><field>BOOKID</field><value>ACCRUAL</value></equalto><or><greaterthan><field>WHENMODIFIED</field><value>${pivot.WHENMODIFIED}</value></greaterthan>` +
      `<and><equalto><field>WHENMODIFIED</field><value>${pivot.WHENMODIFIED}</value></equalto><greaterthan><field>RECORDNO</field><value>${pivot.RECORDNO}</value></greaterthan></and></or></and></filter>`;
    const order = `<orderby><order><field>WHENMODIFIED</field><ascending/></order><order><field>RECORDNO</field><ascending/></order></orderby>${SHOW_PRIVATE}<pagesize>5</pagesize>`;
    const r = await post(
      s.endpoint,
      envelope(emu, `<sessionid>${s.id}</sessionid>`, [query('GLDETAIL', ['RECORDNO', 'WHENMODIFIED', 'AMOUNT'], filter + order)]),
    );
    const data = r.doc.response.operation.result[0].data;
    assert.equal(Number(data['@_totalcount']), rows.length - 1235);
    assert.deepEqual(
      data.GLDETAIL.map((x: Node) => x.RECORDNO),
      rows.slice(1235, 1240).map((x) => x.RECORDNO),
    );
    assert.match(data.GLDETAIL[0].WHENMODIFIED, /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
  });

  it("shows WHENMODIFIED in the API user's GMT offset and reads filter values in it (readUserFormatting tells the offset)", async () => {
    emu.setUserGmtOffset('-05:00');
    try {
      const s = await session(emu);
      const fmt = await post(
        s.endpoint,
        envelope(emu, `<sessionid>${s.id}</sessionid>`, [`<readUserFormatting><userId>${emu.credentials.userId}</userId></readUserFormatting>`]),
      );
      assert.equal(fmt.doc.response.operation.result[0].data.userformatting.gmtoffset, '-05:00');
      const first = emu.company.get('GLACCOUNT', 1)!;
      const r = await post(
        s.endpoint,
        envelope(emu, `<sessionid>${s.id}</sessionid>`, [
          query('GLACCOUNT', ['RECORDNO', 'WHENMODIFIED'], '<filter><equalto><field>RECORDNO</field><value>1</value></equalto></filter>'),
        ]),
      );
      const shown = r.doc.response.operation.result[0].data.GLACCOUNT.WHENMODIFIED as string;
      const [, mo, d, y, h, mi, se] = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)$/.exec(shown)!.map(Number);
      const [, mo2, d2, y2, h2, mi2, se2] = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d)$/.exec(first.WHENMODIFIED!)!.map(Number);
      assert.equal(Date.UTC(y2!, mo2! - 1, d2, h2, mi2, se2) - Date.UTC(y!, mo! - 1, d, h, mi, se), 5 * 3_600_000);
      const eq = await post(
        s.endpoint,
        envelope(emu, `<sessionid>${s.id}</sessionid>`, [
          query(
            'GLACCOUNT',
            ['RECORDNO'],
            `<filter><and><equalto><field>WHENMODIFIED</field><value>${shown}</value></equalto><equalto><field>RECORDNO</field><value>1</value></equalto></and></filter>`,
          ),
        ]),
      );
      assert.equal(eq.doc.response.operation.result[0].data['@_count'], '1');
    } finally {
      emu.setUserGmtOffset('+00:00');
    }
  });

  it('rejects unknown fields and * with "The following fields cannot be queried", and pagesize > 2000 as a schema error', async () => {
    const s = await session(emu);
    const bad = await post(s.endpoint, envelope(emu, `<sessionid>${s.id}</sessionid>`, [query('GLDETAIL', ['RECORDNO', 'NOPE', '*'])]));
    const res = bad.doc.response.operation.result[0];
    assert.equal(res.status, 'failure');
    assert.equal(res.errormessage.error[0].description2, 'The following fields cannot be queried: [GLDETAIL: [NOPE, *] ]');
    const big = await post(s.endpoint, envelope(emu, `<sessionid>${s.id}</sessionid>`, [query('GLDETAIL', ['RECORDNO'], '<pagesize>2001</pagesize>')]));
    assert.equal(big.doc.response.control.status, 'failure');
    assert.equal(big.doc.response.errormessage.error[0].errorno, 'XL03000003');
    const unknown = await post(s.endpoint, envelope(emu, `<sessionid>${s.id}</sessionid>`, [query('BADOBJECT', ['RECORDNO'])]));
    assert.equal(unknown.doc.response.operation.result[0].errormessage.error[0].description2, 'Object definition BADOBJECT not found');
  });

  it('answers count/min/max aggregates as COUNT.RECORDNO etc.', async () => {
    const s = await session(emu);
    const accrual = [...emu.company.rows('GLDETAIL')].filter((r) => r.BOOKID === 'ACCRUAL');
    const r = await post(
      s.endpoint,
      envelope(emu, `<sessionid>${s.id}</sessionid>`, [
        `<query><object>GLDETAIL</object><select><count>RECORDNO</count><min>RECORDNO</min><max>RECORDNO</max></select><filter><equalto><field>BOOKID</field><value>ACCRUAL</value></equalto></filter>${SHOW_PRIVATE}</query>`,
      ]),
    );
    const row = r.doc.response.operation.result[0].data.GLDETAIL;
    assert.equal(Number(row['COUNT.RECORDNO']), accrual.length);
    assert.equal(row['MIN.RECORDNO'], accrual[0]!.RECORDNO);
    assert.equal(row['MAX.RECORDNO'], accrual[accrual.length - 1]!.RECORDNO);
  });

  it('lookup lists fields with DATATYPE and ISCUSTOM for custom fields, and user-defined dimensions with their relationship', async () => {
    const s = await session(emu);
    const r = await post(
      s.endpoint,
      envelope(emu, `<sessionid>${s.id}</sessionid>`, ['<lookup><object>GLDETAIL</object></lookup>', '<lookup><object>VENDOR</object></lookup>']),
    );
    const [gl, vendor] = r.doc.response.operation.result;
    const glFields = gl.data.Type.Fields.Field as Node[];
    assert.equal(gl.data.Type['@_Name'], 'GLDETAIL');
    // As recorded (docs/reference/intacct-objects.md): a user-defined dimension is a TEXT field with
    // ISCUSTOM=false and a MANY2ONE relationship to its dimension object; RECORDNO is TEXT here.
    const channel = glFields.find((x) => x.ID === 'GLDIMSALES_CHANNEL')!;
    assert.equal(channel.ISCUSTOM, 'false');
    assert.equal(channel.DATATYPE, 'TEXT');
    const rels = [gl.data.Type.Relationships.Relationship].flat() as Node[];
    assert.ok(rels.some((x) => x.RELATEDBY === 'GLDIMSALES_CHANNEL' && x.OBJECTNAME === 'SALES_CHANNEL' && x.RELATIONSHIPTYPE === 'MANY2ONE'));
    assert.equal(
      glFields.find((x) => x.ID === 'GLDIMPROGRAM'),
      undefined,
      'no made-up dimension',
    );
    assert.equal(glFields.find((x) => x.ID === 'AMOUNT')!.DATATYPE, 'DECIMAL');
    assert.equal(glFields.find((x) => x.ID === 'RECORDNO')!.ISCUSTOM, 'false');
    assert.equal(glFields.find((x) => x.ID === 'RECORDNO')!.DATATYPE, 'TEXT');
    const vendorFields = vendor.data.Type.Fields.Field as Node[];
    assert.deepEqual(
      vendorFields
        .filter((x) => x.ISCUSTOM === 'true')
        .map((x) => `${x.ID}:${x.DATATYPE}`)
        .sort(),
      ['VENDOR_CF_BOOL:BOOLEAN', 'VENDOR_CF_NUMBER:DECIMAL', 'VENDOR_CF_TEXT:TEXT'],
    );
  });

  it('writes deletions of audited objects to AUDITHISTORY and refuses it when not permitted', async () => {
    clock.advance(60_000);
    const victim = [...emu.company.rows('APBILL')][3]!;
    emu.company.remove('APBILL', Number(victim.RECORDNO));
    const s = await session(emu);
    const audit = query(
      'AUDITHISTORY',
      ['OBJECTKEY', 'ACCESSTIME', 'ACCESSMODE'],
      '<filter><and><equalto><field>OBJECTTYPE</field><value>apbill</value></equalto><equalto><field>ACCESSMODE</field><value>D</value></equalto></and></filter>',
    );
    const r = await post(s.endpoint, envelope(emu, `<sessionid>${s.id}</sessionid>`, [audit]));
    const entry = r.doc.response.operation.result[0].data.AUDITHISTORY;
    assert.equal(entry.OBJECTKEY, victim.RECORDNO);
    assert.equal(entry.ACCESSMODE, 'D');
    emu.setAuditHistoryPermitted(false);
    try {
      const denied = await post(s.endpoint, envelope(emu, `<sessionid>${s.id}</sessionid>`, [audit]));
      const err = denied.doc.response.operation.result[0].errormessage.error[0];
      assert.equal(err.errorno, 'PL04000005');
      assert.match(err.description2, /permission/);
    } finally {
      emu.setAuditHistoryPermitted(true);
    }
  });

  it('pages readByQuery then readMore by resultId, with lower-case records and a legacy query string', async () => {
    const s = await session(emu);
    // The query's own logic, from the records: active, and a currency that is neither CAD nor empty
    // (USD and EUR vendors; the sample company is multi-currency).
    const want = [...emu.company.list('VENDOR', (v) => v.STATUS === 'active' && v.CURRENCY !== 'CAD' && v.CURRENCY !== '')].map((v) => v.RECORDNO!);
    assert.ok(
      [...emu.company.list('VENDOR', (v) => want.includes(v.RECORDNO!))].some((v) => v.CURRENCY !== 'USD'),
      'non-USD vendors are in the set',
    );
    const q =
      "<readByQuery><object>VENDOR</object><fields>RECORDNO,NAME</fields><query>STATUS = 'active' AND NOT (CURRENCY = 'CAD' OR CURRENCY IS NULL)</query><pagesize>40</pagesize></readByQuery>";
    let r = await post(s.endpoint, envelope(emu, `<sessionid>${s.id}</sessionid>`, [q]));
    let data = r.doc.response.operation.result[0].data;
    const got: string[] = data.vendor.map((v: Node) => v.RECORDNO);
    assert.equal(data['@_listtype'], 'vendor');
    assert.equal(Number(data['@_totalcount']), want.length);
    while (Number(data['@_numremaining']) > 0) {
      r = await post(s.endpoint, envelope(emu, `<sessionid>${s.id}</sessionid>`, [`<readMore><resultId>${data['@_resultId']}</resultId></readMore>`]));
      data = r.doc.response.operation.result[0].data;
      got.push(...[data.vendor].flat().map((v: Node) => v.RECORDNO));
    }
    // readByQuery has no orderby (rows in no stable order, intacct-exchanges.md), but readMore
    // continues one result set: every matching row exactly once.
    assert.deepEqual(
      [...got].sort((a, b) => Number(a) - Number(b)),
      want,
    );
    const gone = await post(s.endpoint, envelope(emu, `<sessionid>${s.id}</sessionid>`, ['<readMore><resultId>nope</resultId></readMore>']));
    assert.match(gone.doc.response.operation.result[0].errormessage.error[0].description2, /invalid or expired resultId/);
    const bad = await post(
      s.endpoint,
      envelope(emu, `<sessionid>${s.id}</sessionid>`, ["<readByQuery><object>VENDOR</object><fields>*</fields><query>NAME != 'x'</query></readByQuery>"]),
    );
    assert.match(bad.doc.response.operation.result[0].errormessage.error[0].description2, /Unable to parse Query value/);
  });

  it('moves WHENMODIFIED to the clock on edit', () => {
    clock.set(Date.UTC(2026, 0, 20, 9, 30, 5));
    const rec = emu.company.edit('VENDOR', 5, { NAME: 'Renamed & Co' });
    assert.equal(rec.WHENMODIFIED, '01/20/2026 09:30:05');
    assert.equal(emu.company.get('VENDOR', 5)!.NAME, 'Renamed & Co');
  });
});

describe('intacct emulator limits and faults', () => {
  let emu: IntacctEmulator;
  before(async () => {
    emu = await startIntacctEmulator({ glRows: 500, vendors: 30, bills: 10 });
  });
  after(async () => {
    await emu.close();
  });

  it('fails a third request in flight with "too many operations running for this company"', async () => {
    const s = await session(emu);
    emu.setLatency(150);
    try {
      const body = envelope(emu, `<sessionid>${s.id}</sessionid>`, [query('DEPARTMENT', ['RECORDNO'])]);
      const answers = await Promise.all([post(s.endpoint, body), post(s.endpoint, body), post(s.endpoint, body)]);
      const failures = answers.filter((a) => a.doc.response.operation.result[0].status === 'failure');
      assert.equal(failures.length, 1);
      assert.match(failures[0]!.doc.response.operation.result[0].errormessage.error[0].description2, /too many operations running for this company \(200024\)/);
    } finally {
      emu.setLatency(0);
    }
  });

  it('injects each fault kind and logs it', async () => {
    const s = await session(emu);
    const body = envelope(emu, `<sessionid>${s.id}</sessionid>`, [query('DEPARTMENT', ['RECORDNO'])]);
    const expect: Record<string, (r: { status: number; text: string } | Error) => void> = {
      http500: (r) => assert.equal((r as { status: number }).status, 500),
      http502: (r) => assert.equal((r as { status: number }).status, 502),
      http503: (r) => assert.equal((r as { status: number }).status, 503),
      http429: (r) => assert.equal((r as { status: number }).status, 429),
      malformed: (r) => assert.ok(!(r as { text: string }).text.includes('</response>')),
      transient: (r) => assert.match((r as { text: string }).text, /too many operations|Temporarily Off-line|Please Try Again Later/),
      drop: (r) => assert.ok(r instanceof Error),
      truncated: (r) => assert.ok(r instanceof Error),
    };
    for (const [kind, check] of Object.entries(expect)) {
      emu.setFaults({ rate: 1, kinds: [kind as never] });
      const r = await post(s.endpoint, body).catch((e: Error) => e);
      check(r as never);
      assert.equal(emu.requests[emu.requests.length - 1]!.fault, kind);
    }
    emu.setFaults({ rate: 1, kinds: ['sessionExpire'] });
    const expired = await post(s.endpoint, body);
    assert.match(expired.text, /Invalid session/);
    assert.equal(emu.requests[emu.requests.length - 1]!.fault, 'sessionExpire');
    emu.setFaults({ rate: 0 });
  });

  it('holds a hung request until the client gives up', async () => {
    const s = await session(emu);
    emu.setFaults({ rate: 1, kinds: ['hang'] });
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(s.endpoint, { method: 'POST', timeout: 300 }, (res) => resolve(`answered ${res.statusCode}`));
      req.on('timeout', () => {
        req.destroy();
        resolve('timed out');
      });
      req.on('error', () => resolve('error'));
      req.end(envelope(emu, `<sessionid>${s.id}</sessionid>`, [query('DEPARTMENT', ['RECORDNO'])]));
    });
    emu.setFaults({ rate: 0 });
    assert.equal(outcome, 'timed out');
    assert.ok(Date.now() - started >= 250);
  });
});
