/**
 * Served-mode limits (issue #12, Low): a capped number of event streams, slow readers dropped, and
 * a malformed schedule preview answered 400 with the field, not 500.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../../../main/core/server';
import { createConnectorService, type ConnectorService } from '../../../../main/core/service/connector-service';
import { memorySecretStore, memorySettingsStore } from '../../../../main/core/service/stores';
import { ManualClock } from '../../../../main/core/clock';
import { openStore } from '../../../../main/core/store';
import type { ServiceEvent } from '../../../../shared/types';

/** A service stub that only serves events and status. */
function eventStub() {
  const listeners = new Set<(e: ServiceEvent) => void>();
  const service = new Proxy(
    {},
    {
      get(_t, op: string) {
        if (op === 'onEvent') return (l: (e: ServiceEvent) => void) => (listeners.add(l), () => listeners.delete(l));
        return async () => ({ state: 'idle' });
      },
    },
  ) as unknown as ConnectorService;
  return { service, listeners, emit: (e: ServiceEvent) => listeners.forEach((l) => l(e)) };
}

/** Opens the event stream on a raw socket; resolves with the socket and the status line. */
function openStream(server: RunningServer, opts: { read?: boolean } = {}): Promise<{ socket: Socket; status: number; closed: Promise<void> }> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), '127.0.0.1');
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (m && head.includes('\r\n\r\n')) {
        socket.off('data', onData);
        if (opts.read === false) socket.pause();
        else socket.on('data', () => undefined);
        resolve({ socket, status: Number(m[1]), closed });
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write(`GET /api/events?token=${server.token} HTTP/1.1\r\nHost: ${u.host}\r\nAccept: text/event-stream\r\n\r\n`);
  });
}

describe('served API limits', () => {
  const sockets: Socket[] = [];
  after(() => sockets.forEach((s) => s.destroy()));

  it('caps the number of event streams and answers one more with 503', async () => {
    const stub = eventStub();
    const server = await startServer(stub.service, { maxEventStreams: 3 });
    try {
      for (let i = 0; i < 3; i++) {
        const s = await openStream(server);
        sockets.push(s.socket);
        assert.equal(s.status, 200);
      }
      const extra = await openStream(server);
      sockets.push(extra.socket);
      assert.equal(extra.status, 503);
      // Closing one frees its place.
      sockets[0]!.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const again = await openStream(server);
      sockets.push(again.socket);
      assert.equal(again.status, 200);
    } finally {
      sockets.forEach((s) => s.destroy());
      await server.close();
    }
  });

  it('drops a reader that does not read instead of buffering events for it without end', async () => {
    const stub = eventStub();
    const server = await startServer(stub.service, { maxEventBacklogBytes: 256 * 1024 });
    try {
      const slow = await openStream(server, { read: false });
      sockets.push(slow.socket);
      const fast = await openStream(server);
      sockets.push(fast.socket);
      assert.equal(stub.listeners.size, 2);
      const big = { type: 'log', entry: { id: 1, at: 0, level: 'info', message: 'x'.repeat(4 * 1024) } } as unknown as ServiceEvent;
      // Far more than socket buffers hold: 64 MB of events, unless the server drops the reader first.
      let sent = 0;
      for (; sent < 16384 && stub.listeners.size === 2; sent++) {
        stub.emit(big);
        // Small bursts: a reader that reads drains them between turns.
        if (sent % 4 === 0) await new Promise((r) => setTimeout(r, 0));
      }
      assert.equal(stub.listeners.size, 1, `the slow reader was kept through ${sent} events`);
      // (A paused client socket does not notice the close until it reads; the server side is gone.)
      assert.equal(fast.socket.destroyed, false);
    } finally {
      sockets.forEach((s) => s.destroy());
      await server.close();
    }
  });

  it('streams the unfiltered audit export a page at a time (no Content-Length), as the same JSON envelope', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-audit-stream-'));
    const service = await createConnectorService({
      clock: new ManualClock(Date.UTC(2026, 0, 15)),
      fetch: async () => new Response(''),
      secrets: memorySecretStore(),
      settings: memorySettingsStore(),
      dataDir: dir,
    });
    const side = openStore(join(dir, 'connector.sqlite'));
    const entries = Array.from({ length: 12_000 }, (_, i) => ({
      runId: 'r1',
      stream: 'gl_detail' as const,
      recordKey: `K"${i}\\`,
      whenModified: '2026-01-01T00:00:00Z',
      contentHash: `h${i}`,
      action: 'insert' as const,
      requestId: 'req',
      jobId: null,
      result: 'pending' as const,
      at: i,
    }));
    side.startRun({ runId: 'r1', trigger: 'manual', startedAt: 0 });
    side.recordAudit(entries);
    const expected = side.exportAuditCsv({});
    side.close();
    const server = await startServer(service);
    try {
      const res = await fetch(`${server.url}/api/exportAudit`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-length'), null, 'the answer was built whole before sending');
      assert.equal(res.headers.get('transfer-encoding'), 'chunked');
      const env = (await res.json()) as { ok: true; result: { fileName: string; csv: string } };
      assert.equal(env.result.fileName, 'audit-all.csv');
      assert.equal(env.result.csv, expected);
      assert.equal(env.result.csv.split('\r\n').length - 2, 12_000);
    } finally {
      await server.close();
      await service.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers previewSchedule with an invalid schedule 400, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-preview-'));
    const service = await createConnectorService({
      clock: new ManualClock(Date.UTC(2026, 0, 15)),
      fetch: async () => new Response(''),
      secrets: memorySecretStore(),
      settings: memorySettingsStore(),
      dataDir: dir,
    });
    const server = await startServer(service);
    try {
      const post = (body: unknown) =>
        fetch(`${server.url}/api/previewSchedule`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
      const bad = await post({ schedule: {} });
      assert.equal(bad.status, 400);
      const env = (await bad.json()) as { ok: false; error: { message: string; fields?: Record<string, string> } };
      assert.ok(env.error.fields && Object.keys(env.error.fields).some((k) => k.startsWith('schedule.')), JSON.stringify(env));
      assert.doesNotMatch(env.error.message, /Cannot read|TypeError/);
      assert.match(env.error.message, /schedule\.preset/);
      const good = await post({ schedule: { preset: { kind: 'daily', time: '06:00', businessDaysOnly: false }, timezone: 'UTC', paused: false }, count: 2 });
      assert.equal(good.status, 200);
      assert.equal(((await good.json()) as { result: { runs: number[] } }).result.runs.length, 2);
    } finally {
      await server.close();
      await service.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
