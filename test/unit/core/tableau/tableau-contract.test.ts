/**
 * Contract tests (issue #3, acceptance 1): every real Tableau response in test/fixtures/tableau/
 * is read into the client's types through the client's own code paths (a fake fetch serves the
 * fixture; the client method under test parses it).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { ApiError, AuthError } from '../../../../main/core/errors';
import { createTableauClient, TableauJobFailedError } from '../../../../main/core/tableau';
import { parseTsBody, readJob, readServerInfo } from '../../../../main/core/tableau/tableau-xml';
import { FakeTableau, FIXTURES, fixture } from './fake-tableau';

const SITE_ID = '6b7179ba-b82b-4f0f-91ed-812074ac5da6'; // from auth_sign_in.xml

function client(fake: FakeTableau, extra: Partial<Parameters<typeof createTableauClient>[0]> = {}) {
  return createTableauClient({
    serverUrl: 'https://tableau.example.com',
    site: 'Samples',
    auth: { kind: 'pat', name: 'ml-connector', secret: 's3cr3t-value' },
    fetch: fake.fetch,
    clock: new ManualClock(Date.UTC(2026, 0, 15), true),
    random: () => 0,
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    jobPoll: { initialDelayMs: 10, factor: 1.4, maxDelayMs: 100 },
    ...extra,
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tableau-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const tempFile = (bytes: number) => {
  const p = join(dir, `payload-${++fileNo}.hyper`);
  writeFileSync(p, Buffer.alloc(bytes, 7));
  return p;
};

describe('Tableau contract: the real fixtures parse into the client types', () => {
  it('covers every fixture file in the folder', () => {
    const used = new Set([
      'auth_sign_in.xml',
      'auth_sign_in_error.xml',
      'server_info_get.xml',
      'server_info_25.xml',
      'server_info_404.xml',
      'datasource_get.xml',
      'datasource_get_empty.xml',
      'datasource_get_by_id.xml',
      'datasource_publish.xml',
      'datasource_publish_async.xml',
      'fileupload_initialize.xml',
      'fileupload_append.xml',
      'datasource_data_update.xml',
      'datasource_refresh.xml',
      'job_get_by_id.xml',
      'job_get_by_id_completed.xml',
      'job_get_by_id_failed.xml',
      'job_get_by_id_failed_workbook.xml',
      'job_get_by_id_inprogress.xml',
      'project_get.xml',
      'project_create.xml',
    ]);
    const present = readdirSync(FIXTURES).filter((f) => f.endsWith('.xml'));
    assert.deepEqual(
      present.filter((f) => !used.has(f)),
      [],
      'a fixture without a contract test',
    );
  });

  it('sign-in (auth_sign_in.xml): site and user LUIDs, token sent as X-Tableau-Auth', async () => {
    const fake = new FakeTableau({ token: () => 'eIX6mvFsqyansa4KqEI1UwOpS8ggRs2l' });
    fake.on('GET datasources', () => ({ status: 200, body: fixture('datasource_get_empty.xml') }));
    const c = client(fake);
    assert.deepEqual(await c.signIn(), { siteId: SITE_ID, userId: '1a96d216-e9b8-497b-a82a-0b899a965e01' });
    assert.equal(c.siteId, SITE_ID);
    await c.findDatasource('x');
    const q = fake.sent('GET datasources')[0]!;
    assert.equal(q.headers['x-tableau-auth'], 'eIX6mvFsqyansa4KqEI1UwOpS8ggRs2l');
    assert.match(q.url.pathname, new RegExp(`/api/3.25/sites/${SITE_ID}/datasources$`));
    const body = fake.sent('POST auth/signin')[0]!.body.toString();
    assert.match(
      body,
      /<credentials personalAccessTokenName="ml-connector" personalAccessTokenSecret="s3cr3t-value"><site contentUrl="Samples"\/><\/credentials>/,
    );
  });

  it('sign-in error (auth_sign_in_error.xml, 401001) is an AuthError that is not retried and holds no secret', async () => {
    const fake = new FakeTableau();
    fake.on('POST auth/signin', () => ({ status: 401, body: fixture('auth_sign_in_error.xml') }));
    const c = client(fake);
    const err = await c.signIn().then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AuthError);
    assert.equal(err.code, '401001');
    assert.match(err.userMessage, /Signin Error/);
    assert.match(err.userMessage, /personal access token/);
    assert.equal(fake.sent('POST auth/signin').length, 1);
    assert.ok(!JSON.stringify(err.toJSON()).includes('s3cr3t-value'));
    assert.ok(!err.message.includes('s3cr3t-value'));
  });

  it('serverinfo (server_info_get.xml 3.10, server_info_25.xml 2.5): read, then refused as too old for PATCH', async () => {
    for (const [file, version] of [
      ['server_info_get.xml', '3.10'],
      ['server_info_25.xml', '2.5'],
    ] as const) {
      const tree = parseTsBody(fixture(file))!;
      assert.deepEqual(readServerInfo(tree), { productVersion: '10.1.0', build: '10100.16.1024.2100', restApiVersion: version });
      const fake = new FakeTableau();
      fake.on('GET serverInfo', () => ({ status: 200, body: fixture(file) }));
      const err = await client(fake)
        .serverInfo()
        .then(
          () => null,
          (e: unknown) => e,
        );
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 'SERVER_TOO_OLD');
      assert.match(err.userMessage, new RegExp(`REST API ${version.replace('.', '\\.')}.*3\\.12`));
      assert.equal(fake.sent('POST auth/signin').length, 0, 'no sign-in to a server we refuse');
    }
  });

  it('serverinfo 404 (server_info_404.xml): falls back to the 2.4 probe, then picks min(server, supported)', async () => {
    const fake = new FakeTableau();
    fake.on('GET serverInfo', (req) =>
      req.url.pathname.startsWith('/api/3.25/')
        ? { status: 404, body: fixture('server_info_404.xml') }
        : { status: 200, body: fixture('server_info_get.xml').replace('3.10', '3.19') },
    );
    const info = await client(fake).serverInfo();
    assert.deepEqual(info, { productVersion: '10.1.0', restApiVersion: '3.19', apiVersion: '3.19' });
    assert.deepEqual(
      fake.sent('GET serverInfo').map((r) => r.url.pathname),
      ['/api/3.25/serverInfo', '/api/2.4/serverInfo'],
    );

    const old = new FakeTableau();
    old.on('GET serverInfo', () => ({ status: 404, body: fixture('server_info_404.xml') }));
    const err = await client(old)
      .serverInfo()
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(err instanceof ApiError && err.code === 'SERVER_TOO_OLD');
  });

  it('data source queries (datasource_get.xml, datasource_get_empty.xml): paging, exact name and project match', async () => {
    const fake = new FakeTableau();
    fake.on('GET datasources', (req) => ({
      status: 200,
      body: fixture(req.url.searchParams.get('filter')?.includes('Nothing') ? 'datasource_get_empty.xml' : 'datasource_get.xml'),
    }));
    const c = client(fake);
    const ds = await c.findDatasource('Sample datasource', 'ee8c6e70-43b6-11e6-af4f-f7b0d8e20760');
    assert.deepEqual(ds, {
      id: '9dbd2263-16b5-46e1-9c43-a76bb8ab65fb',
      name: 'Sample datasource',
      projectId: 'ee8c6e70-43b6-11e6-af4f-f7b0d8e20760',
      projectName: 'default',
      contentUrl: 'Sampledatasource',
      type: 'dataengine',
      createdAt: '2016-08-04T21:31:55Z',
      updatedAt: '2016-08-04T21:31:55Z',
    });
    assert.equal(await c.findDatasource('Sample datasource', 'another-project'), null);
    assert.equal(await c.findDatasource('Nothing here'), null);
    const q = fake.sent('GET datasources')[0]!;
    assert.equal(q.url.searchParams.get('filter'), 'name:eq:Sample datasource');
    assert.equal(q.url.searchParams.get('pageNumber'), '1');
  });

  it('get data source by id (datasource_get_by_id.xml), and a 404003 is null', async () => {
    const fake = new FakeTableau();
    fake.on('GET datasources/9dbd2263-16b5-46e1-9c43-a76bb8ab65fb', () => ({ status: 200, body: fixture('datasource_get_by_id.xml') }));
    fake.on('GET datasources/gone', () => ({ status: 404, body: fixture('server_info_404.xml') }));
    const c = client(fake);
    const ds = await c.getDatasource('9dbd2263-16b5-46e1-9c43-a76bb8ab65fb');
    assert.equal(ds?.name, 'Sample datasource');
    assert.equal(ds?.projectId, 'ee8c6e70-43b6-11e6-af4f-f7b0d8e20760');
    assert.equal(await c.getDatasource('gone'), null);
  });

  it('publish, synchronous (datasource_publish.xml) and asJob (datasource_publish_async.xml)', async () => {
    const fake = new FakeTableau();
    fake.on('POST datasources', (req) =>
      req.url.searchParams.get('asJob') === 'true'
        ? { status: 202, body: fixture('datasource_publish_async.xml') }
        : { status: 201, body: fixture('datasource_publish.xml') },
    );
    const c = client(fake);
    const file = tempFile(100);
    const sync = await c.publishHyper({ filePath: file, name: 'SampleDS', projectId: 'p1', overwrite: true });
    assert.equal(sync.datasource?.id, 'e76a1461-3b1d-4588-bf1b-17551a879ad9');
    assert.equal(sync.datasource?.projectId, 'ee8c6e70-43b6-11e6-af4f-f7b0d8e20760');
    assert.equal(sync.job, undefined);
    const async_ = await c.publishHyper({ filePath: file, name: 'SampleDS', projectId: 'p1', overwrite: true, asJob: true });
    assert.equal(async_.datasource, null);
    assert.equal(async_.job?.id, '9a373058-af5f-4f83-8662-98b3e0228a73');
    assert.equal(async_.job?.type, 'PublishDatasource');
  });

  it('file upload initialize + append (fileupload_initialize.xml, fileupload_append.xml)', async () => {
    const fake = new FakeTableau();
    fake.on('POST fileUploads', () => ({ status: 201, body: fixture('fileupload_initialize.xml') }));
    fake.on('PUT fileUploads/*', () => ({ status: 200, body: fixture('fileupload_append.xml') }));
    const id = await client(fake).uploadFile(tempFile(10));
    assert.equal(id, '7720:170fe6b1c1c7422dadff20f944d58a52-1:0');
    assert.equal(fake.sent('PUT fileUploads/*')[0]!.route, `fileUploads/${encodeURIComponent(id)}`);
  });

  it('the PATCH job (datasource_data_update.xml)', async () => {
    const fake = new FakeTableau();
    fake.on('PATCH datasources/*', () => ({ status: 202, body: fixture('datasource_data_update.xml') }));
    const job = await client(fake).updateData({ datasourceId: 'd1', uploadSessionId: 'u1', actions: [], requestId: 'r1' });
    assert.equal(job.id, '5c0ba560-c959-424e-b08a-f32ef0bfb737');
    assert.equal(job.type, 'UpdateUploadedFile');
    assert.equal(job.finishCode, null);
    assert.equal(job.datasourceId, '9dbd2263-16b5-46e1-9c43-a76bb8ab65fb');
  });

  it('refresh (datasource_refresh.xml) returns the RefreshExtract job', async () => {
    const fake = new FakeTableau();
    fake.on('POST datasources/*', () => ({ status: 202, body: fixture('datasource_refresh.xml') }));
    const job = await client(fake).refreshDatasource('9dbd2263-16b5-46e1-9c43-a76bb8ab65fb');
    assert.equal(job?.id, '7c3d599e-949f-44c3-94a1-f30ba85757e4');
    assert.equal(job?.type, 'RefreshExtract');
    assert.equal(fake.sent('POST datasources/*')[0]!.route, 'datasources/9dbd2263-16b5-46e1-9c43-a76bb8ab65fb/refresh');
  });

  it('jobs: in progress, then succeeded with finish code 0 or 3 (job_get_by_id*.xml)', async () => {
    const inProgress = readJob(parseTsBody(fixture('job_get_by_id_inprogress.xml'))!);
    assert.equal(inProgress.finishCode, null);
    assert.equal(inProgress.progress, 0);
    for (const done of ['job_get_by_id.xml', 'job_get_by_id_completed.xml']) {
      const fake = new FakeTableau();
      fake.on('GET jobs/*', (_r, n) => ({ status: 200, body: fixture(n === 1 ? 'job_get_by_id_inprogress.xml' : done) }));
      const progress: number[] = [];
      const job = await client(fake).waitForJob('j1', { onProgress: (p) => progress.push(p) });
      assert.equal(job.id, '2eef4225-aa0c-41c4-8662-a76d89ed7336');
      assert.ok(job.finishCode === 0 || job.finishCode === 3);
      assert.deepEqual(job.notes.slice(0, 1), ['Job detail notes']);
      assert.equal(job.completedAt, '2020-05-13T20:25:18Z');
      assert.deepEqual(progress, [0, 100]);
    }
  });

  it('jobs: failed (job_get_by_id_failed.xml without notes, _failed_workbook.xml with notes) throw TableauJobFailedError', async () => {
    const fake = new FakeTableau();
    fake.on('GET jobs/*', (req) => ({
      status: 200,
      body: fixture(req.route.endsWith('wb') ? 'job_get_by_id_failed_workbook.xml' : 'job_get_by_id_failed.xml'),
    }));
    const c = client(fake);
    const noNotes = await c.waitForJob('plain').then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(noNotes instanceof TableauJobFailedError);
    assert.equal(noNotes.jobId, '777bf7c4-421d-4b2c-a518-11b90187c545');
    assert.match(noNotes.userMessage, /UpdateUploadedFile job .* failed: Tableau gave no reason/);
    const withNotes = await c.waitForJob('wb').then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(withNotes instanceof TableauJobFailedError);
    assert.match(withNotes.userMessage, /Login failed for user/);
    assert.deepEqual(withNotes.notes.length, 1);
  });

  it('projects (project_get.xml, project_create.xml): find by name, create when missing', async () => {
    const fake = new FakeTableau();
    fake.on('GET projects', () => ({ status: 200, body: fixture('project_get.xml') }));
    fake.on('POST projects', () => ({ status: 201, body: fixture('project_create.xml') }));
    const c = client(fake);
    assert.deepEqual(await c.findProject('Tableau'), { id: '1d0304cd-3796-429f-b815-7258370b9b74', name: 'Tableau' });
    assert.equal(await c.findProject('Test Project'), null);
    assert.deepEqual(await c.findProject('Test Project', { create: true }), { id: 'ccbea03f-77c4-4209-8774-f67bc59c3cef', name: 'Test Project' });
    assert.match(fake.sent('POST projects')[0]!.body.toString(), /<project name="Test Project" contentPermissions="ManagedByOwner"\/>/);
  });
});
