/**
 * Every response body is bounded (issue #12, Medium 5): an endless or oversized answer fails with a
 * clear, non-retryable error after at most the bound, instead of filling memory.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeFetch, sendRequest, DEFAULT_MAX_RESPONSE_BYTES } from '../../../../main/core/http/transport';
import { ConnectorError } from '../../../../main/core/errors';

describe('sendRequest bounds the response body', () => {
  let server: Server;
  let base: string;
  /** Bytes the endless route managed to send before the client hung up. */
  let endlessSent = 0;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/endless') {
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) endlessSent += chunk.length;
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('close', () => undefined);
        return pump();
      }
      if (req.url === '/declared') {
        res.writeHead(200, { 'Content-Length': String(5 * 1024 * 1024) });
        return res.end(Buffer.alloc(5 * 1024 * 1024, 0x62));
      }
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n'));
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('\ufeff' + 'z'.repeat(n - 3));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const fetchFn = createNodeFetch();
  const limit = 1024 * 1024;

  it('cuts off an endless body at the bound with a clear error that is not retried', async () => {
    await assert.rejects(
      sendRequest(fetchFn, { service: 'intacct', method: 'POST', url: `${base}/endless`, timeoutMs: 15_000, maxResponseBytes: limit }),
      (e: unknown) => {
        assert.ok(e instanceof ConnectorError, String(e));
        assert.equal(e.code, 'RESPONSE_TOO_LARGE');
        assert.equal(e.retryable, false);
        assert.match(e.userMessage, /Sage Intacct \(127\.0\.0\.1:\d+\) sent an answer larger than 1 MB/);
        return true;
      },
    );
    // Socket buffers aside, the client stopped reading right after the bound.
    assert.ok(endlessSent < 64 * limit, `the server got to send ${endlessSent} bytes`);
  });

  it('refuses a declared Content-Length above the bound before reading it, in text mode too', async () => {
    await assert.rejects(
      sendRequest(fetchFn, { service: 'tableau', method: 'GET', url: `${base}/declared`, timeoutMs: 15_000, maxResponseBytes: limit, responseType: 'text' }),
      (e: unknown) => e instanceof ConnectorError && e.code === 'RESPONSE_TOO_LARGE' && /Tableau .* of 5 MB/.test(e.userMessage),
    );
  });

  it('reads a body up to the bound once, as text without its BOM or as bytes', async () => {
    const text = await sendRequest(fetchFn, {
      service: 'intacct',
      method: 'GET',
      url: `${base}/ok?n=${limit}`,
      timeoutMs: 15_000,
      maxResponseBytes: limit,
      responseType: 'text',
    });
    assert.equal(text.body.length, limit - 3);
    assert.equal(text.body[0], 'z');
    const bytes = await sendRequest(fetchFn, { service: 'intacct', method: 'GET', url: `${base}/ok?n=1000`, timeoutMs: 15_000 });
    assert.equal(bytes.body.length, 1000);
    await assert.rejects(
      sendRequest(fetchFn, { service: 'intacct', method: 'GET', url: `${base}/ok?n=${limit + 1}`, timeoutMs: 15_000, maxResponseBytes: limit }),
      (e: unknown) => e instanceof ConnectorError && e.code === 'RESPONSE_TOO_LARGE',
    );
  });

  it('has a default bound far above the largest legitimate page', () => {
    assert.ok(DEFAULT_MAX_RESPONSE_BYTES >= 32 * 1024 * 1024);
  });
});
