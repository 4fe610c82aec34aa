import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { ApiError, AuthError, NetworkError, RateLimitError, SessionExpiredError, ValidationError } from '../../../../main/core/errors';
import type { RequestEvent } from '../../../../main/core/http/request-events';
import { buildConnectedAppJwt, createTableauClient, planBlocks, RequestNotResentError, type TableauClientOptions } from '../../../../main/core/tableau';
import { FakeTableau, fixture, parseMultipart, refused, reset, serverInfoXml, tsError } from './fake-tableau';

const dir = mkdtempSync(join(tmpdir(), 'tableau-client-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function tempFile(content: Buffer): string {
  const p = join(dir, `f${++fileNo}.hyper`);
  writeFileSync(p, content);
  return p;
}
const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) % 251));

const SECRET = 'pat-secret-do-not-leak';

function client(fake: FakeTableau, extra: Partial<TableauClientOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 15), true);
  const events: RequestEvent[] = [];
  const c = createTableauClient({
    serverUrl: 'https://tableau.example.com/',
    site: 'finance',
    auth: { kind: 'pat', name: 'connector', secret: SECRET },
    fetch: fake.fetch,
    clock,
    random: () => 0.5,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 },
    jobPoll: { initialDelayMs: 500, factor: 1.4, maxDelayMs: 30_000 },
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { c, clock, events };
}

const emptyList = () => ({ status: 200, body: fixture('datasource_get_empty.xml') });
const job202 = () => ({ status: 202, body: fixture('datasource_data_update.xml') });

describe('createTableauClient: configuration', () => {
  it('normalises a pasted browser address and refuses Tableau Cloud without a site', () => {
    const fake = new FakeTableau();
    // A pasted browser address is split into server and site (and says so) instead of failing.
    const pasted = createTableauClient({
      serverUrl: 'https://10ay.online.tableau.com/#/site/x/home',
      site: '',
      auth: { kind: 'pat', name: 'a', secret: 'b' },
      fetch: fake.fetch,
      clock: new ManualClock(),
    });
    assert.equal(pasted.address.baseUrl, 'https://10ay.online.tableau.com');
    assert.equal(pasted.address.site, 'x');
    assert.match(pasted.address.note ?? '', /browser address.*site "x"/);
    assert.throws(
      () =>
        createTableauClient({
          serverUrl: 'https://10ay.online.tableau.com/#/site/x/home',
          site: 'y',
          auth: { kind: 'pat', name: 'a', secret: 'b' },
          fetch: fake.fetch,
          clock: new ManualClock(),
        }),
      ValidationError,
    );
    assert.throws(
      () =>
        createTableauClient({
          serverUrl: 'https://10ay.online.tableau.com/',
          site: '',
          auth: { kind: 'pat', name: 'a', secret: 'b' },
          fetch: fake.fetch,
          clock: new ManualClock(),
        }),
      ValidationError,
    );
    assert.throws(
      () => createTableauClient({ serverUrl: 'ftp://x', site: '', auth: { kind: 'pat', name: 'a', secret: 'b' }, fetch: fake.fetch, clock: new ManualClock() }),
      ValidationError,
    );
    assert.throws(
      () =>
        createTableauClient({
          serverUrl: 'https://x',
          site: '',
          auth: { kind: 'pat', name: 'a', secret: 'b' },
          fetch: fake.fetch,
          clock: new ManualClock(),
          chunkSizeBytes: 65 * 1024 * 1024,
        }),
      ValidationError,
    );
  });

  it('uses the Server default site (empty content URL) and the pod host path for Cloud', async () => {
    const fake = new FakeTableau();
    fake.on('GET datasources', emptyList);
    const { c } = client(fake, { serverUrl: 'https://10ay.online.tableau.com/#/site/finance/home' });
    await c.findDatasource('x');
    assert.equal(fake.requests[0]!.url.origin, 'https://10ay.online.tableau.com');
    const server = new FakeTableau();
    const { c: s } = client(server, { site: '' });
    await s.signIn();
    assert.match(server.sent('POST auth/signin')[0]!.body.toString(), /<site contentUrl=""\/>/);
  });
});

describe('TableauClient: sessions', () => {
  it('signs in again once on an expired token (401002) and resends the call with the new token', async () => {
    const fake = new FakeTableau();
    fake.on('GET datasources', (req) =>
      req.headers['x-tableau-auth'] === 'token-1'
        ? { status: 401, body: tsError('401002', 'Unauthorized Access', 'Invalid authentication credentials were provided.') }
        : emptyList(),
    );
    const { c, clock, events } = client(fake);
    assert.equal(await c.findDatasource('GL Detail'), null);
    assert.equal(c.signInCount, 2);
    assert.deepEqual(
      fake.sent('GET datasources').map((r) => r.headers['x-tableau-auth']),
      ['token-1', 'token-2'],
    );
    assert.deepEqual(clock.sleeps, [], 'the resend after re-sign-in does not wait');
    const failed = events.find((e) => e.status === 401)!;
    assert.equal(failed.outcome, 'SessionExpiredError');
    assert.equal(failed.retryInMs, 0);
  });

  it('never runs two sign-ins at once: concurrent calls share one sign-in, and one renewal after expiry', async () => {
    const fake = new FakeTableau();
    let inFlight = 0;
    let maxInFlight = 0;
    const signIn = fake.routes.get('POST auth/signin')!;
    fake.on('POST auth/signin', async (req, n) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return signIn(req, n);
    });
    let expired = false;
    fake.on('GET datasources', (req) =>
      expired && req.headers['x-tableau-auth'] === 'token-1' ? { status: 401, body: tsError('401002', 'Unauthorized Access') } : emptyList(),
    );
    const { c } = client(fake);
    await Promise.all(Array.from({ length: 6 }, () => c.findDatasource('a')));
    assert.equal(c.signInCount, 1);
    expired = true;
    await Promise.all(Array.from({ length: 6 }, () => c.findDatasource('b')));
    assert.equal(c.signInCount, 2, 'six expired calls renew the session once');
    assert.equal(fake.sent('POST auth/signin').length, 2);
    assert.equal(maxInFlight, 1);
  });

  it('a 401 right after signing in again stops with a message about another client: one re-sign-in, never more', async () => {
    const fake = new FakeTableau();
    fake.on('GET datasources', () => ({ status: 401, body: tsError('401002', 'Unauthorized Access') }));
    const { c } = client(fake, { retry: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 100 } });
    const err = await c.findDatasource('x').then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AuthError, String(err));
    assert.equal(err.retryable, false);
    assert.match(err.userMessage, /same personal access token/);
    assert.match(err.userMessage, /does not sign in again/);
    assert.equal(c.signInCount, 2, 'the first sign-in plus exactly one renewal (before: one per retry attempt, six in all)');
    assert.ok(!(err instanceof SessionExpiredError));
  });

  it('signs out with the session token and forgets the session; an already-expired token counts as signed out', async () => {
    const fake = new FakeTableau();
    const { c } = client(fake);
    await c.signIn();
    await c.signOut();
    assert.equal(fake.sent('POST auth/signout')[0]!.headers['x-tableau-auth'], 'token-1');
    assert.equal(c.siteId, null);
    await c.signOut();
    assert.equal(fake.sent('POST auth/signout').length, 1, 'no session, no call');
    fake.on('POST auth/signout', () => ({ status: 401, body: tsError('401002', 'Unauthorized') }));
    await c.signIn();
    await c.signOut();
    assert.equal(c.siteId, null);
    assert.equal(fake.sent('POST auth/signout').length, 2, 'a 401 on sign-out is final, not retried');
    assert.equal(c.signInCount, 2, 'and does not sign in again just to sign out');
    fake.on('POST auth/signout', (_r, n) => (n === 1 ? { status: 502, body: 'Bad Gateway' } : { status: 204 }));
    await c.signIn();
    await c.signOut();
    assert.equal(fake.sent('POST auth/signout').length, 4, 'a 5xx on sign-out is retried');
  });

  it('builds a connected-app JWT (HS256, kid, iss, sub, aud, exp ≤ 10 min, jti, scp) and signs in with it', async () => {
    const app = { clientId: 'client-1', secretId: 'secret-id-1', secretValue: 'app-secret-value', username: 'svc@example.com' };
    const now = Date.UTC(2026, 0, 15, 12);
    const jwt = buildConnectedAppJwt(app, now, { jti: 'fixed' });
    const [h, p, s] = jwt.split('.') as [string, string, string];
    assert.equal(createHmac('sha256', app.secretValue).update(`${h}.${p}`).digest('base64url'), s);
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual(header, { alg: 'HS256', typ: 'JWT', kid: 'secret-id-1', iss: 'client-1' });
    assert.equal(claims.iss, 'client-1');
    assert.equal(claims.sub, 'svc@example.com');
    assert.equal(claims.aud, 'tableau');
    assert.equal(claims.jti, 'fixed');
    assert.ok((claims.exp as number) * 1000 > now && (claims.exp as number) * 1000 - now <= 600_000);
    assert.ok((claims.scp as string[]).includes('tableau:file_uploads:create'));

    const fake = new FakeTableau();
    const { c } = client(fake, { auth: { kind: 'connected-app', ...app } });
    await c.signIn();
    const body = fake.sent('POST auth/signin')[0]!.body.toString();
    assert.match(body, /<credentials jwt="[\w-]+\.[\w-]+\.[\w-]+"><site contentUrl="finance"\/>/);
    assert.ok(!body.includes('app-secret-value'));
  });
});

describe('TableauClient: errors and retries', () => {
  it('honours Retry-After on a 429 (an HTML page, as Tableau Cloud sends) and then succeeds', async () => {
    const fake = new FakeTableau();
    fake.on('GET datasources', (_r, n) =>
      n === 1 ? { status: 429, body: '<html><body>Too Many Requests</body></html>', headers: { 'Retry-After': '7' } } : emptyList(),
    );
    const { c, clock, events } = client(fake);
    assert.equal(await c.findDatasource('x'), null);
    assert.deepEqual(clock.sleeps, [7_000]);
    const rl = events.find((e) => e.status === 429)!;
    assert.equal(rl.outcome, 'RateLimitError');
    assert.equal(rl.retryInMs, 7_000);
  });

  it('retries 5xx (XML and HTML bodies) and network resets on reads, then throws a NetworkError after the last attempt', async () => {
    const fake = new FakeTableau();
    fake.on('GET datasources', (_r, n) =>
      n === 1
        ? { status: 503, body: '<html>Service Unavailable</html>' }
        : n === 2
          ? { status: 500, body: tsError('500000', 'Internal Server Error') }
          : n === 3
            ? reset()
            : emptyList(),
    );
    const { c, clock } = client(fake);
    assert.equal(await c.findDatasource('x'), null);
    assert.equal(fake.sent('GET datasources').length, 4);
    assert.deepEqual(clock.sleeps, [75, 150, 300]);

    const down = new FakeTableau();
    down.on('GET datasources', () => ({ status: 502, body: 'Bad gateway' }));
    const err = await client(down)
      .c.findDatasource('x')
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(err instanceof NetworkError);
    assert.equal(err.status, 502);
    assert.equal(down.sent('GET datasources').length, 4);
  });

  it('turns JSON and XML tsResponse errors into ApiErrors that say what to fix, and never retries them', async () => {
    const fake = new FakeTableau();
    fake.on('GET projects', () => ({
      status: 403,
      body: JSON.stringify({ error: { code: '403004', summary: 'Forbidden', detail: 'User lacks permission' } }),
      headers: { 'content-type': 'application/json' },
    }));
    fake.on('POST projects', () => ({ status: 403, body: tsError('403045', 'Forbidden', 'Not allowed to create projects') }));
    fake.on('GET datasources', () => ({ status: 400, body: tsError('400006', 'Bad Request', 'Invalid page number') }));
    const { c } = client(fake);
    const e1 = await c.findProject('P').then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(e1 instanceof ApiError);
    assert.equal(e1.code, '403004');
    assert.equal(e1.kind, 'config');
    assert.match(e1.userMessage, /permission.*User lacks permission|User lacks permission.*permission/);
    assert.equal(fake.sent('GET projects').length, 1);
    const e2 = await c.findDatasource('x').then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(e2 instanceof ApiError && e2.code === '400006');
    fake.on('GET projects', () => ({ status: 200, body: fixture('project_get.xml') }));
    const e3 = await c.findProject('New', { create: true }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(e3 instanceof ApiError && e3.code === '403045');
    assert.match(e3.userMessage, /Create the project in Tableau/);
  });

  it('a proxy page with a 4xx is reported as a blocked API, a 2xx without a body as a retryable malformed answer', async () => {
    const fake = new FakeTableau();
    fake.on('GET datasources', (_r, n) => (n < 3 ? { status: 200, body: '<html>login portal</html>' } : emptyList()));
    fake.on('GET projects', () => ({ status: 407, body: '<html>Proxy Authentication Required</html>' }));
    const { c } = client(fake);
    assert.equal(await c.findDatasource('x'), null);
    assert.equal(fake.sent('GET datasources').length, 3);
    const err = await c.findProject('x').then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError);
    assert.match(err.userMessage, /proxy or firewall/);
  });

  it('reads JSON answers the same way as XML (Tableau answers JSON when a proxy rewrites Accept)', async () => {
    const fake = new FakeTableau();
    fake.on('GET serverInfo', () => ({
      status: 200,
      body: JSON.stringify({ serverInfo: { productVersion: { value: '2024.2.0', build: '20242.24.0' }, restApiVersion: '3.23' } }),
    }));
    fake.on('POST auth/signin', () => ({
      status: 200,
      body: JSON.stringify({ credentials: { token: 'json-token', site: { id: 'site-json', contentUrl: 'finance' }, user: { id: 'user-json' } } }),
    }));
    fake.on('GET jobs/*', () => ({
      status: 200,
      body: JSON.stringify({
        job: {
          id: 'j',
          type: 'UpdateUploadedFile',
          progress: '100',
          completedAt: '2026-01-15T00:00:01Z',
          finishCode: '1',
          updateUploadedFileJob: { notes: 'Specified table does not exist: deleted. (errorCode=410012)' },
        },
      }),
    }));
    const { c } = client(fake);
    assert.deepEqual(await c.serverInfo(), { productVersion: '2024.2.0', restApiVersion: '3.23', apiVersion: '3.23' });
    assert.deepEqual(await c.signIn(), { siteId: 'site-json', userId: 'user-json' });
    await assert.rejects(c.waitForJob('j'), /410012/);
  });

  it('refresh: 409093 "already queued" is not a failure (null)', async () => {
    const fake = new FakeTableau();
    fake.on('POST datasources/*', () => ({
      status: 409,
      body: tsError('409093', 'Resource Conflict', 'Job for datasource is already queued. Not queuing a duplicate.'),
    }));
    assert.equal(await client(fake).c.refreshDatasource('d1'), null);
  });

  it('request events carry no secret and no token', async () => {
    const fake = new FakeTableau();
    fake.on('GET datasources', (_r, n) => (n === 1 ? { status: 401, body: tsError('401002', 'x') } : emptyList()));
    const { c, events } = client(fake);
    await c.findDatasource('x');
    const text = JSON.stringify(events);
    assert.ok(events.length >= 4);
    for (const secret of [SECRET, 'token-1', 'token-2']) assert.ok(!text.includes(secret), secret);
    assert.ok(events.every((e) => e.service === 'tableau' && !e.path.includes('?')));
  });
});

describe('TableauClient: update data and jobs', () => {
  it('sends the PATCH with the same RequestID on every retry, JSON actions and the upload session', async () => {
    const fake = new FakeTableau();
    fake.on('PATCH datasources/*', (_r, n) => (n === 1 ? { status: 500, body: tsError('500000', 'Internal') } : n === 2 ? reset() : job202()));
    const { c } = client(fake);
    const actions = [
      {
        action: 'upsert' as const,
        'source-schema': 'Extract',
        'source-table': 'Extract',
        'target-schema': 'Extract',
        'target-table': 'Extract',
        condition: { op: 'eq', 'source-col': 'RECORDNO', 'target-col': 'RECORDNO' },
      },
    ];
    const job = await c.updateData({ datasourceId: 'ds-1', uploadSessionId: '7720:abc-1:0', actions, requestId: 'batch-42' });
    assert.equal(job.type, 'UpdateUploadedFile');
    const sent = fake.sent('PATCH datasources/*');
    assert.equal(sent.length, 3);
    assert.deepEqual(
      sent.map((r) => r.headers['requestid']),
      ['batch-42', 'batch-42', 'batch-42'],
    );
    for (const r of sent) {
      assert.equal(r.route, 'datasources/ds-1/data');
      assert.equal(r.url.searchParams.get('uploadSessionId'), '7720:abc-1:0');
      assert.equal(r.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(r.body.toString()), { actions });
    }
  });

  it('polls a job with growing waits through the clock until it finishes', async () => {
    const fake = new FakeTableau();
    fake.on('GET jobs/*', (_r, n) => ({ status: 200, body: fixture(n < 4 ? 'job_get_by_id_inprogress.xml' : 'job_get_by_id.xml') }));
    const { c, clock } = client(fake);
    const job = await c.waitForJob('j');
    assert.equal(job.finishCode, 0);
    assert.deepEqual(clock.sleeps, [500, 700, 980]);
  });

  it('stops waiting for a job at once when the caller aborts', async () => {
    const fake = new FakeTableau();
    fake.on('GET jobs/*', () => ({ status: 200, body: fixture('job_get_by_id_inprogress.xml') }));
    const clock = new ManualClock(0); // no auto-advance: the poll wait only ends by abort
    const c = createTableauClient({ serverUrl: 'https://t.example.com', site: 's', auth: { kind: 'pat', name: 'n', secret: 's' }, fetch: fake.fetch, clock });
    const ac = new AbortController();
    const waiting = c.waitForJob('j', { signal: ac.signal });
    while (clock.sleeps.length === 0) await new Promise((r) => setImmediate(r));
    ac.abort(new Error('user cancelled'));
    await assert.rejects(waiting, /user cancelled/);
    assert.equal(fake.sent('GET jobs/*').length, 1);
  });

  it('stops following a job after its timeout with a JOB_TIMEOUT error', async () => {
    const fake = new FakeTableau();
    fake.on('GET jobs/*', () => ({ status: 200, body: fixture('job_get_by_id_inprogress.xml') }));
    const err = await client(fake)
      .c.waitForJob('j', { timeoutMs: 10_000 })
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(err instanceof ApiError && err.code === 'JOB_TIMEOUT');
  });
});

describe('TableauClient: uploads and publishing', () => {
  const initiate = (n: number) => ({
    status: 201,
    body: fixture('fileupload_initialize.xml').replace('7720:170fe6b1c1c7422dadff20f944d58a52-1:0', `${n}:abc-1:0`),
  });
  const append = () => ({ status: 200, body: fixture('fileupload_append.xml') });

  it('splits a file into blocks of the configured size', () => {
    assert.deepEqual(planBlocks(2500, 1000), [
      { start: 0, end: 1000 },
      { start: 1000, end: 2000 },
      { start: 2000, end: 2500 },
    ]);
    assert.deepEqual(planBlocks(2000, 1000), [
      { start: 0, end: 1000 },
      { start: 1000, end: 2000 },
    ]);
    assert.deepEqual(planBlocks(0, 1000), []);
  });

  it('appends each block as multipart/mixed: an empty request_payload then tableau_file with the block bytes', async () => {
    const fake = new FakeTableau();
    fake.on('POST fileUploads', (_r, n) => initiate(n));
    fake.on('PUT fileUploads/*', append);
    const content = pattern(2500);
    const progress: number[] = [];
    const { c } = client(fake, { chunkSizeBytes: 1000 });
    const id = await c.uploadFile(tempFile(content), undefined, { onProgress: (s) => progress.push(s) });
    assert.equal(id, '1:abc-1:0');
    const puts = fake.sent('PUT fileUploads/*');
    assert.equal(puts.length, 3);
    const blocks: Buffer[] = [];
    for (const put of puts) {
      assert.equal(put.route, `fileUploads/${encodeURIComponent(id)}`);
      const ct = put.headers['content-type']!;
      assert.match(ct, /^multipart\/mixed; boundary=\S+$/);
      // The network stack sets Content-Length from the body; Electron's net.fetch refuses it from the app.
      assert.equal(put.headers['content-length'], undefined);
      const parts = parseMultipart(put.body, ct);
      assert.equal(parts.length, 2);
      assert.equal(parts[0]!.headers['content-disposition'], 'name="request_payload"');
      assert.equal(parts[0]!.headers['content-type'], 'text/xml');
      assert.equal(parts[0]!.content.length, 0);
      assert.match(parts[1]!.headers['content-disposition']!, /^name="tableau_file"; filename="f\d+\.hyper"$/);
      assert.equal(parts[1]!.headers['content-type'], 'application/octet-stream');
      blocks.push(parts[1]!.content);
    }
    assert.deepEqual(
      blocks.map((b) => b.length),
      [1000, 1000, 500],
    );
    assert.ok(Buffer.concat(blocks).equals(content));
    assert.deepEqual(progress, [0, 1000, 2000, 2500]);
  });

  it('does not re-send an append that may have been processed: it restarts the upload with a new session', async () => {
    const fake = new FakeTableau();
    fake.on('POST fileUploads', (_r, n) => initiate(n));
    fake.on('PUT fileUploads/*', (_r, n) => (n === 2 ? { status: 500, body: tsError('500000', 'Internal') } : append()));
    const { c } = client(fake, { chunkSizeBytes: 1000 });
    const id = await c.uploadFile(tempFile(pattern(2500)));
    assert.equal(id, '2:abc-1:0', 'the second, complete upload session');
    const puts = fake.sent('PUT fileUploads/*').map((r) => r.route);
    assert.deepEqual(
      puts,
      ['1%3Aabc-1%3A0', '1%3Aabc-1%3A0', '2%3Aabc-1%3A0', '2%3Aabc-1%3A0', '2%3Aabc-1%3A0'].map((s) => `fileUploads/${s}`),
    );
  });

  it('re-sends an append when the request cannot have been processed (connection refused, 429, 401)', async () => {
    const fake = new FakeTableau();
    fake.on('POST fileUploads', (_r, n) => initiate(n));
    fake.on('PUT fileUploads/*', (_r, n) =>
      n === 1
        ? refused()
        : n === 2
          ? { status: 429, body: '', headers: { 'retry-after': '1' } }
          : n === 3
            ? { status: 401, body: tsError('401002', 'x') }
            : append(),
    );
    const { c } = client(fake, { chunkSizeBytes: 1000 });
    assert.equal(await c.uploadFile(tempFile(pattern(500))), '1:abc-1:0');
    assert.equal(fake.sent('POST fileUploads').length, 1);
    assert.equal(fake.sent('PUT fileUploads/*').length, 4);
  });

  it('publishes a small file in one call: request_payload XML then tableau_datasource', async () => {
    const fake = new FakeTableau();
    fake.on('POST datasources', () => ({ status: 201, body: fixture('datasource_publish.xml') }));
    const content = pattern(300);
    const { c } = client(fake);
    const r = await c.publishHyper({ filePath: tempFile(content), name: 'GL & "Detail"', projectId: 'proj-1', overwrite: true });
    assert.equal(r.datasource?.name, 'SampleDS');
    const post = fake.sent('POST datasources')[0]!;
    assert.equal(post.url.searchParams.get('overwrite'), 'true');
    assert.equal(post.url.searchParams.get('datasourceType'), 'hyper');
    assert.equal(post.url.searchParams.get('asJob'), null);
    const parts = parseMultipart(post.body, post.headers['content-type']!);
    assert.equal(parts[0]!.headers['content-disposition'], 'name="request_payload"');
    assert.equal(parts[0]!.content.toString(), '<tsRequest><datasource name="GL &amp; &quot;Detail&quot;"><project id="proj-1"/></datasource></tsRequest>');
    assert.equal(parts[1]!.headers['content-disposition'], 'name="tableau_datasource"; filename="GL _ _Detail_.hyper"');
    assert.ok(parts[1]!.content.equals(content));
  });

  it('publishes a large file by upload + commit with uploadSessionId, datasourceType=hyper, overwrite and asJob', async () => {
    const fake = new FakeTableau();
    fake.on('POST fileUploads', (_r, n) => initiate(n));
    fake.on('PUT fileUploads/*', append);
    fake.on('POST datasources', () => ({ status: 202, body: fixture('datasource_publish_async.xml') }));
    const { c } = client(fake, { chunkSizeBytes: 400, singleCallLimitBytes: 1000 });
    const r = await c.publishHyper({ filePath: tempFile(pattern(1000)), name: 'GL Detail', projectId: 'p', overwrite: true, asJob: true });
    assert.equal(r.job?.type, 'PublishDatasource');
    assert.equal(fake.sent('PUT fileUploads/*').length, 3);
    const post = fake.sent('POST datasources')[0]!;
    assert.deepEqual(Object.fromEntries(post.url.searchParams), { uploadSessionId: '1:abc-1:0', datasourceType: 'hyper', overwrite: 'true', asJob: 'true' });
    const parts = parseMultipart(post.body, post.headers['content-type']!);
    assert.equal(parts.length, 1, 'the commit carries only the request_payload');
  });

  it('does not re-send a publish without overwrite after a 5xx, but re-publishes an overwrite (same file, same result)', async () => {
    const fake = new FakeTableau();
    fake.on('POST datasources', (_r, n) => (n === 1 ? { status: 502, body: 'Bad Gateway' } : { status: 201, body: fixture('datasource_publish.xml') }));
    const { c } = client(fake);
    const file = tempFile(pattern(10));
    const err = await c.publishHyper({ filePath: file, name: 'X', projectId: 'p', overwrite: false }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof RequestNotResentError);
    assert.equal(err.retryable, false);
    assert.match(err.userMessage, /not re-sent automatically/);
    assert.equal(fake.sent('POST datasources').length, 1);

    const fake2 = new FakeTableau();
    fake2.on('POST datasources', (_r, n) => (n === 1 ? { status: 502, body: 'Bad Gateway' } : { status: 201, body: fixture('datasource_publish.xml') }));
    const r = await client(fake2).c.publishHyper({ filePath: file, name: 'X', projectId: 'p', overwrite: true });
    assert.equal(r.datasource?.id, 'e76a1461-3b1d-4588-bf1b-17551a879ad9');
    assert.equal(fake2.sent('POST datasources').length, 2);
  });

  it('retries a publish that was refused before processing (429 with Retry-After, connection refused)', async () => {
    const fake = new FakeTableau();
    fake.on('POST datasources', (_r, n) =>
      n === 1 ? { status: 429, body: '', headers: { 'retry-after': '2' } } : n === 2 ? refused() : { status: 201, body: fixture('datasource_publish.xml') },
    );
    const { c, clock } = client(fake);
    const r = await c.publishHyper({ filePath: tempFile(pattern(10)), name: 'X', projectId: 'p', overwrite: false });
    assert.ok(r.datasource);
    assert.equal(clock.sleeps[0], 2_000);
  });

  it('re-sends a publish after a 503 that carries Retry-After (explicit retry semantics)', async () => {
    const fake = new FakeTableau();
    fake.on('POST datasources', (_r, n) =>
      n === 1 ? { status: 503, body: '<html>maintenance</html>', headers: { 'retry-after': '4' } } : { status: 201, body: fixture('datasource_publish.xml') },
    );
    const { c, clock } = client(fake);
    assert.ok((await c.publishHyper({ filePath: tempFile(pattern(10)), name: 'X', projectId: 'p', overwrite: false })).datasource);
    assert.equal(fake.sent('POST datasources').length, 2);
    assert.deepEqual(clock.sleeps, [4_000]);
  });

  it('a rate-limit error keeps its Retry-After', async () => {
    const fake = new FakeTableau();
    fake.on('GET datasources', () => ({ status: 429, body: tsError('429000', 'Too Many Requests'), headers: { 'retry-after': '3' } }));
    const err = await client(fake, { retry: { maxAttempts: 1 } })
      .c.findDatasource('x')
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(err instanceof RateLimitError);
    assert.equal(err.retryAfterMs, 3_000);
  });
});

describe('TableauClient: the job rule and connected-app scopes', () => {
  it('follows a job until completedAt: a finishCode that appears earlier does not end it', async () => {
    const fake = new FakeTableau();
    const at = (n: number) =>
      n < 3
        ? `<tsResponse><job id="j" type="PublishDatasource" progress="${n * 30}" createdAt="2026-01-15T00:00:00Z" finishCode="1"/></tsResponse>`
        : '<tsResponse><job id="j" type="PublishDatasource" progress="100" createdAt="2026-01-15T00:00:00Z" completedAt="2026-01-15T00:00:09Z" finishCode="0"/></tsResponse>';
    fake.on('GET jobs/*', (_r, n) => ({ status: 200, body: at(n) }));
    const { c } = client(fake);
    const job = await c.waitForJob('j');
    assert.equal(job.finishCode, 0);
    assert.equal(fake.sent('GET jobs/*').length, 3);
    // Finished with a code that is not a success: failed (1), cancelled (2), or none at all.
    for (const [code, expected] of [
      ['1', /failed: .*disk full/],
      ['2', /was cancelled/],
      ['', /no finish code/],
    ] as const) {
      fake.on('GET jobs/*', () => ({
        status: 200,
        body: `<tsResponse><job id="k" type="UpdateUploadedFile" progress="100" completedAt="2026-01-15T00:00:09Z"${code ? ` finishCode="${code}"` : ''}><updateUploadedFileJob><notes>disk full</notes></updateUploadedFileJob></job></tsResponse>`,
      }));
      await assert.rejects(c.waitForJob('k'), expected);
    }
  });

  it('a connected-app JWT asks only for the scopes the run needs, VDS or download by server version', async () => {
    const scopesOf = async (version: string, product: string, needs: TableauClientOptions['scopeNeeds']) => {
      const fake = new FakeTableau({ version });
      fake.on('GET serverInfo', () => ({ status: 200, body: serverInfoXml(version).replace('>10.1.0<', `>${product}<`) }));
      const { c } = client(fake, {
        auth: { kind: 'connected-app', clientId: 'cid', secretId: 'sid', secretValue: 'sv', username: 'u@example.com' },
        ...(needs ? { scopeNeeds: needs } : {}),
      });
      await c.signIn();
      const jwt = /jwt="([^"]+)"/.exec(fake.sent('POST auth/signin')[0]!.body.toString())![1]!;
      return (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { scp: string[] }).scp;
    };
    const base = ['tableau:content:read', 'tableau:datasources:create', 'tableau:datasources:update', 'tableau:file_uploads:create', 'tableau:jobs:read'];
    assert.deepEqual(await scopesOf('3.25', '2025.1.0', {}), base);
    assert.deepEqual(await scopesOf('3.25', '2025.1.0', { createProject: true, refresh: true, readBack: 'auto' }), [
      ...base,
      'tableau:projects:create',
      'tableau:tasks:run',
      'tableau:viz_data_service:read',
    ]);
    // The product version decides: a Tableau Server before 2025.1 has no VDS, so the tie-out downloads.
    assert.deepEqual(await scopesOf('3.25', '2024.2.0', { readBack: 'auto' }), [...base, 'tableau:datasources:download']);
  });
});
