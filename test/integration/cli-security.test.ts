/**
 * The headless service as an attacker or a careless operator meets it (issue #12):
 * - the served token is not printed where logs collect it (Medium 2);
 * - the alert command runs without a shell and without the ML_* secrets (Medium 2);
 * - one process owns a data folder; read-only commands leave a running service alone (Medium 8);
 * - the data folder is 0700 and its files 0600 (Low).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../main/core/clock';
import { startIntacctEmulator, type IntacctEmulator } from '../../main/emulators/intacct';
import { startTableauEmulator, type TableauEmulator } from '../../main/emulators/tableau';
import { demoSettings } from '../../main/demo';
import { openStore } from '../../main/core/store';
import { runNodeScript } from '../helpers/run-node';

const cli = (args: string[], env: Record<string, string>) => runNodeScript('bin/ml-connector.mjs', args, env);
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

/** A `serve` child with piped stdout (as under systemd): resolves once it says where it serves. */
function startServe(dataDir: string, env: Record<string, string>): Promise<{ child: ChildProcess; stdout: () => string; stderr: () => string }> {
  // main/cli.ts itself (not the launcher, which waits in spawnSync): its pid is the one in the lock.
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/cli.ts', '--data-dir', dataDir, 'serve'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stdout} ${stderr}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (/serving on/.test(stdout) && stdout.includes('\n')) {
        clearTimeout(timer);
        resolve({ child, stdout: () => stdout, stderr: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${stdout} ${stderr}`));
    });
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  await exited;
}

describe('headless service guards (CLI)', () => {
  const root = mkdtempSync(join(tmpdir(), 'mlc-cli-sec-'));
  let intacct: IntacctEmulator;
  let tableau: TableauEmulator;
  let env: Record<string, string>;
  const children: ChildProcess[] = [];

  before(async () => {
    intacct = await startIntacctEmulator({ glRows: 50, clock: systemClock });
    tableau = await startTableauEmulator({ clock: systemClock, workDir: join(root, 'tableau') });
    env = {
      ML_INTACCT_SENDER_PASSWORD: intacct.credentials.senderPassword,
      ML_INTACCT_USER_PASSWORD: intacct.credentials.userPassword,
      ML_TABLEAU_PAT_SECRET: tableau.patSecret,
    };
  });
  after(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    await Promise.allSettled([intacct?.close(), tableau?.close()]);
    rmSync(root, { recursive: true, force: true });
  });

  it('serve writes its token to a 0600 file in the data folder, not to a collected stdout; the folder is 0700 and its databases 0600', async () => {
    const dataDir = join(root, 'served');
    const s = await startServe(dataDir, env);
    children.push(s.child);
    try {
      const file = join(dataDir, 'serve-address.txt');
      const address = readFileSync(file, 'utf8').trim();
      const token = /#token=([0-9a-f]+)$/.exec(address)?.[1];
      assert.ok(token, address);
      assert.ok(!s.stdout().includes(token) && !s.stderr().includes(token), `the token was printed: ${s.stdout()}`);
      assert.match(s.stdout(), new RegExp(`in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.equal(mode(file), '600');
      assert.equal(mode(dataDir), '700');
      assert.equal(mode(join(dataDir, 'connector.sqlite')), '600');
      // The ledger lives in connector.sqlite (schema 4): no second database file.
      assert.equal(existsSync(join(dataDir, 'ledger.sqlite')), false);
      // The address in the file works.
      const url = new URL(address);
      const res = await fetch(`${url.origin}/api/getStatus`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: 'null',
      });
      assert.equal(res.status, 200);
    } finally {
      await stopChild(s.child);
    }
    assert.equal(existsSync(join(dataDir, 'serve-address.txt')), false, 'the address file is removed on stop');
  });

  it(
    'serve prints the address with its token when stdout is a terminal, and writes no file',
    { skip: !existsSync('/usr/bin/script') && 'needs script(1) for a pseudo-terminal' },
    async () => {
      const dataDir = join(root, 'tty');
      const cmd = `${process.execPath} --import tsx main/cli.ts --data-dir ${dataDir} serve`;
      const child = spawn('/usr/bin/script', ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      children.push(child);
      let text = '';
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no address printed: ${text}`)), 30_000);
          child.stdout!.on('data', (c: Buffer) => {
            text += c.toString();
            if (/#token=[0-9a-f]{64}/.test(text)) {
              clearTimeout(timer);
              resolve();
            }
          });
        });
        assert.match(text, /serving on http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}/);
        assert.equal(existsSync(join(dataDir, 'serve-address.txt')), false);
      } finally {
        // Stop the serve itself (its pid is in the lock), then script(1).
        const pid = JSON.parse(readFileSync(join(dataDir, 'connector.lock'), 'utf8')).pid as number;
        process.kill(pid, 'SIGTERM');
        await stopChild(child);
      }
    },
  );

  it('one process owns a data folder: a second serve and a sync are refused naming the owner; status and runs read without disturbing it', async () => {
    const dataDir = join(root, 'owned');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(demoSettings(intacct, tableau)));
    const s = await startServe(dataDir, env);
    children.push(s.child);
    try {
      // A sync in flight in the owner, as `status` would meet it: a 'running' run and a payload file.
      const store = openStore(join(dataDir, 'connector.sqlite'));
      store.startRun({ runId: 'live-run', trigger: 'manual', startedAt: Date.now() });
      store.close();
      const payload = join(dataDir, 'payloads', 'gl_detail-live.hyper');
      writeFileSync(payload, 'in flight');

      const status = await cli(['--data-dir', dataDir, 'status', '--json'], env);
      assert.equal(status.code, 0, status.stderr);
      const runs = await cli(['--data-dir', dataDir, 'runs', '--json'], env);
      assert.equal(runs.code, 0, runs.stderr);
      const live = (JSON.parse(runs.stdout) as { runId: string; outcome: string }[]).find((r) => r.runId === 'live-run');
      assert.equal(live?.outcome, 'running', 'a read-only command marked the live run interrupted');
      assert.ok(existsSync(payload), 'a read-only command deleted the live run’s payload');
      const audit = await cli(['--data-dir', dataDir, 'audit', 'export', '--run', 'live-run'], env);
      assert.equal(audit.code, 0, audit.stderr);
      // The whole trail, streamed (no filter needed any more).
      const all = await cli(['--data-dir', dataDir, 'audit', 'export'], env);
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, /^run_id,/);

      const second = await cli(['--data-dir', dataDir, 'serve'], env);
      assert.equal(second.code, 2, `a second serve ran: ${second.stdout} ${second.stderr}`);
      assert.match(second.stderr, new RegExp(`process ${s.child.pid}\\b`));
      assert.match(second.stderr, /owns the data folder/);
      const sync = await cli(['--data-dir', dataDir, 'sync'], env);
      assert.equal(sync.code, 2, sync.stderr);
      assert.match(sync.stderr, /owns the data folder/);
    } finally {
      await stopChild(s.child, 'SIGKILL');
    }
    // Killed outright, it left its lock behind; the next owner sees the pid is gone and takes over.
    assert.ok(existsSync(join(dataDir, 'connector.lock')));
    const after = await cli(['--data-dir', dataDir, 'sync', '--streams', 'vendor'], env);
    assert.equal(after.code, 0, after.stderr);
  });

  it(
    'the alert command runs without a shell and without the ML_* secrets in its environment',
    { skip: process.platform === 'win32' && 'POSIX script' },
    async () => {
      const dataDir = join(root, 'alerts');
      mkdirSync(dataDir, { recursive: true });
      const out = join(root, 'alert-out');
      const script = join(root, 'alert.sh');
      writeFileSync(script, '#!/bin/sh\nenv > "$1.env"\nshift\nfor a in "$@"; do printf "[%s]" "$a"; done > "$0.args"\nmv "$0.args" "$0.args.done"\n', {
        mode: 0o755,
      });
      const settings = demoSettings(intacct, tableau);
      settings.alerts.command = `${script} ${out} "$HOME" 'a b'`;
      writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(settings));
      // A wrong Tableau secret fails the run at once, which raises the run-failed alert.
      const r = await cli(['--data-dir', dataDir, 'sync', '--streams', 'vendor'], { ...env, ML_TABLEAU_PAT_SECRET: 'wrong-secret-for-alert' });
      assert.notEqual(r.code, 0);
      const done = `${script}.args.done`;
      for (let i = 0; i < 100 && !existsSync(done); i++) await new Promise((res) => setTimeout(res, 50));
      assert.equal(readFileSync(done, 'utf8'), '[$HOME][a b]', 'the command went through a shell');
      const childEnv = readFileSync(`${out}.env`, 'utf8');
      for (const v of [intacct.credentials.senderPassword, intacct.credentials.userPassword, 'wrong-secret-for-alert'])
        assert.ok(!childEnv.includes(v), 'a secret reached the alert command');
      assert.doesNotMatch(childEnv, /^ML_/m);
    },
  );

  it('refuses to start on a settings file with an invalid field, naming it (instead of running on defaults)', async () => {
    const dataDir = join(root, 'badsettings');
    mkdirSync(dataDir, { recursive: true });
    const settings = demoSettings(intacct, tableau) as unknown as { schedule: { timezone: string } };
    settings.schedule.timezone = 'Mars/Olympus';
    writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(settings));
    const r = await cli(['--data-dir', dataDir, 'status'], env);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /schedule\.timezone/);
    assert.match(r.stderr, /settings\.json/);
  });
});
