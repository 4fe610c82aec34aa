import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { ConnectorError, NetworkError, ValidationError } from '../../../../main/core/errors';
import type { RequestEvent } from '../../../../main/core/http/request-events';
import { createIntacctClient } from '../../../../main/core/intacct/intacct-client';
import type { IntacctClientOptions } from '../../../../main/core/intacct/intacct-types';
import { authOk, CREDS, createFakeGateway, okResponse, resultFailure, type FakeGatewayOptions, type FakeReply, type FakeRequest } from './fake-gateway';

const GL = [{ RECORDNO: '1', ACCOUNTNO: '1000', WHENMODIFIED: '01/01/2026 00:00:00' }];

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
  return { clock, fake, events, client: c };
}
const readOne = (client: ReturnType<typeof createIntacctClient>) => client.count({ object: 'GLACCOUNT', columns: [] });
/** The query attempts (a read also asks once for the API user's preferences). */
const queries = (fake: ReturnType<typeof createFakeGateway>) => fake.calls().filter((r) => r.fn === 'query');

/** A reply for the first query only, then normal answers. */
function onceOnQuery(reply: (req: FakeRequest) => FakeReply) {
  let done = false;
  return (req: FakeRequest) => {
    if (req.fn !== 'query' || done) return undefined;
    done = true;
    return reply(req);
  };
}
const resultError =
  (errorno: string, description2: string, correction = '') =>
  (req: FakeRequest): FakeReply => ({
    body: okResponse(authOk(Date.UTC(2026, 0, 15, 12), 3600_000), resultFailure('query', req.functionControlId, [{ errorno, description2, correction }])),
  });

const transient: [string, (req: FakeRequest) => FakeReply][] = [
  ['HTTP 500', () => ({ status: 500, body: 'oops' })],
  ['HTTP 502 HTML', () => ({ status: 502, body: '<html><body>Bad gateway</body></html>' })],
  ['HTTP 429', () => ({ status: 429, body: '', headers: { 'retry-after': '3' } })],
  ['Cloudflare page', () => ({ status: 520, body: '<!DOCTYPE html><html><span class="cf-error-details">x</span></html>' })],
  ['connection reset', () => ({ reset: true })],
  ['empty body', () => ({ body: '' })],
  ['truncated XML', () => ({ body: '<?xml version="1.0"?><response><control><status>success</status></control><operation><authen' })],
  ['too many operations', resultError('BL01001973', 'There are too many operations running for this company (200024)')],
  ['Temporarily Off-line', resultError('XL03000012', 'The Service is Temporarily Off-line')],
  ['Please Try Again Later', resultError('BL01001973', 'Could not complete', 'Please Try Again Later')],
  ['API rate limit exceeded', resultError('', 'API rate limit exceeded')],
  ['DL02000001', resultError('DL02000001', 'There was an error processing the request.')],
];

describe('Intacct transport: retries', () => {
  for (const [name, reply] of transient) {
    it(`retries after ${name} and reports the retry in the request events`, async () => {
      const { client, events, clock } = setup({ script: onceOnQuery(reply) });
      assert.equal(await readOne(client), 1);
      const queries = events.filter((e) => e.operation === 'query GLACCOUNT');
      assert.equal(queries.length, 2);
      assert.notEqual(queries[0]!.outcome, 'ok');
      assert.equal(queries[0]!.attempt, 1);
      assert.ok(queries[0]!.retryInMs! > 0);
      assert.equal(queries[1]!.outcome, 'ok');
      assert.equal(queries[1]!.attempt, 2);
      assert.equal(clock.sleeps.length, 1);
      if (name === 'HTTP 429') assert.ok(clock.sleeps[0]! >= 3000);
      if (name === 'too many operations') assert.ok(clock.sleeps[0]! >= 30_000);
    });
  }

  it('gives up after maxAttempts with the last typed error', async () => {
    const { client, fake } = setup({ script: (req) => (req.fn === 'query' ? { status: 503, body: '' } : undefined) }, { retry: { maxAttempts: 3 } });
    await assert.rejects(readOne(client), (e: unknown) => e instanceof NetworkError && e.code === 'HTTP_503');
    assert.equal(queries(fake).length, 3);
  });

  for (const [name, reply, code] of [
    ['HTTP 524', () => ({ status: 524, body: '<html>524</html>' }), 'HTTP_524'],
    ['a permission error', resultError('PL04000005', 'You do not have permission for API operation READ_BY_QUERY'), 'PERMISSION_DENIED'],
    ['an unknown object', resultError('Query Failed', 'Object definition GLACCOUNT not found'), 'OBJECT_NOT_FOUND'],
  ] as const) {
    it(`does not retry ${name}`, async () => {
      const { client, fake } = setup({ script: onceOnQuery(reply) });
      await assert.rejects(readOne(client), (e: unknown) => e instanceof ConnectorError && e.code === code && !e.retryable);
      assert.equal(queries(fake).length, 1);
    });
  }

  it('times out a hung request and retries it', async () => {
    let hung = false;
    const { client } = setup(
      {
        delay: (req) => {
          if (req.fn === 'query' && !hung) {
            hung = true;
            return new Promise<void>(() => {}); // never answers; the client's timeout aborts the fetch
          }
        },
      },
      { timeoutMs: 30 },
    );
    assert.equal(await readOne(client), 1);
  });

  it('cancels a read when the caller aborts', async () => {
    const ac = new AbortController();
    const { client } = setup({ delay: (req) => (req.fn === 'query' ? new Promise<void>((r) => setTimeout(r, 20)) : undefined) });
    const p = readOne(client).catch((e: unknown) => e);
    ac.abort();
    const p2 = client.count({ object: 'GLACCOUNT', columns: [] }, ac.signal).catch((e: unknown) => e);
    assert.equal(((await p2) as Error).name, 'AbortError');
    assert.equal(await p, 1);
  });
});

describe('Intacct transport: limits, counting and events', () => {
  async function maxParallel(concurrency: number | undefined) {
    let active = 0;
    let peak = 0;
    const { client } = setup(
      {
        delay: async (req) => {
          if (req.fn !== 'query') return;
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        },
      },
      concurrency === undefined ? {} : { concurrency },
    );
    await Promise.all(Array.from({ length: 6 }, () => readOne(client)));
    return peak;
  }

  it('keeps one request in flight per company by default, two when configured', async () => {
    assert.equal(await maxParallel(undefined), 1);
    assert.equal(await maxParallel(2), 2);
  });

  it('never follows a redirect, so the credentials in the body cannot be resent elsewhere', async () => {
    const seen: (string | undefined)[] = [];
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 12), true);
    const client = createIntacctClient({
      credentials: CREDS,
      clock,
      fetch: async (_url, init) => {
        seen.push(init?.redirect);
        return new Response('', { status: 307, headers: { location: 'https://elsewhere.example/ia/xml/xmlgw.phtml' } });
      },
    });
    await assert.rejects(
      readOne(client),
      (e: unknown) => e instanceof ConnectorError && e.code === 'REDIRECT' && !e.retryable && /elsewhere\.example/.test(e.userMessage),
    );
    assert.deepEqual(seen, ['manual']);
  });

  it('refuses a concurrency above 2', () => {
    const clock = new ManualClock();
    assert.throws(() => createIntacctClient({ credentials: CREDS, fetch: async () => new Response(''), clock, concurrency: 3 }), ValidationError);
  });

  it('counts every answered request as one API transaction', async () => {
    const { client } = setup({ script: onceOnQuery(() => ({ status: 500, body: '' })) });
    assert.equal(client.transactions, 0);
    await readOne(client);
    // getAPISession + readUserFormatting + the failed query (answered, so counted) + the retried query.
    assert.equal(client.transactions, 4);
    const reset = setup({ script: onceOnQuery(() => ({ reset: true })) });
    await readOne(reset.client);
    assert.equal(reset.client.transactions, 3);
  });

  it('counts a request cut off by a cancel once it was sent: Intacct may have processed it', async () => {
    // The emulator's log showed a run cancelled during getAPISession: Intacct answered it, the run
    // recorded 0 transactions, and the month's count fell one short of Intacct's.
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 12), true);
    const controller = new AbortController();
    let sent = 0;
    const hanging: typeof fetch = (_url, init) => {
      sent++;
      setTimeout(() => controller.abort(new Error('cancelled')), 5);
      return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)));
    };
    const c = createIntacctClient({ credentials: CREDS, fetch: hanging, clock, random: () => 0.5, timeZone: 'UTC' });
    await assert.rejects(c.getSession(controller.signal));
    assert.equal(sent, 1);
    // Counted while it is still in flight (the shared sign-in outlives the cancelled caller), and
    // still once the client closes and cuts it off.
    assert.equal(c.transactions, 1, 'the request on the wire counts');
    c.close();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(c.transactions, 1);
    // A connection that failed (reset, refused) is not counted: the reset case of the test above.
  });

  it('emits one event per attempt with operation, path and no secrets', async () => {
    const { client, events } = setup();
    await readOne(client);
    assert.deepEqual(
      events.map((e) => [e.service, e.operation, e.method, e.path, e.status, e.outcome]),
      [
        ['intacct', 'getAPISession', 'POST', '/ia/xml/xmlgw.phtml', 200, 'ok'],
        ['intacct', 'readUserFormatting', 'POST', '/ia/xml/xmlgw.phtml', 200, 'ok'],
        ['intacct', 'query GLACCOUNT', 'POST', '/ia/xml/xmlgw.phtml', 200, 'ok'],
      ],
    );
    const text = JSON.stringify(events);
    for (const s of [CREDS.senderPassword, CREDS.userPassword, 'sess-1']) assert.equal(text.includes(s), false);
  });
});
