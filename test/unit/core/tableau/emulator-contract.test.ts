/**
 * Contract tests of the Tableau client against the stricter emulator (issue 11, acceptance 1): the
 * job rule, connected-app version and scope handling, 404 on the PATCH, the file format by server
 * version, asynchronous publishing, pasted URLs and refused redirects, and one re-sign-in.
 * Each runs the real client over HTTP against `startTableauEmulator`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, systemClock } from '../../../../main/core/clock';
import { startTableauEmulator, type TableauEmulator, type TableauEmulatorOptions } from '../../../../main/emulators/tableau';
import { ApiError, AuthError } from '../../../../main/core/errors';
import { createNodeFetch, type FetchLike } from '../../../../main/core/http/transport';
import { writeHyperFile } from '../../../../main/core/hyper';
import { streamByName } from '../../../../main/core/streams/definitions';
import type { Row } from '../../../../main/core/streams/types';
import { idOf, multipartBody } from '../../emulators/tableau/helpers';
import {
  createTableauClient,
  isDatasourceMissing,
  loadBatch,
  TableauJobFailedError,
  type TableauClient,
  type TableauClientOptions,
} from '../../../../main/core/tableau';

const vendor = streamByName('vendor');
const dir = mkdtempSync(join(tmpdir(), 'tableau-emu-contract-'));
const emulators: TableauEmulator[] = [];
after(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function emulator(opts: TableauEmulatorOptions = {}): Promise<TableauEmulator> {
  const e = await startTableauEmulator({ jobPollsToComplete: 2, ...opts });
  emulators.push(e);
  return e;
}

const fetchFn = createNodeFetch();

function client(emu: TableauEmulator, extra: Partial<TableauClientOptions> = {}): TableauClient {
  return createTableauClient({
    serverUrl: emu.url,
    site: emu.site,
    auth: { kind: 'pat', name: emu.patName, secret: emu.patSecret },
    fetch: fetchFn,
    clock: systemClock,
    retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
    jobPoll: { initialDelayMs: 5, factor: 1.2, maxDelayMs: 20 },
    ...extra,
  });
}

function jwtClient(emu: TableauEmulator, extra: Partial<TableauClientOptions> = {}): TableauClient {
  const { clientId, secretId, secretValue, username } = emu.connectedApp;
  return client(emu, { auth: { kind: 'connected-app', clientId, secretId, secretValue, username }, ...extra });
}

let fileNo = 0;
/** A vendor .hyper (Extract.Extract) with `n` rows, written by the project's writer. */
async function vendorHyper(emu: TableauEmulator, n: number, pad = 0): Promise<string> {
  const path = join(dir, `vendors-${++fileNo}.hyper`);
  const rows: Row[] = Array.from({ length: n }, (_, i) => {
    const row: Record<string, unknown> = {};
    for (const c of vendor.columns) row[c.name] = null;
    row.RECORDNO = i + 1;
    row.VENDORID = `V${i + 1}`;
    row.NAME = `Vendor ${i + 1}${'x'.repeat(pad)}`;
    row.WHENMODIFIED = '2026-01-01 00:00:00';
    return row as Row;
  });
  await writeHyperFile(await emu.hyperEngine(), path, [{ table: { schema: 'Extract', name: 'Extract', columns: vendor.columns }, rows: [rows] }]);
  return path;
}

async function projectId(c: TableauClient): Promise<string> {
  return (await c.findProject('default'))!.id;
}

describe('Tableau client against the stricter emulator', () => {
  let emu: TableauEmulator;
  before(async () => {
    emu = await emulator();
  });

  it('job rule: an asJob publish that shows finishCode="1" while running (TSC fixture) is followed to completedAt and succeeds', async () => {
    const c = client(emu, { asyncPublishBytes: 1 });
    const file = await vendorHyper(emu, 5);
    const r = await loadBatch(c, {
      stream: vendor,
      datasourceName: 'Job rule',
      projectId: await projectId(c),
      existingDatasourceId: null,
      upsertFile: file,
      requestId: 'jr-1',
      fullLoad: true,
    });
    assert.equal(r.mode, 'publish');
    assert.ok(r.jobId, 'published as a job');
    assert.equal((await emu.readRows('Job rule'))?.length, 5);
  });

  it('job rule: a cancelled job (finish code 2) and a failed one (1) throw with the job notes as the reason', async () => {
    const c = client(emu);
    const pid = await projectId(c);
    const file = await vendorHyper(emu, 3);
    const { datasourceId } = await loadBatch(c, {
      stream: vendor,
      datasourceName: 'Cancelled',
      projectId: pid,
      existingDatasourceId: null,
      upsertFile: file,
      requestId: 'c-0',
      fullLoad: true,
    });
    emu.setFaults({ rate: 1, kinds: ['jobCancel'] });
    try {
      const err = await loadBatch(
        c,
        {
          stream: vendor,
          datasourceName: 'Cancelled',
          projectId: pid,
          existingDatasourceId: datasourceId,
          upsertFile: file,
          requestId: 'c-1',
          fullLoad: false,
        },
        { maxJobAttempts: 1 },
      ).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof TableauJobFailedError, String(err));
      assert.equal(err.finishCode, 2);
      assert.equal(err.code, 'JOB_CANCELLED');
    } finally {
      emu.setFaults({ rate: 0, kinds: [] });
    }
    // A PATCH on a data source that is not live-to-Hyper is accepted and its job fails (as Tableau does).
    const upstream = await emu.createDatasource('Upstream extract');
    const sessionId = await c.uploadFile(file);
    const job = await c.updateData({
      datasourceId: upstream.id,
      uploadSessionId: sessionId,
      actions: [{ action: 'insert', 'source-schema': 'Extract', 'source-table': 'Extract', 'target-schema': 'Extract', 'target-table': 'Extract' }],
      requestId: 'nl-1',
    });
    const failed = await c.waitForJob(job.id).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(failed instanceof TableauJobFailedError);
    assert.equal(failed.finishCode, 1);
    assert.match(failed.userMessage, /not a live-to-Hyper data source/);
  });

  it('connected app: signs in with a JWT asking only for the scopes the run needs, loads and follows jobs (REST 3.25)', async () => {
    const narrow = await emulator({
      connectedApp: {
        scopes: ['tableau:content:read', 'tableau:datasources:create', 'tableau:datasources:update', 'tableau:file_uploads:create', 'tableau:jobs:read'],
      },
    });
    const c = jwtClient(narrow, { asyncPublishBytes: 1 });
    const file = await vendorHyper(narrow, 4);
    const r = await loadBatch(c, {
      stream: vendor,
      datasourceName: 'JWT load',
      projectId: await projectId(c),
      existingDatasourceId: null,
      upsertFile: file,
      requestId: 'j-1',
      fullLoad: true,
    });
    assert.ok(r.jobId);
    assert.equal((await narrow.readRows('JWT load'))?.length, 4);
    // A run that would create its project asks for tableau:projects:create, which this app does
    // not grant: the sign-in is refused (Tableau refuses JWTs asking for ungranted scopes).
    const wants = jwtClient(narrow, { scopeNeeds: { createProject: true } });
    const err = await wants.signIn().then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AuthError);
    assert.match(err.userMessage, /connected app.*scopes/);
  });

  it('connected app: refused clearly below REST 3.17 (sign-in) and below 3.25 (jobs), before anything is sent', async () => {
    for (const [version, product, code] of [
      ['3.16', '2022.2.0', 'JWT_UNSUPPORTED'],
      ['3.24', '2024.2.0', 'JWT_JOBS_UNSUPPORTED'],
    ] as const) {
      const old = await emulator({ restApiVersion: version, productVersion: product });
      const c = jwtClient(old);
      const err = await c.signIn().then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ApiError, `${version}: ${String(err)}`);
      assert.equal(err.code, code);
      assert.match(err.userMessage, /personal access token/);
      assert.equal(old.requests.filter((r) => r.path.endsWith('/auth/signin')).length, 0, 'no sign-in attempted');
    }
    // What the client avoids: the emulator answers a JWT session's Query Job with 401002 below 3.25.
    const e324 = await emulator({ restApiVersion: '3.24', productVersion: '2024.2.0' });
    const pat = client(e324);
    const pid = await projectId(pat);
    const { job } = await pat.publishHyper({ filePath: await vendorHyper(e324, 2), name: 'Q', projectId: pid, overwrite: true, asJob: true });
    const { clientId, secretId, secretValue, username } = e324.connectedApp;
    const { buildConnectedAppJwt } = await import('../../../../main/core/tableau');
    const jwt = buildConnectedAppJwt({ clientId, secretId, secretValue, username }, Date.now());
    const s = await fetch(`${e324.url}/api/3.24/auth/signin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml' },
      body: `<tsRequest><credentials jwt="${jwt}"><site contentUrl="${e324.site}"/></credentials></tsRequest>`,
    });
    const body = await s.text();
    const token = /token="([^"]+)"/.exec(body)![1]!;
    const siteId = /<site id="([^"]+)"/.exec(body)![1]!;
    const q = await fetch(`${e324.url}/api/3.24/sites/${siteId}/jobs/${job!.id}`, { headers: { 'X-Tableau-Auth': token } });
    assert.equal(q.status, 401);
    assert.match(await q.text(), /401002/);
    // And a JWT is good for one sign-in: the same jti again is refused (401001).
    const again = await fetch(`${e324.url}/api/3.24/auth/signin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml' },
      body: `<tsRequest><credentials jwt="${jwt}"><site contentUrl="${e324.site}"/></credentials></tsRequest>`,
    });
    assert.equal(again.status, 401);
    assert.match(await again.text(), /401001/);
  });

  it('404 on the PATCH: an expired upload session is reported as such; a deleted data source (GET 404 too) as missing', async () => {
    const clock = new ManualClock(Date.now());
    const e = await emulator({ clock, uploadTtlMs: 60_000, jobDurationMs: 0 });
    const base = client(e, { clock: new ManualClock(Date.now(), true) });
    const pid = await projectId(base);
    const file = await vendorHyper(e, 3);
    const { datasourceId } = await loadBatch(base, {
      stream: vendor,
      datasourceName: 'Expiring',
      projectId: pid,
      existingDatasourceId: null,
      upsertFile: file,
      requestId: 'x-0',
      fullLoad: true,
    });
    // The upload session expires between the upload and the PATCH.
    const slow: TableauClient = Object.assign(Object.create(base) as TableauClient, {
      uploadFile: async (...a: Parameters<TableauClient['uploadFile']>) => {
        const id = await base.uploadFile(...a);
        clock.advance(61_000);
        return id;
      },
    });
    const err = await loadBatch(slow, {
      stream: vendor,
      datasourceName: 'Expiring',
      projectId: pid,
      existingDatasourceId: datasourceId,
      upsertFile: file,
      requestId: 'x-1',
      fullLoad: false,
    }).then(
      () => null,
      (x: unknown) => x,
    );
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.code, 'UPDATE_NOT_FOUND');
    assert.ok(!isDatasourceMissing(err));
    assert.ok(
      e.listDatasources().some((d) => d.id === datasourceId),
      'the data source is still there',
    );
    // Deleted in Tableau: the PATCH's 404 is confirmed by a GET, and only then is it "missing".
    await base.deleteDatasource(datasourceId);
    const gone = await loadBatch(base, {
      stream: vendor,
      datasourceName: 'Expiring',
      projectId: pid,
      existingDatasourceId: datasourceId,
      upsertFile: file,
      requestId: 'x-2',
      fullLoad: false,
    }).then(
      () => null,
      (x: unknown) => x,
    );
    assert.ok(isDatasourceMissing(gone), String(gone));
    const gets = e.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/datasources/${datasourceId}`));
    assert.equal(gets.length, 2, 'one GET after each 404');
  });

  it('file format: servers that cannot open format-2 .hyper files are refused with the releases that can', async () => {
    const old = await emulator({ restApiVersion: '3.14', productVersion: '2021.4.3' });
    const err = await client(old)
      .serverInfo()
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 'HYPER_FORMAT_UNSUPPORTED');
    assert.match(err.userMessage, /2021\.4\.3.*2021\.4\.4/);
    // What the refusal avoids: that release cannot open the writer's format-2 file (400011).
    const format2 = await vendorHyper(old, 2);
    const publishRaw = async (e: TableauEmulator): Promise<Response> => {
      const base = `${e.url}/api/3.14`;
      const s = await (
        await fetch(`${base}/auth/signin`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/xml' },
          body: `<tsRequest><credentials personalAccessTokenName="${e.patName}" personalAccessTokenSecret="${e.patSecret}"><site contentUrl="${e.site}"/></credentials></tsRequest>`,
        })
      ).text();
      const token = /token="([^"]+)"/.exec(s)![1]!;
      const site = `${base}/sites/${e.siteId}`;
      const pid = idOf(await (await fetch(`${site}/projects`, { headers: { 'X-Tableau-Auth': token } })).text(), 'project');
      return fetch(`${site}/datasources?overwrite=true`, {
        method: 'POST',
        headers: { 'X-Tableau-Auth': token, 'Content-Type': 'multipart/mixed; boundary=ff' },
        body: multipartBody(
          [
            { name: 'request_payload', contentType: 'text/xml', data: `<tsRequest><datasource name="F"><project id="${pid}"/></datasource></tsRequest>` },
            { name: 'tableau_datasource', filename: 'F.hyper', contentType: 'application/octet-stream', data: readFileSync(format2) },
          ],
          'ff',
        ),
      });
    };
    const refused = await publishRaw(old);
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /400011.*cannot open \.hyper file format 2/s);
    const patched = await emulator({ restApiVersion: '3.14', productVersion: '2021.4.4' });
    assert.equal((await client(patched).serverInfo()).apiVersion, '3.14');
    assert.equal((await publishRaw(patched)).status, 201);
  });

  it('async publish: large files go as jobs; a 504 on a synchronous publish is repeated once as a job, never in a loop', async () => {
    const e = await emulator({ syncPublishLimitBytes: 2_000 });
    const file = await vendorHyper(e, 200, 40);
    const asJob = client(e, { asyncPublishBytes: 1_000 });
    const pid = await projectId(asJob);
    const r1 = await loadBatch(asJob, {
      stream: vendor,
      datasourceName: 'Big',
      projectId: pid,
      existingDatasourceId: null,
      upsertFile: file,
      requestId: 'b-1',
      fullLoad: true,
    });
    assert.ok(r1.jobId);
    assert.equal(e.requests.filter((r) => r.status === 504).length, 0);
    // A client that would publish synchronously meets the gateway's 504 once, then publishes as a job.
    const sync = client(e, { asyncPublishBytes: 10 * 1024 * 1024 });
    const before = e.requests.length;
    const r2 = await loadBatch(sync, {
      stream: vendor,
      datasourceName: 'Big',
      projectId: pid,
      existingDatasourceId: null,
      upsertFile: file,
      requestId: 'b-2',
      fullLoad: true,
    });
    const publishes = e.requests.slice(before).filter((r) => r.method === 'POST' && /\/datasources$/.test(r.path));
    assert.deepEqual(
      publishes.map((p) => [p.status, /asJob=true/.test(p.query)]),
      [
        [504, false],
        [202, true],
      ],
    );
    assert.ok(r2.jobId);
    assert.equal((await e.readRows('Big'))?.length, 200);
  });

  it('pasted browser URLs are split into server and site; a redirect on sign-in is refused and never followed', async () => {
    for (const pasted of [`${emu.url}/#/site/${emu.site}/home`, `${emu.url}/t/${emu.site}/views/Finance/Overview`]) {
      const c = createTableauClient({
        serverUrl: pasted,
        site: '',
        auth: { kind: 'pat', name: emu.patName, secret: emu.patSecret },
        fetch: fetchFn,
        clock: systemClock,
      });
      assert.equal(c.address.baseUrl, emu.url);
      assert.equal(c.address.site, emu.site);
      assert.match(c.address.note ?? '', /browser address/);
      assert.equal((await c.signIn()).siteId, emu.siteId);
    }
    // A server that redirects the sign-in (307 keeps the POST and its body) to the emulator.
    let redirected = 0;
    const proxy = createServer((req, res) => {
      redirected++;
      res.writeHead(307, { Location: `${emu.url}${req.url ?? '/'}` });
      res.end();
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (proxy.address() as AddressInfo).port;
      // serverInfo is answered by the proxy too (redirected): the first call already refuses.
      const seen = emu.requests.length;
      const c = createTableauClient({
        serverUrl: `http://127.0.0.1:${port}`,
        site: emu.site,
        auth: { kind: 'pat', name: emu.patName, secret: emu.patSecret },
        fetch: fetchFn,
        clock: systemClock,
      });
      const err = await c.signIn().then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ApiError, String(err));
      assert.equal(err.code, 'REDIRECT_REFUSED');
      assert.match(err.userMessage, /does not follow redirects/);
      assert.equal(redirected, 1, 'not retried');
      assert.equal(emu.requests.length, seen, 'nothing reached the redirect target');
    } finally {
      proxy.close();
    }
  });

  it('one re-sign-in, then stop: another client signing in with the same PAT before every call', async () => {
    const e = await emulator();
    // The "other client": signs in with the same token before each of our calls (ending our session).
    const rival = (): Promise<void> =>
      new Promise((resolve, reject) => {
        const body = `<tsRequest><credentials personalAccessTokenName="${e.patName}" personalAccessTokenSecret="${e.patSecret}"><site contentUrl="${e.site}"/></credentials></tsRequest>`;
        const r = httpRequest(`${e.url}/api/3.25/auth/signin`, { method: 'POST', headers: { 'Content-Type': 'application/xml' } }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        r.on('error', reject);
        r.end(body);
      });
    let contested = false;
    const fighting: FetchLike = async (url, init) => {
      if (contested && !url.endsWith('/auth/signin')) await rival();
      return fetchFn(url, init);
    };
    const c = client(e, { fetch: fighting, retry: { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 2 } });
    await c.signIn();
    contested = true;
    const err = await c.findProject('default').then(
      () => null,
      (x: unknown) => x,
    );
    assert.ok(err instanceof AuthError, String(err));
    assert.match(err.userMessage, /same personal access token/);
    assert.equal(c.signInCount, 2, 'the first sign-in and one renewal, not six');
  });
});
