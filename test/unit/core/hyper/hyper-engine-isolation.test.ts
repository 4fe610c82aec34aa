/**
 * hyperd is reachable by the connector alone (issue #12, High 1): another local account cannot
 * connect to it, it holds none of the connector's secrets in its environment, and a client that
 * does get in cannot read or write files outside the payload folder through SQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findHyperd, startHyperEngine, type HyperEngine } from '../../../../main/core/hyper';

const SECRETS = {
  ML_INTACCT_SENDER_PASSWORD: 'sender-pw-3f9a1c',
  ML_INTACCT_USER_PASSWORD: 'user-pw-77d0e2',
  ML_TABLEAU_PAT_SECRET: 'pat-secret-b41e95',
};

/** Why this machine cannot run the test as another OS user, or null when it can. */
function cannotSwitchUsers(): string | null {
  if (process.platform !== 'linux') return 'needs Linux (setpriv)';
  if (process.getuid?.() !== 0) return 'needs root to switch to the nobody account';
  try {
    execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'setpriv cannot switch to uid 65534 here';
  }
}

/** Where a pg client would connect for this engine: its domain socket, else its TCP port. */
function pgTarget(engine: HyperEngine): { host: string; port: number } {
  const endpoint = (engine as { endpoint?: string }).endpoint;
  const m = endpoint ? /^tab\.domain:\/\/(.*)\/domain\/\.s\.PGSQL\.(\d+)$/.exec(endpoint) : null;
  if (m) return { host: m[1]!, port: Number(m[2]) };
  return { host: '127.0.0.1', port: engine.port };
}

/** TCP sockets hyperd listens on (inodes of its fds that /proc/net/tcp* lists in state LISTEN). */
function tcpListeners(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const out: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && inodes.has(cols[9]!)) out.push(cols[1]!);
    }
  }
  return out;
}

describe('hyperd is reachable by the connector alone', () => {
  const hyperdPath = findHyperd({ projectRoot: process.cwd() });
  let dir: string;
  let engine: HyperEngine;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hyper-isolation-'));
    // The headless service holds its secrets in its own environment; hyperd must not inherit them.
    for (const [k, v] of Object.entries(SECRETS)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    mkdirSync(join(dir, 'payloads'));
    engine = await startHyperEngine({ hyperdPath, logDir: join(dir, 'logs'), databaseDirs: [join(dir, 'payloads')] });
  });
  after(async () => {
    await engine?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds none of the ML_* secrets (or any ML_* variable) in its environment', () => {
    const environ = readFileSync(`/proc/${engine.pid}/environ`, 'utf8').split('\0').filter(Boolean);
    for (const v of Object.values(SECRETS)) assert.ok(!environ.some((e) => e.includes(v)), 'a secret value is in hyperd’s environment');
    assert.deepEqual(
      environ.filter((e) => e.startsWith('ML_')),
      [],
    );
  });

  it('listens on no TCP port, only on a socket in a folder only this user can open', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
    assert.deepEqual(tcpListeners(engine.pid), [], 'hyperd listens on TCP');
    const { host } = pgTarget(engine);
    assert.ok(host.startsWith('/'), `hyperd should listen on a domain socket, not ${host}`);
    const mode = Number(execFileSync('stat', ['-c', '%a', host], { encoding: 'utf8' }).trim());
    assert.equal(mode, 700, `the socket folder ${host} is ${mode}, not 700`);
  });

  it('refuses a connection from another OS user', { skip: cannotSwitchUsers() ?? false }, () => {
    const { host, port } = pgTarget(engine);
    const pgModule = resolve('node_modules/pg/lib/index.js');
    const script = join(dir, 'intruder.mjs');
    writeFileSync(
      script,
      `import pg from ${JSON.stringify(pgModule)};\n` +
        `const c = new pg.Client({ host: ${JSON.stringify(host)}, port: ${port}, user: 'tableau_internal_user', connectionTimeoutMillis: 5000 });\n` +
        `c.on('error', () => undefined);\n` +
        `try { await c.connect(); const r = await c.query("SELECT 1 AS x"); console.log('CONNECTED ' + JSON.stringify(r.rows)); await c.end(); }\n` +
        `catch (e) { console.log('REFUSED ' + (e.code ?? '') + ' ' + e.message); }\n`,
    );
    execFileSync('chmod', ['755', dir]);
    execFileSync('chmod', ['644', script]);
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, script], {
      encoding: 'utf8',
      timeout: 20_000,
      cwd: '/',
    });
    const said = `${r.stdout}${r.stderr}`;
    assert.match(said, /^REFUSED /m, `nobody got in: ${said}`);
    assert.doesNotMatch(said, /CONNECTED/);
    // The folder itself turns it away: EACCES at connect, before any password exchange.
    assert.match(said, /EACCES/);
  });

  it('even the connector cannot read or write files through SQL, nor create databases outside the payload folder', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.csv'), 'a\nroot-only\n');
    await engine.withClient(async (c) => {
      await assert.rejects(
        c.query(`SELECT * FROM external('${join(outside, 'secret.csv')}', format => 'csv', header => true, columns => descriptor(a text))`),
        /inaccessible/,
      );
      await assert.rejects(c.query(`SELECT * FROM external('/etc/passwd', format => 'csv', header => false, columns => descriptor(a text))`), /inaccessible/);
      await assert.rejects(c.query(`COPY (SELECT 1) TO '${join(outside, 'dropped.csv')}' WITH (FORMAT csv)`), /inaccessible/);
      await assert.rejects(c.query(`CREATE DATABASE "${join(outside, 'planted.hyper')}"`), /cannot be accessed|could not be created/);
      // What the writer does still works: a database in the payload folder, COPY through the wire.
      await c.query(`CREATE DATABASE "${join(dir, 'payloads', 'ok.hyper')}"`);
      await c.query(`DROP DATABASE "${join(dir, 'payloads', 'ok.hyper')}"`);
    });
    assert.deepEqual(readdirSync(outside).sort(), ['secret.csv']);
  });

  it("with a benchmark's readableFilesDir, reads files in that one folder and still nothing outside it", async () => {
    const readable = join(dir, 'bench-files');
    const outside = join(dir, 'outside-2');
    mkdirSync(readable);
    mkdirSync(outside);
    writeFileSync(join(readable, 'rows.csv'), 'a\nfrom-the-bench\n');
    writeFileSync(join(outside, 'secret.csv'), 'a\nroot-only\n');
    const bench = await startHyperEngine({ hyperdPath, logDir: join(dir, 'logs-2'), readableFilesDir: readable });
    try {
      await bench.withClient(async (c) => {
        const read = (path: string) => c.query(`SELECT * FROM external('${path}', format => 'csv', header => true, columns => descriptor(a text))`);
        assert.deepEqual((await read(join(readable, 'rows.csv'))).rows, [{ a: 'from-the-bench' }]);
        await assert.rejects(read(join(outside, 'secret.csv')), /inaccessible/);
        await assert.rejects(read('/etc/passwd'), /inaccessible/);
      });
    } finally {
      await bench.stop();
    }
  });
});
