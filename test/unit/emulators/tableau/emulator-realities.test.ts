/**
 * The emulator's stricter behaviours (issue 11 "What to change in the emulator"): VizQL Data
 * Service, list sort and filter operators, users on site, connections, delete, download content,
 * Cancel Job, Retry-After only on some 429s, JWT claims and scopes, expiring upload sessions, and
 * injected expiries that never hit an unused session.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { signConnectedAppJwt, startTableauEmulator, type TableauEmulator } from '../../../../main/emulators/tableau';
import { hyperFromDownload } from '../../../../main/core/tableau/tdsx-archive';
import { API, api, buildHyper, idOf, multipartBody, pollJob, signIn } from './helpers';

const COLUMNS = '"RECORDNO" BIGINT NOT NULL, "ACCOUNTNO" TEXT, "AMOUNT" NUMERIC(18,2), "BATCH_DATE" DATE, "MEMO" TEXT';
const ROWS = [
  `(1, '4000', 100.10, DATE '2026-01-02', 'rent jan')`,
  `(2, '4000', -20.05, DATE '2026-01-20', 'refund')`,
  `(3, '4000', 5.00, DATE '2026-02-01', 'rent feb')`,
  `(4, '5000', 0.01, DATE '2026-02-11', NULL)`,
  `(5, NULL, 7.50, NULL, 'no account')`,
];
const B = 'realities-boundary';

describe('tableau emulator: Tableau as it really is', () => {
  let emu: TableauEmulator;
  let clock: ManualClock;
  let dir: string;
  let token: string;
  let projectId: string;
  let dsId: string;

  const publish = async (name: string, file: Buffer, query = 'overwrite=true'): Promise<Response> =>
    api(emu, token, `datasources?${query}`, {
      method: 'POST',
      headers: { 'Content-Type': `multipart/mixed; boundary=${B}` },
      body: multipartBody(
        [
          {
            name: 'request_payload',
            contentType: 'text/xml',
            data: `<tsRequest><datasource name="${name}"><project id="${projectId}"/></datasource></tsRequest>`,
          },
          { name: 'tableau_datasource', filename: `${name}.hyper`, contentType: 'application/octet-stream', data: file },
        ],
        B,
      ),
    });
  const vds = (method: string, body: unknown, tok = token): Promise<Response> =>
    fetch(`${emu.url}/api/v1/vizql-data-service/${method}`, {
      method: 'POST',
      headers: { 'X-Tableau-Auth': tok, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  const query = async (q: unknown): Promise<Record<string, unknown>[]> => {
    const res = await vds('query-datasource', { datasource: { datasourceLuid: dsId }, query: q, options: { returnFormat: 'OBJECTS' } });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return (JSON.parse(text) as { data: Record<string, unknown>[] }).data;
  };

  before(async () => {
    clock = new ManualClock(Date.UTC(2026, 0, 15, 12, 0, 0));
    dir = await mkdtemp(join(tmpdir(), 'tableau-emu-real-'));
    emu = await startTableauEmulator({ clock, jobPollsToComplete: 1, jobDurationMs: 60_000, uploadTtlMs: 30 * 60_000 });
    token = (await signIn(emu)).token;
    projectId = idOf(await (await api(emu, token, 'projects?filter=name:eq:default')).text(), 'project');
    const file = await buildHyper(await emu.hyperEngine(), join(dir, 'gl.hyper'), [{ schema: 'Extract', name: 'Extract', columns: COLUMNS, rows: ROWS }]);
    const res = await publish('GL', file);
    assert.equal(res.status, 201);
    dsId = idOf(await res.text(), 'datasource');
  });
  after(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('VizQL Data Service', () => {
    it('read-metadata lists the fields with VDS data types', async () => {
      const res = await vds('read-metadata', { datasource: { datasourceLuid: dsId } });
      assert.equal(res.status, 200);
      const { data } = (await res.json()) as { data: { fieldCaption: string; dataType: string; defaultAggregation: string }[] };
      assert.deepEqual(
        data.map((f) => [f.fieldCaption, f.dataType, f.defaultAggregation]),
        [
          ['RECORDNO', 'INTEGER', 'SUM'],
          ['ACCOUNTNO', 'STRING', 'NONE'],
          ['AMOUNT', 'REAL', 'SUM'],
          ['BATCH_DATE', 'DATE', 'NONE'],
          ['MEMO', 'STRING', 'NONE'],
        ],
      );
    });

    it('query-datasource: SUM and COUNT by account and TRUNC_MONTH, aliases, default keys, sorting', async () => {
      const rows = await query({
        fields: [
          { fieldCaption: 'ACCOUNTNO', fieldAlias: 'account', sortPriority: 1 },
          { fieldCaption: 'BATCH_DATE', function: 'TRUNC_MONTH', fieldAlias: 'period', sortPriority: 2 },
          { fieldCaption: 'AMOUNT', function: 'SUM', maxDecimalPlaces: 2 },
          { fieldCaption: 'RECORDNO', function: 'COUNT', fieldAlias: 'rows' },
        ],
      });
      assert.deepEqual(rows, [
        { account: '4000', period: '2026-01-01', 'SUM(AMOUNT)': 80.05, rows: 2 },
        { account: '4000', period: '2026-02-01', 'SUM(AMOUNT)': 5, rows: 1 },
        { account: '5000', period: '2026-02-01', 'SUM(AMOUNT)': 0.01, rows: 1 },
        { account: null, period: null, 'SUM(AMOUNT)': 7.5, rows: 1 },
      ]);
      const total = await query({
        fields: [
          { fieldCaption: 'RECORDNO', function: 'COUNT', fieldAlias: 'n' },
          { fieldCaption: 'ACCOUNTNO', function: 'COUNTD', fieldAlias: 'accounts' },
        ],
      });
      assert.deepEqual(total, [{ n: 5, accounts: 2 }]);
    });

    it('filters on a field: SET, MATCH, QUANTITATIVE_NUMERICAL and QUANTITATIVE_DATE', async () => {
      const ids = async (filters: unknown[]) => (await query({ fields: [{ fieldCaption: 'RECORDNO', sortPriority: 1 }], filters })).map((r) => r.RECORDNO);
      assert.deepEqual(await ids([{ field: { fieldCaption: 'ACCOUNTNO' }, filterType: 'SET', values: ['5000'] }]), [4]);
      assert.deepEqual(await ids([{ field: { fieldCaption: 'ACCOUNTNO' }, filterType: 'SET', values: ['4000'], exclude: true }]), [4]);
      assert.deepEqual(await ids([{ field: { fieldCaption: 'MEMO' }, filterType: 'MATCH', startsWith: 'rent' }]), [1, 3]);
      assert.deepEqual(
        await ids([{ field: { fieldCaption: 'AMOUNT' }, filterType: 'QUANTITATIVE_NUMERICAL', quantitativeFilterType: 'RANGE', min: 0, max: 10 }]),
        [3, 4, 5],
      );
      assert.deepEqual(
        await ids([{ field: { fieldCaption: 'BATCH_DATE' }, filterType: 'QUANTITATIVE_DATE', quantitativeFilterType: 'MIN', minDate: '2026-02-01' }]),
        [3, 4],
      );
      assert.deepEqual(await ids([{ field: { fieldCaption: 'BATCH_DATE' }, filterType: 'QUANTITATIVE_DATE', quantitativeFilterType: 'ONLY_NULL' }]), [5]);
    });

    it('answers errors as TableauError JSON, needs a session, and is absent (404) when switched off', async () => {
      const unknown = await vds('query-datasource', { datasource: { datasourceLuid: dsId }, query: { fields: [{ fieldCaption: 'NOPE' }] } });
      assert.equal(unknown.status, 400);
      const err = (await unknown.json()) as { errorCode: string; message: string; datetime: string };
      assert.match(err.message, /Unknown field 'NOPE'/);
      assert.ok(err.errorCode && err.datetime);
      assert.equal((await vds('read-metadata', { datasource: { datasourceLuid: dsId } }, 'not-a-token')).status, 401);
      emu.setVds(false);
      try {
        assert.equal((await vds('read-metadata', { datasource: { datasourceLuid: dsId } })).status, 404);
      } finally {
        emu.setVds(true);
      }
      const old = await startTableauEmulator({ productVersion: '2024.2.0' });
      try {
        const t = (await signIn(old)).token;
        const res = await fetch(`${old.url}/api/v1/vizql-data-service/read-metadata`, {
          method: 'POST',
          headers: { 'X-Tableau-Auth': t, 'Content-Type': 'application/json' },
          body: '{}',
        });
        assert.equal(res.status, 404, 'Tableau Server before 2025.1 has no VDS');
      } finally {
        await old.close();
      }
    });
  });

  describe('REST endpoints a client needs', () => {
    it('lists data sources with sort and the documented filter operators', async () => {
      const file = await buildHyper(await emu.hyperEngine(), join(dir, 'small.hyper'), [
        { schema: 'Extract', name: 'Extract', columns: COLUMNS, rows: [ROWS[0]!] },
      ]);
      clock.advance(60_000);
      assert.equal((await publish('Alpha Vendors', file)).status, 201);
      clock.advance(60_000);
      assert.equal((await publish('beta bills', file)).status, 201);
      const names = async (q: string) =>
        [...(await (await api(emu, token, `datasources?${q}`)).text()).matchAll(/<datasource [^>]*name="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(await names('filter=name:cieq:ALPHA%20VENDORS'), ['Alpha Vendors']);
      assert.deepEqual(await names('filter=name:eq:ALPHA%20VENDORS'), []);
      assert.deepEqual(await names('filter=updatedAt:gt:2026-01-15T12:00:30Z&sort=name:asc'), ['Alpha Vendors', 'beta bills']);
      assert.deepEqual(await names('filter=updatedAt:gte:2026-01-15T12:02:00Z'), ['beta bills']);
      assert.deepEqual(await names('filter=createdAt:lt:2026-01-15T12:00:30Z'), ['GL']);
      assert.deepEqual(await names('filter=name:in:[GL,beta%20bills]&sort=updatedAt:desc'), ['beta bills', 'GL']);
      assert.deepEqual(await names('sort=name:desc'), ['GL', 'beta bills', 'Alpha Vendors']);
      assert.equal((await api(emu, token, 'datasources?filter=name:like:x')).status, 400);
      assert.equal((await api(emu, token, 'datasources?sort=name:sideways')).status, 400);
    });

    it('users on site with name:cieq, connections, download content (.tdsx with the extract), delete', async () => {
      const users = await (await api(emu, token, `users?filter=name:cieq:${encodeURIComponent(emu.connectedApp.username.toUpperCase())}`)).text();
      assert.match(users, new RegExp(`<user id="${emu.userId}" name="${emu.connectedApp.username}" siteRole="Creator"`));
      assert.doesNotMatch(await (await api(emu, token, 'users?filter=name:eq:nobody')).text(), /<user /);
      const conns = await (await api(emu, token, `datasources/${dsId}/connections`)).text();
      assert.match(conns, /<connections><connection id="[^"]+" type="hyper"/);
      const dl = await api(emu, token, `datasources/${dsId}/content?includeExtract=true`);
      assert.equal(dl.status, 200);
      assert.match(dl.headers.get('content-disposition') ?? '', /filename="GL.tdsx"/);
      const bytes = Buffer.from(await dl.arrayBuffer());
      assert.equal(bytes.readUInt32LE(0), 0x04034b50, 'a zip');
      const hyper = hyperFromDownload(bytes, 'GL');
      assert.equal(hyper.subarray(0, 5).toString('latin1'), 'Hyper');
      const noExtract = Buffer.from(await (await api(emu, token, `datasources/${dsId}/content?includeExtract=false`)).arrayBuffer());
      assert.ok(noExtract.length < bytes.length / 4);
      const victim = idOf(await (await publish('Doomed', hyper)).text(), 'datasource');
      assert.equal((await api(emu, token, `datasources/${victim}`, { method: 'DELETE' })).status, 204);
      assert.equal((await api(emu, token, `datasources/${victim}`)).status, 404);
    });

    it('Cancel Job ends a refresh with finish code 2; a job already applied cannot be cancelled', async () => {
      const upstream = await emu.createDatasource('Dashboard extract');
      const refresh = await api(emu, token, `datasources/${upstream.id}/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/xml' },
        body: '<tsRequest/>',
      });
      const jobId = idOf(await refresh.text(), 'job');
      assert.equal((await api(emu, token, `jobs/${jobId}`, { method: 'PUT' })).status, 200);
      const done = await pollJob(emu, token, jobId);
      assert.equal(done.finishCode, 2);
      assert.equal(emu.refreshes.filter((r) => r.datasourceId === upstream.id).length, 0, 'the cancelled refresh is not counted');
      assert.equal((await api(emu, token, `jobs/${jobId}`, { method: 'PUT' })).status, 409);
    });

    it('a PATCH on a data source that is not live-to-Hyper is accepted and its job fails with a note', async () => {
      const upstream = await emu.createDatasource('Not hyper');
      const res = await api(emu, token, `datasources/${upstream.id}/data`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', RequestID: 'nl-1' },
        body: JSON.stringify({
          actions: [
            {
              action: 'delete',
              'target-schema': 'Extract',
              'target-table': 'Extract',
              condition: { op: 'lt', 'target-col': 'RECORDNO', const: { type: 'integer', v: 0 } },
            },
          ],
        }),
      });
      assert.equal(res.status, 202);
      const done = await pollJob(emu, token, idOf(await res.text(), 'job'));
      assert.equal(done.finishCode, 1);
      assert.match(done.xml, /<notes>[^<]*not a live-to-Hyper data source/);
    });

    it('upload sessions expire when unused (404 afterwards)', async () => {
      const init = await api(emu, token, 'fileUploads', { method: 'POST' });
      const id = /uploadSessionId="([^"]+)"/.exec(await init.text())![1]!;
      clock.advance(31 * 60_000);
      const res = await api(emu, token, `fileUploads/${encodeURIComponent(id)}`, {
        method: 'PUT',
        headers: { 'Content-Type': `multipart/mixed; boundary=${B}` },
        body: multipartBody(
          [
            { name: 'request_payload', contentType: 'text/xml', data: '' },
            { name: 'tableau_file', filename: 'f', contentType: 'application/octet-stream', data: Buffer.alloc(10) },
          ],
          B,
        ),
      });
      assert.equal(res.status, 404);
    });
  });

  describe('faults and sessions', () => {
    it('429s carry Retry-After only sometimes; an injected expiry never ends a session before its first use', async () => {
      const e = await startTableauEmulator();
      try {
        const tok = (await signIn(e)).token;
        e.setFaults({ rate: 1, kinds: ['expire401'], seed: 3 });
        assert.equal((await api(e, tok, 'projects')).status, 200, 'a fresh session is not expired by a fault');
        const second = await api(e, tok, 'projects');
        assert.equal(second.status, 401, 'a used one is');
        assert.match(await second.text(), /401002/);
        e.setFaults({ rate: 1, kinds: ['http429'], seed: 3 });
        const withHeader = new Set<boolean>();
        for (let i = 0; i < 30; i++) {
          const r = await fetch(`${e.url}/api/${API}/serverinfo`);
          if (r.status === 429) withHeader.add(r.headers.has('retry-after'));
        }
        assert.deepEqual([...withHeader].sort(), [false, true]);
      } finally {
        await e.close();
      }
    });

    it('JWT: iss, sub, aud, exp, jti and scp are checked; each call needs its scope', async () => {
      const e = await startTableauEmulator({ connectedApp: { scopes: ['tableau:content:read', 'tableau:datasources:*'] } });
      try {
        const app = e.connectedApp;
        const now = Date.now();
        const signin = (jwt: string) =>
          fetch(`${e.url}/api/${API}/auth/signin`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/xml' },
            body: `<tsRequest><credentials jwt="${jwt}"><site contentUrl="${e.site}"/></credentials></tsRequest>`,
          });
        const cases: [string, Record<string, unknown>][] = [
          ['wrong iss', { iss: 'someone-else' }],
          ['wrong sub', { sub: 'nobody@example.com' }],
          ['wrong aud', { aud: 'salesforce' }],
          ['expired', { exp: Math.floor(now / 1000) - 5 }],
          ['exp too far ahead', { exp: Math.floor(now / 1000) + 3600 }],
          ['no jti', { jti: undefined }],
          ['no scp', { scp: undefined }],
          ['scope not granted', { scp: ['tableau:content:read', 'tableau:jobs:read'] }],
        ];
        for (const [what, claims] of cases) {
          const res = await signin(signConnectedAppJwt(app, now, { jti: `j-${what}`, ...claims }));
          assert.equal(res.status, 401, what);
          assert.match(await res.text(), /401001/, what);
        }
        const jwt = signConnectedAppJwt(app, now, { jti: 'once', scp: ['tableau:content:read'] });
        const ok = await signin(jwt);
        assert.equal(ok.status, 200);
        assert.equal((await signin(jwt)).status, 401, 'a jti signs in once');
        const body = await ok.text();
        const t = /token="([^"]+)"/.exec(body)![1]!;
        const site = /<site id="([^"]+)"/.exec(body)![1]!;
        const get = (path: string, init: RequestInit = {}) =>
          fetch(`${e.url}/api/${API}/sites/${site}/${path}`, {
            ...init,
            headers: { 'X-Tableau-Auth': t, ...(init.headers as Record<string, string> | undefined) },
          });
        assert.equal((await get('projects')).status, 200, 'content:read lists projects');
        const init = await get('fileUploads', { method: 'POST' });
        assert.equal(init.status, 401, 'no tableau:file_uploads:create in the JWT');
        assert.match(await init.text(), /401002/);
        // A wildcard the app grants covers the specific scope a JWT asks for.
        assert.equal((await signin(signConnectedAppJwt(app, now, { jti: 'wild', scp: ['tableau:datasources:update'] }))).status, 200);
      } finally {
        await e.close();
      }
    });
  });
});
