import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { ConnectorError, NetworkError } from '../../../../main/core/errors';
import { createNodeFetch, sendRequest } from '../../../../main/core/http/transport';

const listen = (server: Server) => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));

describe('createNodeFetch and sendRequest', () => {
  let target: Server;
  let proxy: Server;
  let targetPort: number;
  let proxyPort: number;
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();

  before(async () => {
    target = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
      if (req.url === '/latin1') return void res.end(Buffer.from('<NAME>Caf\xe9 M\xfcnchen</NAME>', 'latin1'));
      if (req.url === '/utf8') return void res.end(Buffer.from('<NAME>Café München 中文 😀</NAME>', 'utf8'));
      res.end(`hello ${req.method}`);
    });
    target.on('connection', (s) => sockets.add(s));
    targetPort = await listen(target);
    // A minimal forward proxy: it records each CONNECT and tunnels it.
    proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client: Socket) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = netConnect(Number(port), host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      sockets.add(client).add(upstream);
    });
    proxyPort = await listen(proxy);
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => target.close(r));
    await new Promise((r) => proxy.close(r));
  });

  it('goes through the configured proxy', async () => {
    const f = createNodeFetch({ env: { HTTP_PROXY: `http://127.0.0.1:${proxyPort}` } });
    const r = await sendRequest(f, { service: 'intacct', method: 'POST', url: `http://127.0.0.1:${targetPort}/x`, body: '<a/>', timeoutMs: 5_000 });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'hello POST');
    assert.deepEqual(tunnels, [`127.0.0.1:${targetPort}`]);
  });

  it('returns the body as text when asked, decoded as UTF-8', async () => {
    const r = await sendRequest(createNodeFetch(), {
      service: 'intacct',
      method: 'PUT',
      url: `http://127.0.0.1:${targetPort}/t`,
      timeoutMs: 5_000,
      responseType: 'text',
    });
    assert.equal(typeof r.body, 'string');
    assert.equal(r.body, 'hello PUT');
  });

  it('refuses a text answer that is not valid UTF-8, naming the first bad byte, instead of loading replacement characters', async () => {
    const fetchFn = createNodeFetch({});
    const ok = await sendRequest(fetchFn, {
      service: 'intacct',
      method: 'GET',
      url: `http://127.0.0.1:${targetPort}/utf8`,
      timeoutMs: 5_000,
      responseType: 'text',
    });
    assert.equal(ok.body, '<NAME>Café München 中文 😀</NAME>');
    await assert.rejects(
      sendRequest(fetchFn, { service: 'intacct', method: 'GET', url: `http://127.0.0.1:${targetPort}/latin1`, timeoutMs: 5_000, responseType: 'text' }),
      (e: unknown) =>
        e instanceof ConnectorError && e.code === 'INVALID_UTF8' && !e.retryable && /not valid UTF-8 text \(first bad byte at 9\)/.test(e.userMessage),
    );
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    tunnels.length = 0;
    const f = createNodeFetch({ env: { HTTP_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: '127.0.0.1' } });
    const r = await sendRequest(f, { service: 'tableau', method: 'GET', url: `http://127.0.0.1:${targetPort}/y`, timeoutMs: 5_000 });
    assert.equal(r.body.toString(), 'hello GET');
    assert.deepEqual(tunnels, []);
  });

  it('turns a whole-request timeout into a retryable NetworkError', async () => {
    const f = createNodeFetch();
    await assert.rejects(sendRequest(f, { service: 'intacct', method: 'GET', url: `http://127.0.0.1:${targetPort}/slow`, timeoutMs: 200 }), (err: unknown) => {
      assert.ok(err instanceof NetworkError);
      assert.equal(err.code, 'TIMEOUT');
      assert.equal(err.retryable, true);
      assert.match(err.userMessage, /did not answer within/);
      return true;
    });
  });

  it('turns a refused connection into a retryable NetworkError naming the host', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    await assert.rejects(
      sendRequest(createNodeFetch(), { service: 'tableau', method: 'GET', url: `http://127.0.0.1:${port}/`, timeoutMs: 5_000 }),
      (err: unknown) => {
        assert.ok(err instanceof NetworkError);
        assert.equal(err.code, 'ECONNREFUSED');
        assert.match(err.userMessage, new RegExp(`127\\.0\\.0\\.1:${port}`));
        return true;
      },
    );
  });

  it("rethrows the caller's cancellation as it is", async () => {
    const ac = new AbortController();
    const p = sendRequest(createNodeFetch(), {
      service: 'intacct',
      method: 'GET',
      url: `http://127.0.0.1:${targetPort}/slow`,
      timeoutMs: 5_000,
      signal: ac.signal,
    });
    ac.abort(new Error('user cancelled'));
    await assert.rejects(p, /user cancelled/);
  });
});
