import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RateLimitError, ValidationError } from '../../../../main/core/errors';
import { startServer, CSP, type RunningServer } from '../../../../main/core/server';
import type { ConnectorService } from '../../../../main/core/service/connector-service';
import type { ServiceEvent } from '../../../../shared/types';

/** A service stub recording calls; only the operations the tests use do anything. */
function stubService() {
  const calls: { op: string; req: unknown }[] = [];
  const listeners = new Set<(e: ServiceEvent) => void>();
  const handler = {
    get(_t: object, op: string) {
      if (op === 'onEvent') return (l: (e: ServiceEvent) => void) => (listeners.add(l), () => listeners.delete(l));
      if (op === 'getStatus') return async () => ({ state: 'idle', demo: true });
      if (op === 'saveSettings')
        return async () => {
          throw new ValidationError({ userMessage: 'Bad settings.', fields: { 'intacct.companyId': 'Required' } });
        };
      if (op === 'getHistory')
        return async () => {
          throw new Error("EACCES: open '/home/anna/.config/x?token=s3cr3t-token'");
        };
      if (op === 'estimateFullLoad')
        return async () => {
          throw new RateLimitError({ service: 'intacct', code: 'THROTTLED', userMessage: 'Intacct is busy; try again in a minute.' });
        };
      return async (req: unknown) => {
        calls.push({ op, req });
        return { echoed: op };
      };
    },
  };
  return { service: new Proxy({}, handler) as unknown as ConnectorService, calls, emit: (e: ServiceEvent) => listeners.forEach((l) => l(e)), listeners };
}

/** A raw HTTP request (so tests can set any Host header). */
function call(
  server: RunningServer,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: u.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('startServer', () => {
  const stub = stubService();
  let server: RunningServer;
  let staticDir: string;
  let auth: Record<string, string>;
  const unexpected: { reference: string; err: unknown }[] = [];
  before(async () => {
    staticDir = mkdtempSync(join(tmpdir(), 'mlc-static-'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>ml-connector</title>');
    writeFileSync(join(staticDir, 'app.js'), 'console.log(1)');
    writeFileSync(join(tmpdir(), 'mlc-outside.txt'), 'secret outside');
    server = await startServer(stub.service, { staticDir, onUnexpected: (reference, err) => unexpected.push({ reference, err }) });
    auth = { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', Host: new URL(server.url).host };
  });
  after(async () => {
    await server.close();
    rmSync(staticDir, { recursive: true, force: true });
    rmSync(join(tmpdir(), 'mlc-outside.txt'), { force: true });
  });

  it('listens on 127.0.0.1 with a random 64-hex-digit token', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.token, /^[0-9a-f]{64}$/);
  });

  it('runs an operation with the token and answers an envelope', async () => {
    const r = await call(server, { method: 'POST', path: '/api/listRuns', headers: auth, body: JSON.stringify({ limit: 5 }) });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { ok: true, result: { echoed: 'listRuns' } });
    assert.deepEqual(stub.calls.at(-1), { op: 'listRuns', req: { limit: 5 } });
  });

  it('rejects a missing or wrong token with 401', async () => {
    const { Authorization: _drop, ...noToken } = auth;
    void _drop;
    assert.equal((await call(server, { method: 'POST', path: '/api/getStatus', headers: noToken, body: 'null' })).status, 401);
    const wrong = await call(server, { method: 'POST', path: '/api/getStatus', headers: { ...auth, Authorization: 'Bearer 00' }, body: 'null' });
    assert.equal(wrong.status, 401);
    assert.equal(JSON.parse(wrong.body).ok, false);
    assert.equal((await call(server, { path: '/api/events?token=nope', headers: { Host: auth.Host! } })).status, 401);
  });

  it('rejects a non-loopback Host header (DNS rebinding) with 403', async () => {
    const r = await call(server, {
      method: 'POST',
      path: '/api/getStatus',
      headers: { ...auth, Host: `evil.example.com:${new URL(server.url).port}` },
      body: 'null',
    });
    assert.equal(r.status, 403);
    assert.equal((await call(server, { path: '/', headers: { Host: 'evil.example.com' } })).status, 403);
  });

  it('answers 404 for an unknown operation, 400 for bad JSON or an invalid payload, 415 without JSON content type', async () => {
    assert.equal((await call(server, { method: 'POST', path: '/api/dropTables', headers: auth, body: 'null' })).status, 404);
    assert.equal((await call(server, { method: 'POST', path: '/api/listRuns', headers: auth, body: '{oops' })).status, 400);
    const invalid = await call(server, { method: 'POST', path: '/api/getRun', headers: auth, body: JSON.stringify({ runId: 42 }) });
    assert.equal(invalid.status, 400);
    assert.match(JSON.parse(invalid.body).error.message, /runId/);
    assert.equal((await call(server, { method: 'POST', path: '/api/listRuns', headers: { ...auth, 'Content-Type': 'text/plain' }, body: 'null' })).status, 415);
  });

  it('passes field errors of a ValidationError through the envelope', async () => {
    const r = await call(server, { method: 'POST', path: '/api/saveSettings', headers: auth, body: JSON.stringify({ intacct: {} }) });
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.body), {
      ok: false,
      error: { message: 'Bad settings.', service: 'local', kind: 'config', retryable: false, fields: { 'intacct.companyId': 'Required' } },
    });
  });

  it('gives a typed error its code, kind and retryable flag (toEnvelope)', async () => {
    const r = await call(server, { method: 'POST', path: '/api/estimateFullLoad', headers: auth, body: 'null' });
    assert.equal(r.status, 500);
    assert.deepEqual(JSON.parse(r.body), {
      ok: false,
      error: { message: 'Intacct is busy; try again in a minute.', service: 'intacct', code: 'THROTTLED', kind: 'transient', retryable: true },
    });
  });

  it('answers an unexpected error with a generic message and a reference, never its own text, and reports it with the same reference', async () => {
    const r = await call(server, { method: 'POST', path: '/api/getHistory', headers: auth, body: 'null' });
    assert.equal(r.status, 500);
    const env = JSON.parse(r.body) as { ok: false; error: { message: string; code: string; reference: string } };
    assert.equal(env.error.code, 'INTERNAL');
    assert.match(env.error.reference, /^[0-9a-f]{8}$/);
    assert.ok(env.error.message.includes(env.error.reference));
    assert.doesNotMatch(r.body, /s3cr3t|EACCES|anna/);
    assert.equal(unexpected.at(-1)?.reference, env.error.reference);
    assert.match(String(unexpected.at(-1)?.err), /s3cr3t/, 'the detail goes to the log, not the page');
  });

  it('serves the renderer with a strict CSP, falls back to index.html, and never leaves staticDir', async () => {
    const host = { Host: auth.Host! };
    const index = await call(server, { path: '/', headers: host });
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-security-policy'], CSP);
    assert.match(
      String(index.headers['content-security-policy']),
      /default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'/,
    );
    assert.match((await call(server, { path: '/app.js', headers: host })).headers['content-type'] as string, /javascript/);
    assert.match((await call(server, { path: '/runs/123', headers: host })).body, /<title>ml-connector/);
    const escape = await call(server, { path: '/..%2fmlc-outside.txt', headers: host });
    assert.ok(!escape.body.includes('secret outside'));
    assert.equal((await call(server, { path: '/missing.js', headers: host })).status, 404);
  });

  it('streams service events over SSE, starting with the status', async () => {
    const u = new URL(server.url);
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: u.port, path: `/api/events?token=${server.token}`, headers: { Host: u.host } }, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          for (const line of chunk.split('\n')) if (line.startsWith('data: ')) received.push(line.slice(6));
          if (received.length === 1) stub.emit({ type: 'log', entry: { id: 1, at: 0, level: 'info', message: 'hello\nworld' } });
          if (received.length === 2) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (e) => (received.length >= 2 ? resolve() : reject(e)));
      req.end();
    });
    assert.equal(JSON.parse(received[0]!).type, 'status');
    assert.deepEqual(JSON.parse(received[1]!), { type: 'log', entry: { id: 1, at: 0, level: 'info', message: 'hello\nworld' } });
    // The server learns of the closed socket asynchronously: wait for it (a busy machine takes longer than 20 ms).
    for (const deadline = Date.now() + 5000; stub.listeners.size > 0 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    assert.equal(stub.listeners.size, 0, 'the listener is removed when the client goes away');
  });
});
