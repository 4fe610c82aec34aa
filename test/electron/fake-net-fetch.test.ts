/**
 * The fake net.fetch holds to Electron's rules (see helpers/fake-net-fetch.ts), against a real
 * loopback server: otherwise the bundle test could pass against a fake that lets anything through.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeNetFetch, RESTRICTED_HEADERS } from './helpers/fake-net-fetch';

describe('fake net.fetch (Electron rules)', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
        if (req.url === '/moved') return void res.writeHead(302, { Location: '/final' }).end();
        if (req.url === '/see-other') return void res.writeHead(303, { Location: '/final' }).end();
        if (req.url === '/loop') return void res.writeHead(307, { Location: '/loop' }).end();
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`ok ${req.method} ${req.url}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const ready = () => {
    const f = createFakeNetFetch();
    f.markReady();
    return f;
  };

  it('refuses use before the app is ready', async () => {
    await assert.rejects(createFakeNetFetch().fetch(`${base}/x`), /after the app is ready/);
  });

  it('refuses every restricted header with net::ERR_INVALID_ARGUMENT, and Connection: upgrade', async () => {
    for (const h of [...RESTRICTED_HEADERS, 'Content-Length', 'HOST']) {
      const f = ready();
      const value = /content-length/i.test(h) ? '3' : 'x';
      await assert.rejects(f.fetch(`${base}/h`, { method: 'POST', headers: { [h]: value }, body: 'abc' }), /^Error: net::ERR_INVALID_ARGUMENT$/);
      assert.equal(f.sent.length, 0, `${h} was not sent`);
    }
    await assert.rejects(ready().fetch(`${base}/h`, { headers: { Connection: 'Upgrade' } }), /ERR_INVALID_ARGUMENT/);
  });

  it('sends a Buffer body with the length the stack computed, and buffers a streamed one (duplex required)', async () => {
    const f = ready();
    seen.length = 0;
    await f.fetch(`${base}/buf`, { method: 'PUT', body: Buffer.from('hello') });
    assert.equal(seen[0]!.headers['content-length'], '5');
    assert.equal(seen[0]!.headers['transfer-encoding'], undefined);
    const stream = () => new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode('streamed')), c.close()) });
    await assert.rejects(f.fetch(`${base}/s`, { method: 'PUT', body: stream() }), TypeError);
    await f.fetch(`${base}/s`, { method: 'PUT', body: stream(), duplex: 'half' } as RequestInit);
    assert.equal(seen[1]!.body, 'streamed');
    assert.equal(seen[1]!.headers['content-length'], '8', 'a streamed body goes out whole, with its length');
    assert.equal(f.sent[1]!.streamed, true);
  });

  it('redirects by mode: follow (POST becomes GET on 302/303), error, manual, and at most 20 hops', async () => {
    const follow = await ready().fetch(`${base}/moved`, { method: 'POST', body: 'x' });
    assert.equal(await follow.text(), 'ok GET /final');
    assert.equal(await (await ready().fetch(`${base}/see-other`, { method: 'PUT', body: 'x' })).text(), 'ok GET /final');
    await assert.rejects(ready().fetch(`${base}/moved`, { redirect: 'error' }), /redirect policy was 'error'/);
    await assert.rejects(ready().fetch(`${base}/moved`, { redirect: 'manual' }), /Redirect was cancelled/);
    await assert.rejects(ready().fetch(`${base}/loop`), /ERR_TOO_MANY_REDIRECTS/);
  });

  it('rejects with the abort reason, and sends nowhere but loopback', async () => {
    const c = new AbortController();
    c.abort(new Error('stop'));
    await assert.rejects(ready().fetch(`${base}/x`, { signal: c.signal }), /stop/);
    await assert.rejects(ready().fetch('http://192.0.2.1/x'), /loopback only/);
  });
});
