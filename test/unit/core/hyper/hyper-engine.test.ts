import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findHyperd, startHyperEngine, HyperEngineError, type HyperEngine, type HyperEngineEvent } from '../../../../main/core/hyper';

/** A process that exists and is not a zombie (a zombie still answers kill(pid, 0)). */
function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    if (process.platform === 'linux') return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** hyperd processes whose command line mentions `marker` (our per-test log folder). */
function hyperdsWith(marker: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('hyperd') && l.includes(marker) && !/^\s*\d+\s+Z/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

describe('startHyperEngine', () => {
  const hyperdPath = findHyperd({ projectRoot: process.cwd() });
  let dir: string;
  let engine: HyperEngine;
  const events: HyperEngineEvent[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hyper-engine-'));
    engine = await startHyperEngine({ hyperdPath, logDir: join(dir, 'logs'), onEvent: (e) => events.push(e) });
  });
  after(async () => {
    await engine?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts hyperd on a private domain socket and serves SQL', async () => {
    assert.ok(isAlive(engine.pid));
    assert.match(engine.endpoint, /^tab\.domain:\/\/\/.+\/domain\/\.s\.PGSQL\.\d+$/);
    assert.equal(engine.port, -1);
    const r = await engine.withClient((c) => c.query<{ n: number; d: string }>(`SELECT CAST(9007199254740991 AS BIGINT) AS n, DATE '2024-02-29' AS d`));
    assert.deepEqual(r.rows, [{ n: 9007199254740991, d: '2024-02-29' }]);
    // Why everything is plain SQL text: a query with values goes through pg's extended protocol,
    // which hyperd refuses (tableau-rest.md §1.3).
    await assert.rejects(
      engine.withClient((c) => c.query('SELECT $1::BIGINT AS x', [1])),
      /parameter/,
    );
    assert.equal(events[0]?.type, 'started');
    assert.deepEqual(hyperdsWith(dir), [engine.pid]);
    assert.ok(
      readdirSync(join(dir, 'logs')).some((f) => /^hyperd.*\.log$/.test(f)),
      'hyperd logs into the log folder',
    );
  });

  it('restarts hyperd when it dies and hands out clients to the new one', async () => {
    const first = engine.pid;
    const idle = await engine.connect();
    process.kill(first, 'SIGKILL');
    assert.ok(await waitFor(() => !isAlive(first), 5000));
    // The idle client of the dead hyperd fails cleanly instead of crashing the process.
    await assert.rejects(idle.query('SELECT 1'));
    await idle.end().catch(() => undefined);
    const r = await engine.withClient((c) => c.query<{ x: number }>('SELECT 1 AS x'));
    assert.deepEqual(r.rows, [{ x: 1 }]);
    assert.notEqual(engine.pid, first);
    assert.ok(isAlive(engine.pid));
    assert.equal(engine.restarts, 1);
    assert.ok(events.some((e) => e.type === 'exited' && e.pid === first && !e.expected));
    assert.deepEqual(hyperdsWith(dir), [engine.pid]);
  });

  it('gives up after too many crashes in a short time', async () => {
    const fragile = await startHyperEngine({ hyperdPath, logDir: join(dir, 'fragile'), maxRestarts: 1 });
    try {
      const p1 = fragile.pid;
      process.kill(p1, 'SIGKILL');
      await fragile.withClient((c) => c.query('SELECT 1'));
      const p2 = fragile.pid;
      assert.notEqual(p2, p1);
      process.kill(p2, 'SIGKILL');
      await waitFor(() => !isAlive(p2), 5000);
      await assert.rejects(fragile.connect(), (e: unknown) => e instanceof HyperEngineError && e.code === 'HYPER_CRASH_LOOP');
      assert.deepEqual(hyperdsWith(join(dir, 'fragile')), []);
    } finally {
      await fragile.stop();
    }
  });

  it('reports why hyperd could not start', async () => {
    const fake = join(dir, 'broken-hyperd');
    writeFileSync(fake, '#!/bin/sh\necho "cannot open license file" >&2\nexit 3\n', { mode: 0o755 });
    await assert.rejects(
      startHyperEngine({ hyperdPath: fake, logDir: join(dir, 'broken') }),
      (e: unknown) =>
        e instanceof HyperEngineError && e.code === 'HYPER_START' && /exited with 3/.test(e.userMessage) && /cannot open license file/.test(e.userMessage),
    );
    await assert.rejects(startHyperEngine({ hyperdPath: join(dir, 'missing'), logDir: join(dir, 'broken') }), HyperEngineError);
  });

  it('stop() ends hyperd and waits for it; nothing is left running', async () => {
    const own = await startHyperEngine({ hyperdPath, logDir: join(dir, 'own'), stopGraceMs: 2000 });
    const pid = own.pid;
    assert.ok(isAlive(pid));
    await own.stop();
    assert.equal(isAlive(pid), false);
    assert.equal(own.pid, -1);
    assert.deepEqual(hyperdsWith(join(dir, 'own')), []);
    await assert.rejects(own.connect(), (e: unknown) => e instanceof HyperEngineError && e.code === 'HYPER_STOPPED');
  });

  it('hyperd exits by itself when the Node process that started it is killed', async () => {
    // .mts: the temp folder has no package.json saying ESM, and the script uses top-level await.
    const script = join(dir, 'owner.mts');
    const engineModule = resolve('main/core/hyper/index.ts');
    writeFileSync(
      script,
      `import { startHyperEngine } from ${JSON.stringify(engineModule)};\n` +
        `const e = await startHyperEngine({ hyperdPath: ${JSON.stringify(hyperdPath)}, logDir: ${JSON.stringify(join(dir, 'orphan'))} });\n` +
        `console.log(e.pid);\nsetInterval(() => undefined, 1000);\n`,
    );
    const owner = spawn(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((res, rej) => {
      owner.stdout.once('data', (d: Buffer) => res(Number(String(d).trim())));
      owner.once('exit', () => rej(new Error('owner exited early')));
    });
    assert.ok(isAlive(pid));
    owner.kill('SIGKILL');
    // No exit hook can run on SIGKILL: the closed callback connection is what stops hyperd.
    assert.ok(await waitFor(() => !isAlive(pid), 10_000), 'hyperd outlived its owner');
    assert.deepEqual(hyperdsWith(join(dir, 'orphan')), []);
  });
});
