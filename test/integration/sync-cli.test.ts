/**
 * `ml-connector sync` as a script sees it: exit codes and messages (README "CLI").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../main/core/clock';
import { startIntacctEmulator, type IntacctEmulator } from '../../main/emulators/intacct';
import { startTableauEmulator, type TableauEmulator } from '../../main/emulators/tableau';
import { demoSettings } from '../../main/demo';
import { runCommand, runNodeScript } from '../helpers/run-node';

// Through the real launcher, as a user runs it.
const cli = (args: string[], env: Record<string, string>) => runNodeScript('bin/ml-connector.mjs', args, env);

describe('ml-connector sync (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-cli-'));
  let intacct: IntacctEmulator;
  let tableau: TableauEmulator;
  let env: Record<string, string>;
  before(async () => {
    intacct = await startIntacctEmulator({ glRows: 500, clock: systemClock });
    tableau = await startTableauEmulator({ clock: systemClock, workDir: join(dir, 'tableau') });
    const settings = demoSettings(intacct, tableau);
    settings.streams.enabled = { ...settings.streams.enabled, ap_bill: false, ap_bill_line: false, ap_payment: false, ap_payment_detail: false };
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings));
    env = {
      ML_INTACCT_SENDER_PASSWORD: intacct.credentials.senderPassword,
      ML_INTACCT_USER_PASSWORD: intacct.credentials.userPassword,
      ML_TABLEAU_PAT_SECRET: tableau.patSecret,
    };
  });
  after(async () => {
    await Promise.allSettled([intacct?.close(), tableau?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 2 when a secret is missing, naming it', async () => {
    const r = await cli(['--data-dir', dir, 'sync'], { ...env, ML_TABLEAU_PAT_SECRET: '' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /personal access token secret/);
  });

  it('exits 3 on a wrong Intacct password, with the reason, and loads nothing', async () => {
    const r = await cli(['--data-dir', dir, 'sync'], { ...env, ML_INTACCT_USER_PASSWORD: 'not-the-password' });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /failed/);
    assert.equal(tableau.appliedRequestIds.length, 0);
    assert.equal(await tableau.readRows('Intacct Vendors'), null);
  });

  it('exits 0 after a successful run and reports it, each line once when piped', async () => {
    const r = await cli(['--data-dir', dir, 'sync', '--streams', 'vendor,gl_detail'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /succeeded: \d+ rows moved/);
    // Piped, the log says what happened once: no phase-by-phase echo of it, no second run summary.
    const lines = `${r.stderr}${r.stdout}`.split('\n').filter(Boolean);
    assert.equal(lines.filter((l) => /rows moved in/.test(l)).length, 1, r.stderr);
    assert.ok(!lines.some((l) => /\b(vendor|gl_detail)\b/.test(l)), `no stream ids in what the user reads:\n${r.stderr}`);
    assert.ok(lines.includes('Run started (cli): Vendors, GL detail'), r.stderr);
    assert.ok(
      lines.some((l) => /^GL detail: \d+ read, \d+ loaded/.test(l)),
      r.stderr,
    );
    assert.equal(new Set(lines).size, lines.length, `a line printed twice:\n${lines.join('\n')}`);
    // 500 generated ACCRUAL lines plus the 3 created with an empty WHENMODIFIED (sample-company.ts).
    assert.equal((await tableau.readRows('Intacct GL Detail'))?.length, 503);
    const status = await cli(['--data-dir', dir, 'status', '--json'], env);
    assert.equal(status.code, 0);
    assert.equal(JSON.parse(status.stdout).lastRun.outcome, 'succeeded');
  });

  it('status names each table by its label with what Tableau holds and since when, as the window does', async () => {
    const r = await cli(['--data-dir', dir, 'status'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.ok(!lines.some((l) => /^\s*(gl_detail|gl_account|vendor|ap_bill)\b/.test(l)), `no line under a stream id:\n${r.stdout}`);
    assert.ok(
      lines.some((l) => /^ {2}GL detail +on +Data as of .+ UTC · 503 records in Tableau$/.test(l)),
      r.stdout,
    );
    // gl_account is enabled but the runs so far were for vendor and gl_detail only.
    assert.ok(
      lines.some((l) => /^ {2}GL accounts +on +No data in Tableau yet/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => /^ {2}AP bills +off /.test(l)),
      r.stdout,
    );
  });

  it('audit export writes the document number, vendor and journal columns of audit search', async () => {
    const r = await cli(['--data-dir', dir, 'audit', 'export', '--stream', 'gl_detail'], env);
    assert.equal(r.code, 0, r.stderr);
    const [header, ...rows] = r.stdout.split('\r\n').filter(Boolean);
    assert.match(header!, /,document,vendor,journal$/);
    assert.equal(rows.length, 503, `${r.stdout.length} chars; last line: ${rows.at(-1)}\n${r.stderr}`);
    // Every GL detail line has its journal (SYMBOL · BATCH_TITLE, streams/audit-labels.ts).
    assert.ok(
      rows.every((l) => /,[^,]+$/.test(l)),
      rows.find((l) => !/,[^,]+$/.test(l)),
    );
  });

  it("lists a stream's Intacct fields for the extra-fields setting, custom ones first", async () => {
    const r = await cli(['--data-dir', dir, 'fields', 'vendor', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const fields = JSON.parse(r.stdout) as { field: string; isCustom: boolean; inStream: boolean }[];
    assert.deepEqual(fields[0] && [fields[0].field, fields[0].isCustom, fields[0].inStream], ['VENDOR_CF_BOOL', true, false]);
    assert.ok(fields.find((f) => f.field === 'VENDORID')?.inStream, 'standard columns are marked');
    const text = await cli(['--data-dir', dir, 'fields', 'vendor'], env);
    assert.match(text.stdout, /VENDOR_CF_TEXT +text +custom +VENDOR_CF_TEXT/);
    const bad = await cli(['--data-dir', dir, 'fields', 'nope'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown stream\(s\) nope/);
    const noSecret = await cli(['--data-dir', dir, 'fields', 'vendor'], { ...env, ML_INTACCT_USER_PASSWORD: '' });
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /password/i);
  });

  it("estimates a full load from Intacct counts and reports this month's API transactions", async () => {
    const r = await cli(['--data-dir', dir, 'estimate', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const e = JSON.parse(r.stdout) as { streams: { stream: string; rows: number; apiTransactions: number }[]; apiTransactions: number; usedThisMonth: number };
    const rows = Object.fromEntries(e.streams.map((x) => [x.stream, x.rows]));
    assert.deepEqual(Object.keys(rows), ['gl_account', 'vendor', 'department', 'location', 'class', 'employee', 'gl_detail'], 'the enabled streams');
    assert.equal(rows.vendor, [...intacct.company.list('VENDOR')].length);
    assert.equal(rows.gl_account, [...intacct.company.list('GLACCOUNT')].length);
    assert.equal(rows.gl_detail, (await tableau.readRows('Intacct GL Detail'))?.length, 'the GL rows a full load moved');
    assert.equal(
      e.apiTransactions,
      e.streams.reduce((n, x) => n + x.apiTransactions, 0),
    );
    // Runs, field lookups and this count itself: every request Intacct answered.
    // Every request Intacct received and ran, answered or not (a client that gave up still had it run).
    assert.equal(e.usedThisMonth, intacct.requests.filter((r) => r.status !== 0 || !r.fault).length);
    const text = await cli(['--data-dir', dir, 'estimate', '--streams', 'vendor'], env);
    assert.match(text.stdout, /^Vendors +[\d,]+ records +\d+ API transactions$/m);
    assert.match(text.stdout, /of 100,000 included/);
  });

  it('estimate exits 3 when Intacct refuses the credentials, as sync does', async () => {
    const r = await cli(['--data-dir', dir, 'estimate'], { ...env, ML_INTACCT_USER_PASSWORD: 'not-the-password' });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /password/i);
  });

  it(
    'draws bars within a 60-column terminal, labelled with table names',
    { skip: !existsSync('/usr/bin/script') && 'no script(1) for a pseudo-terminal' },
    async () => {
      // script(1) gives the CLI a real pseudo-terminal (stderr.isTTY) of 60 columns.
      const command = [
        'stty cols 60;',
        JSON.stringify(process.execPath),
        '--import tsx bin/ml-connector.mjs --data-dir',
        JSON.stringify(dir),
        'sync --streams vendor,gl_detail --full-reload gl_detail',
      ].join(' ');
      // Not spawnSync: the emulators answering the CLI live in this process's event loop.
      const r = await runCommand('script', ['-qec', command, '/dev/null'], { ...env, COLUMNS: '60' });
      assert.equal(r.code, 0, r.stdout);
      const screen = r.stdout
        .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '\n')
        .split(/\r?\n|\r/)
        .filter(Boolean);
      const bars = screen.filter((l) => / \[[#-]+\] /.test(l));
      assert.ok(
        bars.some((l) => /^GL detail +\[#+\] done/.test(l)),
        screen.join('\n'),
      );
      assert.ok(
        bars.some((l) => /^Vendors +\[/.test(l)),
        screen.join('\n'),
      );
      for (const l of bars) assert.ok(l.length < 60, `${l.length} columns: ${l}`);
    },
  );
});
