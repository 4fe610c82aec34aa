import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { signConnectedAppJwt, startTableauEmulator, type TableauEmulator } from '../../../../main/emulators/tableau';
import { API, api, buildHyper, idOf, multipartBody, pollJob, signIn } from './helpers';

const COLUMNS = '"RECORDNO" BIGINT NOT NULL, "NAME" TEXT, "AMOUNT" NUMERIC(18,2), "POSTED" DATE, "FLAG" BOOL';
const BOUNDARY = 'b0undary-7f3a';

describe('tableau emulator', () => {
  let emu: TableauEmulator;
  let clock: ManualClock;
  let dir: string;
  let token: string;
  let projectId: string;
  let initialHyper: Buffer;
  let upsertHyper: Buffer;
  let deleteHyper: Buffer;

  before(async () => {
    clock = new ManualClock(Date.UTC(2026, 0, 15, 12, 0, 0));
    dir = await mkdtemp(join(tmpdir(), 'tableau-emu-test-'));
    emu = await startTableauEmulator({ clock, jobPollsToComplete: 2, jobDurationMs: 60_000 });
    const engine = await emu.hyperEngine();
    initialHyper = await buildHyper(engine, join(dir, 'initial.hyper'), [
      {
        schema: 'Extract',
        name: 'Extract',
        columns: COLUMNS,
        rows: [`(1, 'Acme, Inc.', -1234.50, DATE '2026-01-02', true)`, `(2, 'Müller "GmbH"', 0.10, NULL, false)`, `(3, NULL, 99.99, DATE '2026-01-03', NULL)`],
      },
    ]);
    upsertHyper = await buildHyper(engine, join(dir, 'upsert.hyper'), [
      {
        schema: 'Extract',
        name: 'Extract',
        columns: COLUMNS,
        rows: [`(2, 'Müller GmbH', 20.00, DATE '2026-01-05', true)`, `(4, 'New line', 4.00, NULL, NULL)`],
      },
      { schema: 'Extract', name: 'deleted', columns: '"RECORDNO" BIGINT NOT NULL', rows: ['(3)'] },
    ]);
    deleteHyper = await buildHyper(engine, join(dir, 'delete.hyper'), [
      { schema: 'Extract', name: 'deleted', columns: '"RECORDNO" BIGINT NOT NULL', rows: ['(1)'] },
    ]);
    const s = await signIn(emu);
    token = s.token;
    const res = await api(emu, token, `projects?filter=name:eq:default`);
    projectId = idOf(await res.text(), 'project');
  });

  after(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const publish = (name: string, file: Buffer, query: string, fileName = `${name}.hyper`): Promise<Response> =>
    api(emu, token, `datasources?${query}`, {
      method: 'POST',
      headers: { 'Content-Type': `multipart/mixed; boundary=${BOUNDARY}` },
      body: multipartBody(
        [
          {
            name: 'request_payload',
            contentType: 'text/xml',
            data: `<tsRequest><datasource name="${name}"><project id="${projectId}"/></datasource></tsRequest>`,
          },
          { name: 'tableau_datasource', filename: fileName, contentType: 'application/octet-stream', data: file },
        ],
        BOUNDARY,
      ),
    });

  const upload = async (file: Buffer, blockSize: number): Promise<string> => {
    const init = await api(emu, token, 'fileUploads', { method: 'POST' });
    assert.equal(init.status, 201);
    const id = /uploadSessionId="([^"]+)"/.exec(await init.text())?.[1] ?? '';
    assert.match(id, /^[0-9]+:[0-9a-f]+-[0-9]+:[0-9]+$/);
    for (let off = 0; off < file.length; off += blockSize) {
      const res = await api(emu, token, `fileUploads/${encodeURIComponent(id)}`, {
        method: 'PUT',
        headers: { 'Content-Type': `multipart/mixed; boundary=${BOUNDARY}` },
        body: multipartBody(
          [
            { name: 'request_payload', contentType: 'text/xml', data: '', formData: false },
            { name: 'tableau_file', filename: 'file', contentType: 'application/octet-stream', data: file.subarray(off, off + blockSize), formData: false },
          ],
          BOUNDARY,
        ),
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.match(await res.text(), /<fileUpload uploadSessionId="[^"]+" fileSize="\d+"\/>/);
    }
    return id;
  };

  const patch = (dsId: string, requestId: string, actions: unknown[], uploadSessionId?: string): Promise<Response> =>
    api(emu, token, `datasources/${dsId}/data${uploadSessionId ? `?uploadSessionId=${encodeURIComponent(uploadSessionId)}` : ''}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', RequestID: requestId },
      body: JSON.stringify({ actions }),
    });

  const upsertAction = {
    action: 'upsert',
    'source-schema': 'Extract',
    'source-table': 'Extract',
    'target-schema': 'Extract',
    'target-table': 'Extract',
    condition: { op: 'eq', 'source-col': 'RECORDNO', 'target-col': 'RECORDNO' },
  };
  const deleteAction = {
    action: 'delete',
    'source-schema': 'Extract',
    'source-table': 'deleted',
    'target-schema': 'Extract',
    'target-table': 'Extract',
    condition: { op: 'eq', 'source-col': 'RECORDNO', 'target-col': 'RECORDNO' },
  };
  const sorted = (rows: readonly Record<string, unknown>[] | null) => [...(rows ?? [])].sort((a, b) => Number(a.RECORDNO) - Number(b.RECORDNO));

  describe('serverinfo', () => {
    it('reports the product and REST API versions in XML and JSON', async () => {
      const xml = await (await fetch(`${emu.url}/api/3.0/serverinfo`)).text();
      assert.match(xml, /<tsResponse xmlns="http:\/\/tableau.com\/api"/);
      assert.match(xml, /<restApiVersion>3.25<\/restApiVersion>/);
      const json = (await (await fetch(`${emu.url}/api/3.0/serverInfo`, { headers: { Accept: 'application/json' } })).json()) as {
        serverInfo: { restApiVersion: string; productVersion: { value: string } };
      };
      assert.equal(json.serverInfo.restApiVersion, '3.25');
      assert.equal(json.serverInfo.productVersion.value, '2025.1.0');
    });

    it('answers a URL version newer than the server with 404001 (unknown API version), an unknown path with 404003', async () => {
      const res = await fetch(`${emu.url}/api/3.99/serverinfo`);
      assert.equal(res.status, 404);
      assert.match(
        await res.text(),
        /<error code="404001"><summary>Resource Not Found<\/summary><detail>The endpoint is not available in API version 3.99.<\/detail><\/error>/,
      );
      const unknown = await fetch(`${emu.url}/api/3.25/nosuchthing`);
      assert.match(
        await unknown.text(),
        /<error code="404003"><summary>Resource Not Found<\/summary><detail>Unknown resource '\/3.25\/nosuchthing' specified in URI.<\/detail><\/error>/,
      );
    });

    it('can be configured as a server too old for incremental updates', async () => {
      const old = await startTableauEmulator({ restApiVersion: '3.10' });
      try {
        assert.match(await (await fetch(`${old.url}/api/3.10/serverinfo`)).text(), /<restApiVersion>3.10<\/restApiVersion>/);
        const s = await fetch(`${old.url}/api/3.10/auth/signin`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({
            credentials: { personalAccessTokenName: old.patName, personalAccessTokenSecret: old.patSecret, site: { contentUrl: old.site } },
          }),
        });
        const tok = ((await s.json()) as { credentials: { token: string } }).credentials.token;
        const res = await fetch(`${old.url}/api/3.10/sites/${old.siteId}/datasources/x/data`, {
          method: 'PATCH',
          headers: { 'X-Tableau-Auth': tok, RequestID: 'r' },
        });
        assert.equal(res.status, 404);
      } finally {
        await old.close();
      }
    });
  });

  describe('sign-in', () => {
    it('returns the credentials token, site and user like auth_sign_in.xml', async () => {
      const s = await signIn(emu);
      assert.equal(s.status, 200);
      assert.match(
        s.body,
        new RegExp(`<credentials token="[^"]+"><site id="${emu.siteId}" contentUrl="${emu.site}"/><user id="${emu.userId}"/></credentials>`),
      );
      token = s.token; // the previous token is now superseded (one session per PAT)
    });

    it('refuses a wrong PAT secret with 401001 like auth_sign_in_error.xml', async () => {
      const s = await signIn(emu, 'not-the-secret');
      assert.equal(s.status, 401);
      assert.match(s.body, /<error code="401001"><summary>Signin Error<\/summary><detail>Error signing in to Tableau Server<\/detail><\/error>/);
      assert.ok(!s.body.includes('not-the-secret'));
    });

    it('refuses a wrong site with 401001 and malformed XML with 400000', async () => {
      const res = await fetch(`${emu.url}/api/${API}/auth/signin`, {
        method: 'POST',
        body: `<tsRequest><credentials personalAccessTokenName="${emu.patName}" personalAccessTokenSecret="${emu.patSecret}"><site contentUrl="other"/></credentials></tsRequest>`,
      });
      assert.equal(res.status, 401);
      assert.match(await res.text(), /code="401001"/);
      const bad = await fetch(`${emu.url}/api/${API}/auth/signin`, { method: 'POST', body: '<tsRequest><credentials' });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /code="400000"/);
    });

    it('ends the previous session when the same PAT signs in again (401002 for the old token)', async () => {
      const first = await signIn(emu);
      assert.equal((await api(emu, first.token, 'projects')).status, 200);
      const second = await signIn(emu);
      const old = await api(emu, first.token, 'projects');
      assert.equal(old.status, 401);
      assert.match(await old.text(), /<error code="401002"><summary>Unauthorized Access<\/summary>/);
      assert.equal((await api(emu, second.token, 'projects')).status, 200);
      token = second.token;
    });

    it('expires a token left idle for tokenTtlMs (injected clock)', async () => {
      clock.advance(239 * 60_000);
      assert.equal((await api(emu, token, 'projects')).status, 200);
      clock.advance(240 * 60_000);
      const res = await api(emu, token, 'projects', { headers: { Accept: 'application/json' } });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), {
        error: { code: '401002', summary: 'Unauthorized Access', detail: 'Invalid authentication credentials were provided.' },
      });
      token = (await signIn(emu)).token;
    });

    it('can also end sessions after an absolute lifetime (tokenLifetimeMs)', async () => {
      const short = await startTableauEmulator({ clock, tokenLifetimeMs: 60_000 });
      try {
        const s = await signIn(short);
        clock.advance(30_000);
        assert.equal((await api(short, s.token, 'projects')).status, 200);
        clock.advance(30_000);
        assert.equal((await api(short, s.token, 'projects')).status, 401);
      } finally {
        await short.close();
      }
    });

    it('accepts a valid connected-app JWT and refuses a bad signature or an expired one', async () => {
      const body = (jwt: string) => JSON.stringify({ credentials: { jwt, site: { contentUrl: emu.site } } });
      const post = (jwt: string) =>
        fetch(`${emu.url}/api/${API}/auth/signin`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: body(jwt),
        });
      const good = await post(signConnectedAppJwt(emu.connectedApp, clock.now()));
      assert.equal(good.status, 200);
      const creds = ((await good.json()) as { credentials: { token: string; site: { id: string } } }).credentials;
      assert.equal(creds.site.id, emu.siteId);
      const forged = await post(signConnectedAppJwt({ ...emu.connectedApp, secretValue: 'wrong' }, clock.now()));
      assert.equal(forged.status, 401);
      const expired = await post(signConnectedAppJwt(emu.connectedApp, clock.now() - 20 * 60_000));
      assert.equal(expired.status, 401);
      // JWT sessions do not end the PAT session.
      assert.equal((await api(emu, token, 'projects')).status, 200);
    });

    it('signs out with 204 and the token stops working', async () => {
      const s = await signIn(emu);
      const out = await fetch(`${emu.url}/api/${API}/auth/signout`, { method: 'POST', headers: { 'X-Tableau-Auth': s.token } });
      assert.equal(out.status, 204);
      assert.equal((await api(emu, s.token, 'projects')).status, 401);
      token = (await signIn(emu)).token;
    });
  });

  describe('projects', () => {
    it('creates a project, finds it by name, pages, and refuses a duplicate with 409006', async () => {
      const create = (name: string) =>
        api(emu, token, 'projects', { method: 'POST', body: `<tsRequest><project name="${name}" description="d"/></tsRequest>` });
      const res = await create('Finance');
      assert.equal(res.status, 201);
      const id = idOf(await res.text(), 'project');
      const found = await (await api(emu, token, `projects?filter=${encodeURIComponent('name:eq:Finance')}`)).text();
      assert.match(found, /<pagination pageNumber="1" pageSize="100" totalAvailable="1"\/>/);
      assert.equal(idOf(found, 'project'), id);
      const page2 = await (await api(emu, token, 'projects?pageSize=1&pageNumber=2')).text();
      assert.match(page2, /<pagination pageNumber="2" pageSize="1" totalAvailable="2"\/>/);
      assert.match(page2, /name="Finance"/);
      const dup = await create('Finance');
      assert.equal(dup.status, 409);
      assert.match(await dup.text(), /code="409006"/);
      assert.equal((await api(emu, token, 'projects?pageSize=0')).status, 400);
    });
  });

  describe('publish and update data', () => {
    let dsId: string;

    it('publishes a .hyper in one multipart call (201) and stores its rows', async () => {
      const res = await publish('GL Detail', initialHyper, 'overwrite=false');
      assert.equal(res.status, 201);
      const xml = await res.text();
      dsId = idOf(xml, 'datasource');
      assert.match(xml, new RegExp(`<project id="${projectId}" name="default"/>`));
      assert.deepEqual(sorted(await emu.readRows('GL Detail')), [
        { RECORDNO: 1, NAME: 'Acme, Inc.', AMOUNT: '-1234.50', POSTED: '2026-01-02', FLAG: true },
        { RECORDNO: 2, NAME: 'Müller "GmbH"', AMOUNT: '0.10', POSTED: null, FLAG: false },
        { RECORDNO: 3, NAME: null, AMOUNT: '99.99', POSTED: '2026-01-03', FLAG: null },
      ]);
      const cols = await emu.datasourceColumns('GL Detail');
      assert.deepEqual(
        cols.map((c) => `${c.name}:${c.type}`),
        ['RECORDNO:bigint', 'NAME:text', 'AMOUNT:numeric', 'POSTED:date', 'FLAG:bool'],
      );
      assert.deepEqual([cols[2]?.precision, cols[2]?.scale], [18, 2]);
    });

    it('finds data sources by name and project name, and gets one by id', async () => {
      const q = encodeURIComponent('name:eq:GL Detail,projectName:eq:default');
      const list = await (await api(emu, token, `datasources?filter=${q}`)).text();
      assert.match(list, /totalAvailable="1"/);
      assert.equal(idOf(list, 'datasource'), dsId);
      const none = await (await api(emu, token, `datasources?filter=${encodeURIComponent('name:eq:Nope')}`)).text();
      assert.match(none, /<pagination pageNumber="1" pageSize="100" totalAvailable="0"\/><datasources\/>/);
      const one = await api(emu, token, `datasources/${dsId}`, { headers: { Accept: 'application/json' } });
      const json = (await one.json()) as { datasource: { id: string; name: string; project: { id: string } } };
      assert.deepEqual([json.datasource.id, json.datasource.name, json.datasource.project.id], [dsId, 'GL Detail', projectId]);
      assert.equal((await api(emu, token, 'datasources/00000000-0000-0000-0000-000000000000')).status, 404);
    });

    it('refuses to publish over an existing name without overwrite (409) and keeps the LUID with overwrite', async () => {
      const conflict = await publish('GL Detail', initialHyper, 'overwrite=false');
      assert.equal(conflict.status, 409);
      assert.match(await conflict.text(), /<error code="409\d{3}">/);
      const again = await publish('GL Detail', initialHyper, 'overwrite=true');
      assert.equal(again.status, 201);
      assert.equal(idOf(await again.text(), 'datasource'), dsId);
    });

    it('refuses a file that is not a Hyper database with 400011, storing nothing', async () => {
      const res = await publish('Broken', Buffer.from('not a hyper file'), 'overwrite=true');
      assert.equal(res.status, 400);
      assert.match(await res.text(), /code="400011"/);
      assert.equal(await emu.readRows('Broken'), null);
    });

    it('applies an upsert and a delete for real from an uploaded payload, as one job', async () => {
      const session = await upload(upsertHyper, 7_000); // several blocks
      const res = await patch(dsId, 'batch-1', [upsertAction, deleteAction], session);
      assert.equal(res.status, 202);
      const xml = await res.text();
      assert.match(
        xml,
        new RegExp(
          `<job id="[^"]+" mode="Asynchronous" type="UpdateUploadedFile" createdAt="[^"]+"><updateUploadedFileJob><datasource id="${dsId}" name="GL Detail"/><connectionLuid>[^<]+</connectionLuid></updateUploadedFileJob></job>`,
        ),
      );
      const job = await pollJob(emu, token, idOf(xml, 'job'));
      assert.equal(job.finishCode, 0);
      assert.deepEqual(emu.appliedRequestIds, ['batch-1']);
      assert.deepEqual(sorted(await emu.readRows('GL Detail')), [
        { RECORDNO: 1, NAME: 'Acme, Inc.', AMOUNT: '-1234.50', POSTED: '2026-01-02', FLAG: true },
        { RECORDNO: 2, NAME: 'Müller GmbH', AMOUNT: '20.00', POSTED: '2026-01-05', FLAG: true },
        { RECORDNO: 4, NAME: 'New line', AMOUNT: '4.00', POSTED: null, FLAG: null },
      ]);
    });

    it('answers in JSON when asked, mirroring the XML (lists, pagination, jobs)', async () => {
      const list = (await (
        await api(emu, token, `datasources?filter=${encodeURIComponent('name:eq:GL Detail')}`, { headers: { Accept: 'application/json' } })
      ).json()) as {
        pagination: Record<string, string>;
        datasources: { datasource: { id: string; project: { name: string } }[] };
      };
      assert.deepEqual(list.pagination, { pageNumber: '1', pageSize: '100', totalAvailable: '1' });
      assert.deepEqual(
        list.datasources.datasource.map((d) => [d.id, d.project.name]),
        [[dsId, 'default']],
      );
      const res = await api(emu, token, `datasources/${dsId}/data`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', RequestID: 'json-1' },
        body: JSON.stringify({
          actions: [
            {
              action: 'delete',
              'target-schema': 'Extract',
              'target-table': 'Extract',
              condition: { op: 'eq', 'target-col': 'RECORDNO', const: { type: 'integer', v: 999 } },
            },
          ],
        }),
      });
      assert.equal(res.status, 202);
      const job = ((await res.json()) as { job: { id: string; type: string; updateUploadedFileJob: { datasource: { id: string } } } }).job;
      assert.deepEqual([job.type, job.updateUploadedFileJob.datasource.id], ['UpdateUploadedFile', dsId]);
      assert.equal((await pollJob(emu, token, job.id)).finishCode, 0);
    });

    it('reports job progress that moves over polls before finishCode 0', async () => {
      const session = await upload(deleteHyper, 1 << 20);
      const res = await patch(dsId, 'batch-2', [deleteAction], session);
      const jobId = idOf(await res.text(), 'job');
      const job = await pollJob(emu, token, jobId);
      assert.equal(job.finishCode, 0);
      assert.ok(job.progress.length >= 2, `polled ${job.progress.length} times`);
      assert.ok(job.progress[0]! < 100 && job.progress.at(-1) === 100, job.progress.join(','));
      assert.match(
        job.xml,
        /<job id="[^"]+" mode="Asynchronous" type="UpdateUploadedFile" progress="100" createdAt="[^"]+" startedAt="[^"]+" updatedAt="[^"]+" completedAt="[^"]+" finishCode="0">/,
      );
      assert.deepEqual(
        sorted(await emu.readRows('GL Detail')).map((r) => r.RECORDNO),
        [2, 4],
      );
    });

    it('does not apply a RequestID twice: the duplicate gets the original job', async () => {
      const session = await upload(upsertHyper, 1 << 20);
      const first = idOf(await (await patch(dsId, 'batch-3', [{ ...upsertAction, action: 'insert', condition: undefined }], session)).text(), 'job');
      assert.equal((await pollJob(emu, token, first)).finishCode, 0);
      const session2 = await upload(upsertHyper, 1 << 20);
      const dup = await patch(dsId, 'batch-3', [{ ...upsertAction, action: 'insert', condition: undefined }], session2);
      assert.equal(dup.status, 202);
      assert.equal(idOf(await dup.text(), 'job'), first);
      assert.deepEqual(
        emu.appliedRequestIds.filter((r) => r === 'batch-3'),
        ['batch-3'],
      );
      assert.deepEqual(
        sorted(await emu.readRows('GL Detail')).map((r) => r.RECORDNO),
        [2, 2, 4, 4],
      );
    });

    it('discards the whole batch when an action fails: the job fails with notes, the data is untouched', async () => {
      const before = sorted(await emu.readRows('GL Detail'));
      const session = await upload(upsertHyper, 1 << 20);
      const bad = { ...deleteAction, 'source-table': 'missing_table' };
      const res = await patch(dsId, 'batch-4', [upsertAction, bad], session);
      const job = await pollJob(emu, token, idOf(await res.text(), 'job'));
      assert.equal(job.finishCode, 1);
      assert.match(job.xml, /<notes>[^<]*Specified table does not exist: missing_table[^<]*<\/notes>/);
      assert.deepEqual(sorted(await emu.readRows('GL Detail')), before);
      assert.ok(!emu.appliedRequestIds.includes('batch-4'));
    });

    it('applies a conditional delete without a payload', async () => {
      const res = await patch(dsId, 'batch-5', [
        {
          action: 'delete',
          'target-schema': 'Extract',
          'target-table': 'Extract',
          condition: {
            op: 'and',
            args: [
              { op: 'lt', 'target-col': 'POSTED', const: { type: 'datetime', v: '2026-01-06T00:00:00Z' } },
              { op: 'eq', 'target-col': 'NAME', const: { type: 'string', v: 'Müller GmbH' } },
            ],
          },
        },
      ]);
      assert.equal((await pollJob(emu, token, idOf(await res.text(), 'job'))).finishCode, 0);
      assert.deepEqual(
        sorted(await emu.readRows('GL Detail')).map((r) => r.RECORDNO),
        [4, 4],
      );
    });

    it('applies update, upsert with a partial source, and replace for real', async () => {
      const engine = await emu.hyperEngine();
      const renames = await buildHyper(engine, join(dir, 'renames.hyper'), [
        {
          schema: 'Extract',
          name: 'Extract',
          columns: '"RECORDNO" BIGINT NOT NULL, "NAME" TEXT',
          rows: [`(1, 'Renamed one')`, `(3, 'Renamed three')`, `(7, 'Seven')`],
        },
      ]);
      const pub = await publish('Scratch', initialHyper, 'overwrite=true');
      const scratchId = idOf(await pub.text(), 'datasource');
      const key = { op: 'eq', 'source-col': 'RECORDNO', 'target-col': 'RECORDNO' };
      const run = async (rid: string, action: Record<string, unknown>, file: Buffer) => {
        const res = await patch(
          scratchId,
          rid,
          [{ 'source-schema': 'Extract', 'source-table': 'Extract', 'target-schema': 'Extract', 'target-table': 'Extract', ...action }],
          await upload(file, 1 << 20),
        );
        assert.equal((await pollJob(emu, token, idOf(await res.text(), 'job'))).finishCode, 0);
        return sorted(await emu.readRows('Scratch'));
      };
      // update: only matching rows change, only the source's columns.
      assert.deepEqual(await run('scratch-1', { action: 'update', condition: key }, renames), [
        { RECORDNO: 1, NAME: 'Renamed one', AMOUNT: '-1234.50', POSTED: '2026-01-02', FLAG: true },
        { RECORDNO: 2, NAME: 'Müller "GmbH"', AMOUNT: '0.10', POSTED: null, FLAG: false },
        { RECORDNO: 3, NAME: 'Renamed three', AMOUNT: '99.99', POSTED: '2026-01-03', FLAG: null },
      ]);
      // upsert with a source lacking columns: matching rows updated in place, new rows inserted with NULLs.
      const upserted = await run('scratch-2', { action: 'upsert', condition: key }, renames);
      assert.deepEqual(
        upserted.map((r) => [r.RECORDNO, r.NAME, r.AMOUNT]),
        [
          [1, 'Renamed one', '-1234.50'],
          [2, 'Müller "GmbH"', '0.10'],
          [3, 'Renamed three', '99.99'],
          [7, 'Seven', null],
        ],
      );
      // replace: the target's rows become the source's rows.
      const replaced = await run('scratch-3', { action: 'replace' }, upsertHyper);
      assert.deepEqual(
        replaced.map((r) => [r.RECORDNO, r.NAME, r.AMOUNT]),
        [
          [2, 'Müller GmbH', '20.00'],
          [4, 'New line', '4.00'],
        ],
      );
    });

    it("accepts the multi-connection PATCH URL for the data source's own connection only", async () => {
      const body = JSON.stringify({
        actions: [
          {
            action: 'delete',
            'target-schema': 'Extract',
            'target-table': 'Extract',
            condition: { op: 'eq', 'target-col': 'RECORDNO', const: { type: 'integer', v: -1 } },
          },
        ],
      });
      const first = await (await patch(dsId, 'conn-1', JSON.parse(body).actions)).text();
      const conn = /<connectionLuid>([^<]+)<\/connectionLuid>/.exec(first)?.[1] ?? '';
      await pollJob(emu, token, idOf(first, 'job'));
      const viaConn = (c: string, rid: string) =>
        api(emu, token, `datasources/${dsId}/connections/${c}/data`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/json', RequestID: rid },
          body,
        });
      const ok = await viaConn(conn, 'conn-2');
      assert.equal(ok.status, 202);
      assert.equal((await pollJob(emu, token, idOf(await ok.text(), 'job'))).finishCode, 0);
      assert.equal((await viaConn('00000000-0000-0000-0000-000000000000', 'conn-3')).status, 404);
    });

    it('refuses malformed update bodies with 400 before doing anything', async () => {
      const noId = await api(emu, token, `datasources/${dsId}/data`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: '{"actions":[]}',
      });
      assert.equal(noId.status, 400);
      const badOp = await patch(dsId, 'batch-6', [
        {
          ...deleteAction,
          'source-table': undefined,
          'source-schema': undefined,
          condition: { op: 'like', 'target-col': 'A', const: { type: 'string', v: 'x' } },
        },
      ]);
      assert.equal(badOp.status, 400);
      const needsPayload = await patch(dsId, 'batch-7', [upsertAction]);
      assert.equal(needsPayload.status, 400);
      assert.match(await needsPayload.text(), /code="400000"/);
    });

    it('publishes from a chunked upload as a job (asJob) that completes after polls', async () => {
      const session = await upload(initialHyper, 16_000);
      const res = await api(emu, token, `datasources?uploadSessionId=${encodeURIComponent(session)}&datasourceType=hyper&overwrite=true&asJob=true`, {
        method: 'POST',
        headers: { 'Content-Type': `multipart/mixed; boundary=${BOUNDARY}` },
        body: multipartBody(
          [
            {
              name: 'request_payload',
              contentType: 'text/xml',
              data: `<tsRequest><datasource name="Vendors"><project id="${projectId}"/></datasource></tsRequest>`,
            },
          ],
          BOUNDARY,
        ),
      });
      assert.equal(res.status, 202);
      const xml = await res.text();
      // Shaped like TSC's datasource_publish_async.xml: finishCode="1" already, while it runs.
      assert.match(xml, /<job id="[^"]+" mode="Asynchronous" type="PublishDatasource" progress="0" createdAt="[^"]+" finishCode="1"\/>/);
      assert.equal((await pollJob(emu, token, idOf(xml, 'job'))).finishCode, 0);
      assert.equal((await emu.readRows('Vendors'))?.length, 3);
      // The upload session was used up by the commit.
      const reuse = await api(emu, token, `datasources?uploadSessionId=${encodeURIComponent(session)}&datasourceType=hyper&overwrite=true`, {
        method: 'POST',
        headers: { 'Content-Type': `multipart/mixed; boundary=${BOUNDARY}` },
        body: multipartBody(
          [
            {
              name: 'request_payload',
              contentType: 'text/xml',
              data: `<tsRequest><datasource name="Vendors"><project id="${projectId}"/></datasource></tsRequest>`,
            },
          ],
          BOUNDARY,
        ),
      });
      assert.equal(reuse.status, 404);
    });

    it('refuses an upload block over the block limit (413) and keeps what was appended before', async () => {
      const small = await startTableauEmulator({ maxBlockBytes: 1000 });
      try {
        const s = await signIn(small);
        const init = await api(small, s.token, 'fileUploads', { method: 'POST' });
        const id = /uploadSessionId="([^"]+)"/.exec(await init.text())?.[1] ?? '';
        const put = (n: number) =>
          api(small, s.token, `fileUploads/${encodeURIComponent(id)}`, {
            method: 'PUT',
            headers: { 'Content-Type': `multipart/mixed; boundary=${BOUNDARY}` },
            body: multipartBody(
              [
                { name: 'request_payload', contentType: 'text/xml', data: '' },
                { name: 'tableau_file', filename: 'f', contentType: 'application/octet-stream', data: Buffer.alloc(n, 7) },
              ],
              BOUNDARY,
            ),
          });
        assert.equal((await put(1000)).status, 200);
        const tooBig = await put(1001);
        assert.equal(tooBig.status, 413);
        const again = await put(500);
        assert.equal(again.status, 200);
        assert.match(await again.text(), /fileSize="1"/);
      } finally {
        await small.close();
      }
    });
  });

  describe('refresh', () => {
    it('queues a refresh job and answers a second one while queued with 409093', async () => {
      const dep = await emu.createDatasource('Dependent extract', 'Finance');
      const first = await api(emu, token, `datasources/${dep.id}/refresh`, { method: 'POST', body: '<tsRequest/>' });
      assert.equal(first.status, 202);
      const xml = await first.text();
      assert.match(
        xml,
        new RegExp(
          `type="RefreshExtract" createdAt="[^"]+"><extractRefreshJob><datasource id="${dep.id}" name="Dependent extract"/></extractRefreshJob></job>`,
        ),
      );
      const second = await api(emu, token, `datasources/${dep.id}/refresh`, { method: 'POST', body: '<tsRequest/>' });
      assert.equal(second.status, 409);
      assert.match(await second.text(), /<error code="409093">/);
      assert.equal((await pollJob(emu, token, idOf(xml, 'job'))).finishCode, 0);
      const third = await api(emu, token, `datasources/${dep.id}/refresh`, { method: 'POST', body: '<tsRequest/>' });
      assert.equal(third.status, 202);
      assert.equal(emu.refreshes.filter((r) => r.datasourceId === dep.id).length, 2);
    });
  });

  describe('faults', () => {
    it('answers 429 with Retry-After and 5xx (some as HTML pages) without any effect', async () => {
      emu.setFaults({ rate: 1, kinds: ['http429'], seed: 3 });
      const r429 = await api(emu, token, 'projects', { method: 'POST', body: '<tsRequest><project name="Never"/></tsRequest>' });
      assert.equal(r429.status, 429);
      assert.equal(r429.headers.get('retry-after'), '1');
      emu.setFaults({ rate: 1, kinds: ['http5xx'], seed: 5 });
      const statuses = new Set<number>();
      let html = 0;
      for (let i = 0; i < 12; i += 1) {
        const res = await api(emu, token, 'projects', { method: 'POST', body: '<tsRequest><project name="Never"/></tsRequest>' });
        statuses.add(res.status);
        if ((res.headers.get('content-type') ?? '').includes('text/html')) html += 1;
        await res.arrayBuffer();
      }
      emu.setFaults({ rate: 0, kinds: [] });
      assert.ok([...statuses].every((s) => [500, 502, 503].includes(s)) && statuses.size >= 2, [...statuses].join(','));
      assert.ok(html > 0);
      const found = await (await api(emu, token, `projects?filter=${encodeURIComponent('name:eq:Never')}`)).text();
      assert.match(found, /totalAvailable="0"/);
      assert.ok(emu.requests.some((r) => r.fault === 'http5xx' && r.path.endsWith('/projects')));
    });

    it('expires the token mid-upload (401002): the block is not appended, and a new sign-in continues', async () => {
      const init = await api(emu, token, 'fileUploads', { method: 'POST' });
      const id = /uploadSessionId="([^"]+)"/.exec(await init.text())?.[1] ?? '';
      const put = (tok: string, data: Buffer) =>
        api(emu, tok, `fileUploads/${encodeURIComponent(id)}`, {
          method: 'PUT',
          headers: { 'Content-Type': `multipart/mixed; boundary=${BOUNDARY}` },
          body: multipartBody(
            [
              { name: 'request_payload', contentType: 'text/xml', data: '' },
              { name: 'tableau_file', filename: 'f', contentType: 'application/octet-stream', data },
            ],
            BOUNDARY,
          ),
        });
      assert.equal((await put(token, deleteHyper.subarray(0, 10_000))).status, 200);
      emu.setFaults({ rate: 1, kinds: ['expire401'], seed: 1 });
      const faulted = await put(token, deleteHyper.subarray(10_000));
      emu.setFaults({ rate: 0, kinds: [] });
      assert.equal(faulted.status, 401);
      assert.match(await faulted.text(), /code="401002"/);
      assert.equal((await api(emu, token, 'projects')).status, 401);
      token = (await signIn(emu)).token;
      assert.equal((await put(token, deleteHyper.subarray(10_000))).status, 200);
      // The reassembled file is exactly the payload: the faulted block left no trace.
      const before = (await emu.readRows('GL Detail'))?.length ?? 0;
      const dsId = emu.listDatasources().find((d) => d.name === 'GL Detail')!.id;
      const res = await patch(dsId, 'batch-8', [deleteAction], id);
      assert.equal((await pollJob(emu, token, idOf(await res.text(), 'job'))).finishCode, 0);
      assert.equal((await emu.readRows('GL Detail'))?.length, before);
    });

    it('fails a job with notes (jobFail) without applying it, and the same RequestID can then be applied', async () => {
      const dsId = emu.listDatasources().find((d) => d.name === 'GL Detail')!.id;
      const before = sorted(await emu.readRows('GL Detail'));
      const session = await upload(upsertHyper, 1 << 20);
      emu.setFaults({ rate: 1, kinds: ['jobFail'], seed: 1 });
      const res = await patch(dsId, 'batch-9', [upsertAction], session);
      emu.setFaults({ rate: 0, kinds: [] });
      assert.equal(res.status, 202);
      const job = await pollJob(emu, token, idOf(await res.text(), 'job'));
      assert.equal(job.finishCode, 1);
      assert.match(job.xml, /<notes>[^<]+<\/notes>/);
      assert.deepEqual(sorted(await emu.readRows('GL Detail')), before);
      const retry = await patch(dsId, 'batch-9', [upsertAction], session);
      assert.equal((await pollJob(emu, token, idOf(await retry.text(), 'job'))).finishCode, 0);
      assert.deepEqual(
        emu.appliedRequestIds.filter((r) => r === 'batch-9'),
        ['batch-9'],
      );
    });
  });

  it('logs every request without secrets and answers unknown paths with 404003', async () => {
    const res = await fetch(`${emu.url}/api/${API}/nothing/here`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /code="404003"/);
    const log = JSON.stringify(emu.requests);
    assert.ok(!log.includes(emu.patSecret) && !log.includes(token));
    assert.ok(emu.requests.every((r) => r.status >= 200));
    assert.ok(emu.requests.some((r) => r.method === 'PATCH' && r.requestId === 'batch-1' && r.status === 202));
  });
});
