// Entity visibility in the Intacct emulator (intacct-xml.md §3.3): raw XML against the gateway, then
// our own client signed in to an entity. Expected rows always come from the company's records
// (`company.list`) filtered on their owning entity, never from constants: MEGAENTITYID where the
// object has it; GLDETAIL and APBILLITEM have no MEGAENTITY* fields (docs/reference/
// intacct-objects.md "Entity fields"), so the entity of their LOCATIONID.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { systemClock } from '../../../../main/core/clock';
import { createNodeFetch } from '../../../../main/core/http/transport';
import { createIntacctClient } from '../../../../main/core/intacct';
import { streamByName } from '../../../../main/core/streams/definitions';
import { objectNames, objectSpec, parseDateTime, startIntacctEmulator, type IntacctEmulator, type IntacctRecord } from '../../../../main/emulators/intacct';
import { ENTITIES, LOCATIONS } from '../../../../main/emulators/intacct/sample-reference-data';

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Sees = (entityId: string) => boolean;

const PRIVATE_ENTITY = 'CA-HP';
const PUBLIC_ENTITY = 'US-HP';
/** What each kind of session should see, written from the reference (§3.3), not from the emulator's code. */
const topLevel: Sees = (id) => id !== PRIVATE_ENTITY;
const everything: Sees = () => true;
const entityOnly =
  (entity: string): Sees =>
  (id) =>
    id === entity || id === '';

/** Objects without MEGAENTITY* whose records belong to the entity of their location. */
const LOCATION_OWNED = new Set(['GLDETAIL', 'APBILLITEM']);
/** The entity ('' = top level) owning a record, from the sample company's location list. */
function owner(object: string, r: IntacctRecord | Node): string {
  if (!LOCATION_OWNED.has(object)) return String(r.MEGAENTITYID ?? '');
  const loc = LOCATIONS.find((l) => l.id === String(r.LOCATIONID ?? ''));
  return loc ? ENTITIES[loc.entity].id : '';
}
/** RECORDNO order: numbers on most objects, text on GLDETAIL (`200000-1000000-30001--accrual`). */
const byRecordNo = (a: string, b: string) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (n) => ['result', 'error'].includes(n) });

/** Where and how a request authenticates: a login (optionally into an entity) or a session. */
interface Auth {
  url: string;
  xml: string;
  label: string;
}

function envelope(emu: IntacctEmulator, auth: string, fn: string): string {
  const c = emu.credentials;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${esc(c.senderId)}</senderid><password>${esc(c.senderPassword)}</password>` +
    `<controlid>ctl-ent</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>` +
    `<operation><authentication>${auth}</authentication><content><function controlid="f0">${fn}</function></content></operation></request>`
  );
}

const loginXml = (emu: IntacctEmulator, locationId?: string) => {
  const c = emu.credentials;
  return `<login><userid>${esc(c.userId)}</userid><companyid>${esc(c.companyId)}</companyid><password>${esc(c.userPassword)}</password>${locationId !== undefined ? `<locationid>${esc(locationId)}</locationid>` : ''}</login>`;
};

/** Runs one function and returns its successful `<result>` (fails the test with Intacct's error otherwise). */
async function run(emu: IntacctEmulator, auth: Auth, fn: string): Promise<{ result: Node; authentication: Node }> {
  const res = await fetch(auth.url, { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: envelope(emu, auth.xml, fn) });
  const doc = parser.parse(await res.text()) as Node;
  const op = doc.response?.operation;
  const result = op?.result?.[0];
  assert.equal(
    result?.status,
    'success',
    `${auth.label}: ${fn.slice(0, 80)}… failed: ${JSON.stringify(op?.errormessage ?? result?.errormessage ?? doc.response?.errormessage)}`,
  );
  return { result, authentication: op.authentication };
}

/** A session from `getAPISession`, signed in with `loginLocation` and asking for `sessionLocation`. */
async function sessionAuth(emu: IntacctEmulator, label: string, loginLocation?: string, sessionLocation?: string): Promise<Auth> {
  const fn = sessionLocation === undefined ? '<getAPISession/>' : `<getAPISession><locationid>${esc(sessionLocation)}</locationid></getAPISession>`;
  const { result } = await run(emu, { url: emu.url, xml: loginXml(emu, loginLocation), label }, fn);
  const api = result.data.api;
  assert.equal(api.locationid, sessionLocation ?? loginLocation ?? '', `${label}: getAPISession reports the session's entity`);
  return { url: api.endpoint, xml: `<sessionid>${esc(api.sessionid)}</sessionid>`, label };
}

interface QueryOpts {
  filter?: string;
  order?: 'recordno' | 'wm';
  showPrivate?: boolean;
}

function queryXml(object: string, fields: readonly string[], o: QueryOpts, pageSize: number, offset: number): string {
  const order =
    o.order === 'wm'
      ? '<orderby><order><field>WHENMODIFIED</field><ascending/></order><order><field>RECORDNO</field><ascending/></order></orderby>'
      : '<orderby><order><field>RECORDNO</field><ascending/></order></orderby>';
  return (
    `<query><object>${object}</object><select>${fields.map((f) => `<field>${f}</field>`).join('')}</select>` +
    (o.filter ? `<filter>${o.filter}</filter>` : '') +
    order +
    (o.showPrivate ? '<options><showprivate>true</showprivate></options>' : '') +
    `<pagesize>${pageSize}</pagesize><offset>${offset}</offset></query>`
  );
}

const asRows = (v: unknown): Node[] => (v === undefined || v === '' ? [] : ((Array.isArray(v) ? v : [v]) as Node[]));

/**
 * Pages a `query` to the end by offset, checking on every page that offset, count, numremaining and
 * totalcount agree with the rows actually returned.
 */
async function readAll(
  emu: IntacctEmulator,
  auth: Auth,
  object: string,
  fields: readonly string[],
  o: QueryOpts,
  pageSize: number,
): Promise<{ rows: Node[]; pages: number }> {
  const rows: Node[] = [];
  let total = -1;
  let offset = 0;
  let pages = 0;
  for (;;) {
    const data = (await run(emu, auth, queryXml(object, fields, o, pageSize, offset))).result.data;
    const page = asRows(data[object]);
    const at = `${auth.label} ${object} page at ${offset}`;
    assert.equal(data['@_listtype'], object, `${at}: listtype`);
    assert.equal(Number(data['@_offset']), offset, `${at}: offset echoes the request`);
    assert.equal(Number(data['@_count']), page.length, `${at}: count is the number of rows returned`);
    if (total >= 0) assert.equal(Number(data['@_totalcount']), total, `${at}: totalcount is stable across pages`);
    total = Number(data['@_totalcount']);
    assert.equal(Number(data['@_numremaining']), Math.max(0, total - offset - page.length), `${at}: numremaining = totalcount - offset - count`);
    rows.push(...page);
    pages++;
    if (Number(data['@_numremaining']) === 0) break;
    assert.equal(page.length, pageSize, `${at}: a page with rows remaining is full`);
    offset += page.length;
  }
  assert.equal(rows.length, total, `${auth.label} ${object}: the pages add up to totalcount`);
  return { rows, pages };
}

/** Pages a `readByQuery` through `readMore` by resultId; returns the rows and the first totalcount. */
async function readByQueryAll(
  emu: IntacctEmulator,
  auth: Auth,
  object: string,
  fields: string,
  query: string,
  pageSize: number,
): Promise<{ rows: Node[]; total: number }> {
  const tag = object.toLowerCase();
  let data = (
    await run(
      emu,
      auth,
      `<readByQuery><object>${object}</object><fields>${fields}</fields><query>${esc(query)}</query><pagesize>${pageSize}</pagesize></readByQuery>`,
    )
  ).result.data;
  const total = Number(data['@_totalcount']);
  const rows = asRows(data[tag]);
  while (Number(data['@_numremaining']) > 0) {
    data = (await run(emu, auth, `<readMore><resultId>${esc(data['@_resultId'])}</resultId></readMore>`)).result.data;
    assert.equal(Number(data['@_totalcount']), total, `${auth.label} readMore ${object}: totalcount is stable`);
    rows.push(...asRows(data[tag]));
  }
  assert.equal(rows.length, total, `${auth.label} readByQuery ${object}: the pages add up to totalcount`);
  return { rows, total };
}

const wmKey = (r: IntacctRecord | Node) => parseDateTime(String(r.WHENMODIFIED), 0) ?? 0;
const byWmThenRecordNo = (a: IntacctRecord, b: IntacctRecord) => wmKey(a) - wmKey(b) || byRecordNo(a.RECORDNO!, b.RECORDNO!);

describe('intacct emulator entity visibility (intacct-xml.md §3.3)', () => {
  let emu: IntacctEmulator;
  let top: Auth;
  /** The company's own records of an object that a session seeing `sees` should get, in RECORDNO order. */
  const expected = (object: string, sees: Sees, also: (r: IntacctRecord) => boolean = () => true): IntacctRecord[] => [
    ...emu.company.list(object, (r) => sees(owner(object, r)) && also(r)),
  ];
  const recordNos = (rows: readonly (IntacctRecord | Node)[]) => rows.map((r) => String(r.RECORDNO));
  const entitiesOf = (object: string, rows: readonly Node[]) => new Set(rows.map((r) => owner(object, r)));

  before(async () => {
    emu = await startIntacctEmulator({ glRows: 3000, seed: 7, vendors: 90, bills: 40 });
    const c = emu.company;
    // Records owned by the top level (MEGAENTITYID '', or a GL line without a location) are shared
    // with every entity, and edited or added GL rows (served from overrides, not from the generator)
    // must obey visibility too; moving a line to a Montréal location moves it to CA-HP.
    c.add('VENDOR', { VENDORID: 'V-SHARED', NAME: 'Shared Services & Co.', STATUS: 'active', CURRENCY: 'USD' });
    c.add('GLDETAIL', { BOOKID: 'ACCRUAL', AMOUNT: '10.5', ACCOUNTNO: '6400', LOCATIONID: '' });
    c.add('GLDETAIL', { BOOKID: 'ACCRUAL', AMOUNT: '-10.5', ACCOUNTNO: '2000', LOCATIONID: 'MTL', LOCATIONNAME: 'Montréal Usine' });
    const gl = [...c.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL')];
    const us = gl.filter((r) => owner('GLDETAIL', r) === PUBLIC_ENTITY);
    const ca = gl.filter((r) => owner('GLDETAIL', r) === PRIVATE_ENTITY);
    c.edit('GLDETAIL', us[100]!.RECORDNO!, { LOCATIONID: 'TRV', LOCATIONNAME: 'Trois-Rivières Dépôt' });
    c.edit('GLDETAIL', ca[200]!.RECORDNO!, { AMOUNT: '99.99' });
    c.remove('GLDETAIL', ca[300]!.RECORDNO!);
    top = await sessionAuth(emu, 'top-level session');
  });
  after(async () => {
    await emu?.close();
  });

  it('the sample company has a private and a public entity, each owning vendors and GL rows', () => {
    assert.deepEqual(
      ENTITIES.map((e) => [e.id, e.private]),
      [
        [PUBLIC_ENTITY, false],
        [PRIVATE_ENTITY, true],
      ],
      'CA-HP is private, US-HP is not',
    );
    for (const object of ['VENDOR', 'GLDETAIL']) {
      for (const id of [PUBLIC_ENTITY, PRIVATE_ENTITY, '']) {
        assert.ok(emu.company.count(object, (r) => owner(object, r) === id) > 0, `${object} has records owned by '${id}'`);
      }
    }
    assert.ok(!objectSpec('GLDETAIL')!.fields.some((f) => f.id.startsWith('MEGAENTITY')), 'GL detail carries no MEGAENTITY* field');
  });

  it('a top-level query on VENDOR hides the private entity without showprivate and returns everything with it', async () => {
    const fields = ['RECORDNO', 'VENDORID', 'MEGAENTITYID'];
    const hidden = await readAll(emu, top, 'VENDOR', fields, {}, 25);
    assert.ok(!entitiesOf('VENDOR', hidden.rows).has(PRIVATE_ENTITY), 'no CA-HP vendor without showprivate');
    assert.deepEqual(recordNos(hidden.rows), recordNos(expected('VENDOR', topLevel)), 'exactly the US-HP and top-level vendors');
    assert.ok(hidden.pages > 1, 'the read spans several pages');
    const shown = await readAll(emu, top, 'VENDOR', fields, { showPrivate: true }, 25);
    assert.deepEqual(recordNos(shown.rows), recordNos(expected('VENDOR', everything)), 'showprivate=true returns every vendor');
  });

  it('a top-level query on GLDETAIL hides the private entity: full read, WHENMODIFIED window and count', async () => {
    const fields = ['RECORDNO', 'WHENMODIFIED', 'LOCATIONID'];
    const full = await readAll(emu, top, 'GLDETAIL', fields, {}, 700);
    assert.ok(!entitiesOf('GLDETAIL', full.rows).has(PRIVATE_ENTITY), 'no CA-HP GL row without showprivate');
    assert.deepEqual(recordNos(full.rows), recordNos(expected('GLDETAIL', topLevel)), 'exactly the US-HP and top-level GL rows, in RECORDNO order');

    // An incremental window: ACCRUAL rows modified at or after a pivot, ordered by WHENMODIFIED then RECORDNO.
    const accrual = expected('GLDETAIL', everything, (r) => r.BOOKID === 'ACCRUAL');
    const pivot = accrual[Math.floor(accrual.length / 3)]!.WHENMODIFIED!;
    const filter = `<and><equalto><field>BOOKID</field><value>ACCRUAL</value></equalto><greaterthanorequalto><field>WHENMODIFIED</field><value>${pivot}</value></greaterthanorequalto></and>`;
    const inWindow = (r: IntacctRecord) => r.BOOKID === 'ACCRUAL' && wmKey(r) >= wmKey({ WHENMODIFIED: pivot });
    const window = await readAll(emu, top, 'GLDETAIL', fields, { filter, order: 'wm' }, 400);
    assert.deepEqual(
      recordNos(window.rows),
      recordNos(expected('GLDETAIL', topLevel, inWindow).sort(byWmThenRecordNo)),
      'the window holds exactly the visible rows, in keyset order',
    );
    const windowAll = await readAll(emu, top, 'GLDETAIL', fields, { filter, order: 'wm', showPrivate: true }, 400);
    assert.deepEqual(
      recordNos(windowAll.rows),
      recordNos(expected('GLDETAIL', everything, inWindow).sort(byWmThenRecordNo)),
      'with showprivate the window holds every row',
    );

    // count/min/max, with and without showprivate, with and without the window.
    for (const [f, also] of [
      ['', () => true],
      [filter, inWindow],
    ] as const) {
      for (const [showPrivate, sees] of [
        [false, topLevel],
        [true, everything],
      ] as const) {
        const q = `<query><object>GLDETAIL</object><select><count>RECORDNO</count><min>RECORDNO</min><max>RECORDNO</max></select>${f ? `<filter>${f}</filter>` : ''}${showPrivate ? '<options><showprivate>true</showprivate></options>' : ''}</query>`;
        const row = (await run(emu, top, q)).result.data.GLDETAIL as Node;
        // RECORDNO is TEXT on GLDETAIL: min and max by text order.
        const want = expected('GLDETAIL', sees, also)
          .map((r) => r.RECORDNO!)
          .sort(byRecordNo);
        const label = `count ${f ? 'in the window' : 'of all rows'}, showprivate ${showPrivate}`;
        assert.equal(Number(row['COUNT.RECORDNO']), want.length, label);
        assert.equal(String(row['MIN.RECORDNO']), want[0], `${label}: min`);
        assert.equal(String(row['MAX.RECORDNO']), want[want.length - 1], `${label}: max`);
      }
    }
    // A filter the fast path does not answer (ACCOUNTNO) is scanned: same visibility.
    const ap = await readAll(emu, top, 'GLDETAIL', fields, { filter: '<equalto><field>ACCOUNTNO</field><value>2000</value></equalto>' }, 100);
    assert.deepEqual(recordNos(ap.rows), recordNos(expected('GLDETAIL', topLevel, (r) => r.ACCOUNTNO === '2000')), 'a scanned GL query hides CA-HP too');
    const all = await readAll(emu, top, 'GLDETAIL', ['RECORDNO'], { showPrivate: true }, 2000);
    assert.deepEqual(recordNos(all.rows), recordNos(expected('GLDETAIL', everything)), 'showprivate=true returns every GL row');
  });

  it('an entity session sees only its entity and the top level, whether it came from the login or from getAPISession', async () => {
    const sessions: Auth[] = [
      { url: emu.url, xml: loginXml(emu, PRIVATE_ENTITY), label: 'login with locationid CA-HP' },
      await sessionAuth(emu, 'getAPISession after a login with locationid CA-HP', PRIVATE_ENTITY),
      await sessionAuth(emu, 'getAPISession with locationid CA-HP from the top level', undefined, PRIVATE_ENTITY),
    ];
    const sees = entityOnly(PRIVATE_ENTITY);
    for (const auth of sessions) {
      // showprivate does not widen an entity session: it only concerns the top level.
      const vendors = await readAll(emu, auth, 'VENDOR', ['RECORDNO', 'MEGAENTITYID'], { showPrivate: true }, 4);
      assert.deepEqual(recordNos(vendors.rows), recordNos(expected('VENDOR', sees)), `${auth.label}: exactly the CA-HP and shared vendors`);
      assert.ok(vendors.pages > 1, `${auth.label}: vendors span several pages`);
      const gl = await readAll(emu, auth, 'GLDETAIL', ['RECORDNO', 'WHENMODIFIED', 'LOCATIONID'], { order: 'wm' }, 450);
      assert.deepEqual(
        recordNos(gl.rows),
        recordNos(expected('GLDETAIL', sees).sort(byWmThenRecordNo)),
        `${auth.label}: exactly the CA-HP and top-level GL rows, in keyset order`,
      );
      assert.ok(gl.pages > 1, `${auth.label}: GL rows span several pages`);
      assert.deepEqual([...entitiesOf('GLDETAIL', gl.rows)].sort(), ['', PRIVATE_ENTITY], `${auth.label}: CA-HP and top-level rows only`);
      const { authentication } = await run(emu, auth, queryXml('DEPARTMENT', ['RECORDNO'], {}, 1, 0));
      assert.equal(authentication.locationid, PRIVATE_ENTITY, `${auth.label}: the authentication block names the entity`);
    }
    // A public entity's session is narrowed the same way.
    const us = await sessionAuth(emu, 'getAPISession with locationid US-HP', undefined, PUBLIC_ENTITY);
    const usVendors = await readAll(emu, us, 'VENDOR', ['RECORDNO'], { showPrivate: true }, 50);
    assert.deepEqual(recordNos(usVendors.rows), recordNos(expected('VENDOR', entityOnly(PUBLIC_ENTITY))), 'a US-HP session sees US-HP and shared vendors only');
  });

  it('readByQuery and readMore hide the private entity at the top level, and narrow an entity session', async () => {
    // readByQuery has no orderby, and Intacct returns such rows in no stable order
    // (intacct-exchanges.md): the pages must hold each visible row once, in whatever order.
    const keySet = (rows: readonly (IntacctRecord | Node)[]) => recordNos(rows).sort(byRecordNo);
    const vendors = await readByQueryAll(emu, top, 'VENDOR', 'RECORDNO,MEGAENTITYID', '', 25);
    assert.equal(vendors.total, expected('VENDOR', topLevel).length, 'readByQuery totalcount counts the visible vendors');
    assert.deepEqual(keySet(vendors.rows), keySet(expected('VENDOR', topLevel)), 'readByQuery at the top level: US-HP and top-level vendors only');
    const gl = await readByQueryAll(emu, top, 'GLDETAIL', 'RECORDNO', "BOOKID = 'ACCRUAL'", 1000);
    assert.deepEqual(
      keySet(gl.rows),
      keySet(expected('GLDETAIL', topLevel, (r) => r.BOOKID === 'ACCRUAL')),
      'readByQuery GLDETAIL at the top level hides CA-HP',
    );
    const ca = await sessionAuth(emu, 'CA-HP session', undefined, PRIVATE_ENTITY);
    const caVendors = await readByQueryAll(emu, ca, 'VENDOR', 'RECORDNO', "STATUS = 'active'", 10);
    assert.deepEqual(
      keySet(caVendors.rows),
      keySet(expected('VENDOR', entityOnly(PRIVATE_ENTITY), (r) => r.STATUS === 'active')),
      'readByQuery in a CA-HP session',
    );
  });

  it('applies to every object with MEGAENTITYID, aggregates included, and leaves the others alone', async () => {
    const ca = await sessionAuth(emu, 'CA-HP session', undefined, PRIVATE_ENTITY);
    const cases: [Auth, boolean, Sees][] = [
      [top, false, topLevel],
      [top, true, everything],
      [ca, false, entityOnly(PRIVATE_ENTITY)],
    ];
    const narrowed: string[] = [];
    for (const object of objectNames()) {
      const spec = objectSpec(object)!;
      const owned = spec.fields.some((f) => f.id === 'MEGAENTITYID') || LOCATION_OWNED.has(object);
      const key = spec.fields.some((f) => f.id === 'RECORDNO') ? 'RECORDNO' : 'ID';
      const counts: number[] = [];
      for (const [auth, showPrivate, sees] of cases) {
        const q = `<query><object>${object}</object><select><count>${key}</count></select>${showPrivate ? '<options><showprivate>true</showprivate></options>' : ''}</query>`;
        const row = (await run(emu, auth, q)).result.data[object] as Node;
        const want = emu.company.count(object, (r) => !owned || sees(owner(object, r)));
        assert.equal(Number(row[`COUNT.${key}`]), want, `${object} count for ${auth.label}, showprivate ${showPrivate}`);
        counts.push(want);
      }
      if (!owned)
        assert.ok(
          counts.every((n) => n === counts[1]),
          `${object} has no owning entity and is not narrowed (counts ${counts.join('/')})`,
        );
      else if (emu.company.count(object, (r) => owner(object, r) === PRIVATE_ENTITY) > 0) {
        assert.ok(counts[0]! < counts[1]! && counts[2]! < counts[1]!, `${object} records are narrowed (counts ${counts.join('/')})`);
        narrowed.push(object);
      }
    }
    // Vendors, bills and payments carry MEGAENTITYID; GL and bill lines belong to their location's
    // entity: all are narrowed. Departments, locations and payment details have no owning entity.
    for (const object of ['VENDOR', 'APBILL', 'APBILLITEM', 'APPYMT', 'GLDETAIL'])
      assert.ok(narrowed.includes(object), `${object} is narrowed (${narrowed.join(', ')})`);
    for (const object of ['DEPARTMENT', 'LOCATION', 'APPYMTDETAIL']) assert.ok(!narrowed.includes(object), `${object} is not narrowed`);
  });
});

describe('intacct client signed in to an entity, against the emulator', () => {
  let emu: IntacctEmulator;
  const vendorStream = streamByName('vendor');
  const newClient = (entityId?: string) =>
    createIntacctClient({
      credentials: { ...emu.credentials, ...(entityId ? { entityId } : {}) },
      endpoint: emu.url,
      allowedEndpointHosts: () => true, // the emulator is on 127.0.0.1
      fetch: createNodeFetch(),
      clock: systemClock,
      retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 3 },
    });
  const readVendors = async (entityId?: string) => {
    const client = newClient(entityId);
    try {
      const rows: { recordNo: number; entity: string }[] = [];
      for await (const page of client.readChanged({ object: 'VENDOR', columns: vendorStream.columns, since: null, pageSize: 30 })) {
        rows.push(...page.rows.map((r) => ({ recordNo: r.RECORDNO as number, entity: (r.MEGAENTITYID as string | null) ?? '' })));
      }
      return rows;
    } finally {
      client.close();
    }
  };
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

  before(async () => {
    emu = await startIntacctEmulator({ glRows: 300, seed: 3, vendors: 80, bills: 10 });
    emu.company.add('VENDOR', { VENDORID: 'V-SHARED', NAME: 'Shared Services & Co.', STATUS: 'active', CURRENCY: 'USD' });
  });
  after(async () => {
    await emu?.close();
  });

  it('reads only the CA-HP and shared vendors with entityId CA-HP, and every vendor at the top level', async () => {
    const entityRows = await readVendors(PRIVATE_ENTITY);
    const want = [...emu.company.list('VENDOR', (r) => r.MEGAENTITYID === PRIVATE_ENTITY || r.MEGAENTITYID === '')].map((r) => Number(r.RECORDNO));
    assert.deepEqual(sorted(entityRows.map((r) => r.recordNo)), sorted(want), 'the entity login reads exactly the CA-HP and shared vendors');
    assert.ok(entityRows.some((r) => r.entity === '') && entityRows.some((r) => r.entity === PRIVATE_ENTITY), 'both CA-HP and shared vendors are read');
    assert.ok(!entityRows.some((r) => r.entity === PUBLIC_ENTITY), 'no US-HP vendor is read');
    // At the top level the client sends showprivate, so a sync sees the private entity too.
    const topRows = await readVendors();
    assert.deepEqual(
      sorted(topRows.map((r) => r.recordNo)),
      sorted([...emu.company.rows('VENDOR')].map((r) => Number(r.RECORDNO))),
      'the top-level client reads every vendor',
    );
  });
});
