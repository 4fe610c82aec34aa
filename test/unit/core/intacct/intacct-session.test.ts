import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { AuthError, ConnectorError, SessionExpiredError } from '../../../../main/core/errors';
import type { RequestEvent } from '../../../../main/core/http/request-events';
import { createIntacctClient } from '../../../../main/core/intacct/intacct-client';
import { expiryFrom } from '../../../../main/core/intacct/intacct-session';
import type { IntacctClientOptions } from '../../../../main/core/intacct/intacct-types';
import { CREDS, createFakeGateway, type FakeGatewayOptions } from './fake-gateway';

const GL = [{ RECORDNO: '1', ACCOUNTNO: '1000', WHENMODIFIED: '01/01/2026 00:00:00' }];
const MIN = 60_000;

function setup(gw: Partial<FakeGatewayOptions> = {}, client: Partial<IntacctClientOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12), true);
  const fake = createFakeGateway({ clock, data: { GLACCOUNT: GL }, ...gw });
  const events: RequestEvent[] = [];
  const c = createIntacctClient({
    credentials: CREDS,
    fetch: fake.fetch,
    clock,
    random: () => 0.5,
    timeZone: 'UTC',
    onEvent: (e) => events.push(e),
    ...client,
  });
  const logins = () => fake.requests.filter((r) => r.fn === 'getAPISession').length;
  return { clock, fake, events, client: c, logins };
}

const readOne = (client: ReturnType<typeof createIntacctClient>) => client.count({ object: 'GLACCOUNT', columns: [] });

describe('Intacct session', () => {
  it('signs in with getAPISession alone, then uses the returned sessionid and endpoint', async () => {
    const { fake, client } = setup();
    assert.equal(await readOne(client), 1);
    const [login, query] = fake.requests;
    assert.equal(login?.fn, 'getAPISession');
    assert.equal(login?.url, 'https://api.intacct.com/ia/xml/xmlgw.phtml');
    assert.equal(login?.xml.match(/<function /g)?.length, 1);
    assert.deepEqual(login?.login, { userid: CREDS.userId, companyid: CREDS.companyId, password: CREDS.userPassword });
    assert.equal(query?.url, 'https://na12.intacct.com/ia/xml/xmlgw.phtml');
    assert.equal(query?.sessionId, 'sess-1');
    assert.equal(query?.login, undefined);
    const s = await client.getSession();
    assert.equal(s.sessionId, 'sess-1');
    assert.equal(s.endpoint, 'https://na12.intacct.com/ia/xml/xmlgw.phtml');
  });

  it('signs in to an entity with locationid and then reads without showprivate', async () => {
    const { fake, client } = setup({}, { credentials: { ...CREDS, entityId: 'East & West' } });
    await readOne(client);
    assert.equal(fake.requests[0]?.login?.locationid, 'East & West');
    const query = (f: typeof fake) => f.requests.find((r) => r.fn === 'query');
    assert.equal(query(fake)?.xml.includes('showprivate'), false);
    const top = setup();
    await readOne(top.client);
    assert.equal(query(top.fake)?.xml.includes('<showprivate>true</showprivate>'), true);
  });

  it('refuses a session endpoint outside intacct.com unless the caller allows the host', async () => {
    const evil = setup({ sessionEndpoint: 'https://intacct.com.evil.example/ia/xml/xmlgw.phtml' });
    await assert.rejects(readOne(evil.client), (e: unknown) => e instanceof ConnectorError && e.code === 'ENDPOINT_REJECTED' && !e.retryable);
    const plainHttp = setup({ sessionEndpoint: 'http://na12.intacct.com/ia/xml/xmlgw.phtml' });
    await assert.rejects(readOne(plainHttp.client), (e: unknown) => e instanceof ConnectorError && e.code === 'ENDPOINT_REJECTED');
    const local = setup(
      { sessionEndpoint: 'http://127.0.0.1:9999/ia/xml/xmlgw.phtml' },
      { endpoint: 'http://127.0.0.1:9999/ia/xml/xmlgw.phtml', allowedEndpointHosts: (h) => h === '127.0.0.1' },
    );
    assert.equal(await readOne(local.client), 1);
  });

  it('keeps a session alive while responses slide its expiry, and renews it 50 minutes after sign-in', async () => {
    const { clock, client, logins } = setup({ sessionTtlMs: 10 * MIN });
    await readOne(client);
    for (let i = 1; i <= 9; i++) {
      clock.advance(5 * MIN); // up to 45 min: every call slides the 10-minute expiry forward
      await readOne(client);
    }
    assert.equal(logins(), 1);
    clock.advance(5 * MIN); // 50 min after sign-in
    await readOne(client);
    assert.equal(logins(), 2);
  });

  it('renews before an idle session runs out', async () => {
    const { clock, client, logins, fake } = setup({ sessionTtlMs: 10 * MIN });
    await readOne(client);
    clock.advance(9 * MIN + 30_000); // within the refresh margin before expiry
    await readOne(client);
    assert.equal(logins(), 2);
    // No call was ever rejected for an expired session: the query after the idle spell used the new one.
    const queries = fake.requests.filter((r) => r.fn === 'query');
    assert.deepEqual(
      queries.map((r) => r.sessionId),
      ['sess-1', 'sess-2'],
    );
  });

  it('keeps using a still-valid session when an early refresh fails for a transient reason', async () => {
    let failLogins = false;
    const { clock, client, logins } = setup(
      { script: (req) => (failLogins && req.fn === 'getAPISession' ? { status: 503, body: '' } : undefined) },
      { retry: { maxAttempts: 2 } },
    );
    await readOne(client);
    failLogins = true;
    clock.advance(51 * MIN); // refresh due (50-minute cap), session itself valid for 2 h
    assert.equal(await readOne(client), 1);
    assert.equal(logins(), 3); // the first sign-in, then two failed attempts at refreshing
    failLogins = false;
    assert.equal(await readOne(client), 1);
    assert.equal(logins(), 4); // refreshed as soon as Intacct answered again
  });

  it('shares one sign-in among concurrent callers', async () => {
    let releaseLogin!: () => void;
    const gate = new Promise<void>((r) => (releaseLogin = r));
    const { client, logins } = setup({ delay: (req) => (req.fn === 'getAPISession' ? gate : undefined) });
    const reads = Array.from({ length: 5 }, () => readOne(client));
    await new Promise((r) => setImmediate(r));
    releaseLogin();
    assert.deepEqual(await Promise.all(reads), [1, 1, 1, 1, 1]);
    assert.equal(logins(), 1);
  });

  it('on "Invalid session" signs in again once and resends at once, without backoff', async () => {
    const { clock, fake, client, logins, events } = setup();
    await readOne(client);
    fake.expireAll();
    const sleepsBefore = clock.sleeps.length;
    assert.equal(await readOne(client), 1);
    assert.equal(logins(), 2);
    assert.equal(clock.sleeps.length, sleepsBefore);
    const outcomes = events.map((e) => `${e.operation}:${e.outcome}`);
    assert.deepEqual(outcomes.slice(-3), ['query GLACCOUNT:IntacctSessionExpiredError', 'getAPISession:ok', 'query GLACCOUNT:ok']);
  });

  it('goes back to the retry helper when the new session is rejected too', async () => {
    let rejections = 0;
    const { fake, client, logins, clock } = setup({
      script: (req) => {
        if (req.fn === 'query' && rejections < 2) {
          rejections++;
          fake.expireAll();
        }
        return undefined;
      },
    });
    assert.equal(await readOne(client), 1);
    assert.equal(logins(), 3);
    assert.equal(clock.sleeps.length, 1); // one backoff between the two attempts
  });

  it('never retries bad user credentials (lock-out risk) and never leaks them', async () => {
    const { fake, client, events } = setup({ credentials: { ...CREDS, userPassword: 'the-right-one' } });
    let caught: unknown;
    await readOne(client).catch((e: unknown) => (caught = e));
    assert.ok(caught instanceof AuthError);
    assert.equal((caught as AuthError).code, 'LOGIN_INVALID');
    assert.equal(fake.requests.length, 1);
    const visible = JSON.stringify([events, caught, (caught as Error).message, (caught as AuthError).toJSON()]);
    for (const secret of [CREDS.userPassword, CREDS.senderPassword]) assert.equal(visible.includes(secret), false);
    // A second read signs in again only because the caller asked for it.
    await readOne(client).catch(() => {});
    assert.equal(fake.requests.length, 2);
  });

  it('retries a failing sign-in within its own budget, not once per retry of the call', async () => {
    const { fake, client } = setup({ script: (req) => (req.fn === 'getAPISession' ? { status: 503, body: '' } : undefined) }, { retry: { maxAttempts: 3 } });
    await assert.rejects(readOne(client), (e: unknown) => e instanceof ConnectorError && e.code === 'HTTP_503');
    assert.equal(fake.requests.length, 3);
  });

  it('signs in once with bad credentials even when the user zone is still to be read', async () => {
    const { fake, client } = setup({ credentials: { ...CREDS, userPassword: 'the-right-one' } }, { timeZone: undefined });
    await assert.rejects(client.readChanged({ object: 'GLACCOUNT', columns: [] }).next(), (e: unknown) => e instanceof AuthError);
    assert.equal(fake.requests.length, 1);
  });

  it('never retries a wrong sender', async () => {
    const { fake, client } = setup({ credentials: { ...CREDS, senderPassword: 'other' } });
    await assert.rejects(readOne(client), (e: unknown) => e instanceof AuthError && e.code === 'SENDER_INVALID' && /Web Services sender/.test(e.userMessage));
    assert.equal(fake.requests.length, 1);
  });
});

describe('expiryFrom', () => {
  it('takes the earlier of the absolute timeout and now + (timeout − timestamp)', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    // Server clock 1 h ahead of ours: the absolute timeout would be 1 h too late; the relative one wins.
    assert.equal(
      expiryFrom(now, { status: 'success', sessionTimestamp: '2026-01-01T13:00:00+00:00', sessionTimeout: '2026-01-01T15:00:00+00:00' }),
      now + 2 * 3600_000,
    );
    // Server 1 h behind: the absolute timeout is the earlier one (we refresh early, never late).
    assert.equal(
      expiryFrom(now, { status: 'success', sessionTimestamp: '2026-01-01T11:00:00+00:00', sessionTimeout: '2026-01-01T13:00:00+00:00' }),
      now + 3600_000,
    );
    assert.equal(expiryFrom(now, { status: 'success', sessionTimeout: '2026-01-01T13:00:00+01:00' }), now);
    assert.equal(expiryFrom(now, { status: 'success' }), null);
  });

  it('is a SessionExpiredError that callers can branch on', () => {
    assert.ok(new SessionExpiredError({ service: 'intacct', userMessage: 'x' }).retryable);
  });
});

describe('client lifecycle', () => {
  it('close() cancels what is in flight and refuses new calls', async () => {
    const { client } = setup({ delay: (req) => (req.fn === 'query' ? new Promise<void>(() => {}) : undefined) });
    const pending = readOne(client).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 5));
    client.close();
    assert.equal(((await pending) as ConnectorError).code, 'CLIENT_CLOSED');
    await assert.rejects(readOne(client), (e: unknown) => e instanceof ConnectorError && e.code === 'CLIENT_CLOSED');
  });

  it('gives the whole sign-in one time budget: a gateway that never answers fails fast and plainly, not after every retry', async () => {
    const hang: IntacctClientOptions['fetch'] = (_url, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason), { once: true }));
    const client = createIntacctClient({
      credentials: CREDS,
      fetch: hang,
      clock: new ManualClock(Date.UTC(2026, 0, 15, 12), true),
      timeZone: 'UTC',
      timeoutMs: 60_000,
      signInBudgetMs: 300,
      retry: { maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const started = Date.now();
    await assert.rejects(
      readOne(client),
      (e: unknown) =>
        e instanceof ConnectorError && e.code === 'SIGN_IN_TIMEOUT' && !e.retryable && /did not complete the sign-in within \d+ s/.test(e.userMessage),
    );
    assert.ok(Date.now() - started < 10_000, `gave up after ${Date.now() - started} ms`);
  });
});
