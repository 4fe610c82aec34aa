import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { AuthError } from '../../../../main/core/errors';
import { fullLoadTransactions } from '../../../../main/core/service/connector-service';
import type { StreamRunResult } from '../../../../shared/types';
import { streamByName } from '../../../../main/core/streams/definitions';
import { configuredSettings, removeLater, setup } from './service-fixture';

describe('createConnectorService', () => {
  it('reports not-configured until both sides have settings and secrets, and never returns a secret', async () => {
    const env = await setup({ configured: false });
    let status = await env.service.getStatus();
    assert.equal(status.state, 'not-configured');
    assert.deepEqual(status.configured, { intacct: false, tableau: false });
    const saved = await env.service.saveSettings(configuredSettings());
    assert.equal(saved.ok, true);
    await env.service.setCredential({ name: 'intacctSenderPassword', value: 's3cret-sender' });
    await env.service.setCredential({ name: 'intacctUserPassword', value: 's3cret-user' });
    await env.service.setCredential({ name: 'tableauPatSecret', value: 's3cret-pat' });
    assert.deepEqual(await env.service.getCredentialStatus(), {
      intacctSenderPassword: true,
      intacctUserPassword: true,
      tableauPatSecret: true,
      tableauConnectedAppSecret: false,
      smtpPassword: false,
      alertWebhookUrl: false,
    });
    status = await env.service.getStatus();
    assert.equal(status.state, 'idle');
    const everything = JSON.stringify([status, await env.service.getSettings(), await env.service.queryLogs(), env.events]);
    assert.ok(!/s3cret/.test(everything), 'a secret leaked into a response or event');
    await env.service.clearCredential({ name: 'tableauPatSecret' });
    assert.equal((await env.service.getStatus()).configured.tableau, false);
  });

  it('rejects bad settings with messages keyed by dotted path, and keeps the old ones', async () => {
    const env = await setup();
    const bad = configuredSettings();
    bad.intacct.concurrency = 3;
    bad.schedule.timezone = 'Mars/Olympus';
    bad.tableau.serverUrl = 'http://tableau.example.com';
    bad.streams.glDetailStartDate = '2025-13-01';
    const r = await env.service.saveSettings(bad);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(Object.keys(r.errors).sort(), ['intacct.concurrency', 'schedule.timezone', 'streams.glDetailStartDate', 'tableau.serverUrl']);
    assert.equal((await env.service.getSettings()).intacct.concurrency, 1);
  });

  it('runs a sync with progress events, refuses an overlapping one, and records the run', async () => {
    const env = await setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    env.tableau.onLoad = () => gate;
    const started = await env.service.syncNow();
    assert.equal(started.started, true);
    const second = await env.service.syncNow({ streams: ['vendor'] });
    assert.deepEqual(second, { started: false, runId: started.runId, reason: 'A sync is already running.' });
    assert.equal((await env.service.getStatus()).state, 'syncing');
    release();
    await env.service.idle();
    const runs = await env.service.listRuns();
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.outcome, 'succeeded');
    const detail = await env.service.getRun({ runId: started.runId! });
    assert.equal(detail?.streams.length, 3);
    assert.ok(env.events.some((e) => e.type === 'progress' && e.progress.phase === 'reading'));
    assert.ok(env.events.some((e) => e.type === 'run-finished' && e.run.runId === started.runId));
    assert.ok(!env.events.some((e) => e.type === 'run-finished' && 'streams' in e.run), 'run-finished carries a RunSummary');
    assert.equal(env.tableau.signOuts, 1, 'signs out of Tableau when the run ends');
    const audit = await env.service.queryAudit({ stream: 'gl_detail', limit: 100 });
    assert.equal(audit.length, 30);
    const csv = await env.service.exportAudit({ runId: started.runId! });
    assert.match(csv.fileName, /^audit-run-/);
    assert.equal(csv.csv.trim().split('\r\n').length, 1 + 12 + 20 + 30);
  });

  it('a scheduled run that finds one in progress is skipped and logged', async () => {
    const env = await setup();
    let release!: () => void;
    env.tableau.onLoad = () => new Promise<void>((r) => (release = r));
    env.service.startScheduler();
    const due = (await env.service.getStatus()).nextRunAt;
    assert.ok(due);
    await env.service.syncNow();
    await new Promise((r) => setTimeout(r, 20));
    env.clock.set(due);
    env.timer.fireAll();
    env.tableau.onLoad = null;
    release();
    await env.service.idle();
    const logs = await env.service.queryLogs({ search: 'skipped' });
    assert.ok(
      logs.some((l) => /Scheduled run skipped/.test(l.message)),
      JSON.stringify(logs),
    );
    assert.equal((await env.service.listRuns()).length, 1);
  });

  it('cancelSync stops the run and reports it cancelled', async () => {
    const env = await setup();
    let entered!: () => void;
    const inLoad = new Promise<void>((r) => (entered = r));
    env.tableau.onLoad = async () => {
      entered();
      await new Promise((r) => setTimeout(r, 30));
    };
    const started = await env.service.syncNow();
    await inLoad;
    assert.deepEqual(await env.service.cancelSync(), { cancelled: true });
    await env.service.idle();
    const run = await env.service.getRun({ runId: started.runId! });
    assert.equal(run?.outcome, 'cancelled');
    assert.deepEqual(await env.service.cancelSync(), { cancelled: false });
  });

  it('a bad password fails the run with that message and raises a run-failed alert', async () => {
    const env = await setup();
    env.source.failWith = new AuthError({ service: 'intacct', userMessage: 'Intacct rejected the user password.' });
    const r = await env.service.runNow();
    assert.ok('outcome' in r);
    assert.equal(r.outcome, 'failed');
    assert.equal(r.error?.message, 'Intacct rejected the user password.');
    assert.ok(env.events.some((e) => e.type === 'alert' && e.alert.kind === 'run-failed'));
    const status = await env.service.getStatus();
    assert.equal(status.state, 'error');
    assert.equal(status.lastError?.message, 'Intacct rejected the user password.');
  });

  it('stream cards keep their last real run when a later run failed before reaching them', async () => {
    const env = await setup();
    const first = await env.service.runNow();
    assert.ok('outcome' in first && first.outcome === 'succeeded');
    env.clock.advance(3600_000);
    env.source.failWith = new AuthError({ service: 'intacct', userMessage: 'Intacct rejected the user password.' });
    const second = await env.service.runNow();
    assert.ok('outcome' in second && second.outcome === 'failed');
    // The first stream failed on the password; the run stopped there, so the other two were skipped.
    const ran = second.streams.filter((r) => r.outcome !== 'skipped').map((r) => r.stream);
    const skippedStreams = second.streams.filter((r) => r.outcome === 'skipped').map((r) => r.stream);
    assert.equal(ran.length, 1);
    assert.equal(skippedStreams.length, 2);

    const cards = new Map((await env.service.getStatus()).streams.map((c) => [c.stream, c]));
    const failedCard = cards.get(ran[0]!)!;
    assert.equal(failedCard.lastOutcome, 'failed');
    assert.equal(failedCard.lastRunAt, second.startedAt);
    for (const name of skippedStreams) {
      const earlier: StreamRunResult = first.streams.find((r) => r.stream === name)!;
      const card = cards.get(name)!;
      assert.equal(card.lastOutcome, 'succeeded', `${name} shows its earlier successful sync`);
      assert.equal(card.lastRunAt, first.startedAt);
      assert.equal(card.lastRowsMoved, earlier.rowsUpserted + earlier.rowsDeleted);
      assert.ok(card.lastRowsMoved! > 0);
      assert.equal(card.lastDurationMs, earlier.durationMs);
    }
    // A stream that never ran has no card history.
    assert.equal(cards.get('gl_account')!.lastRunAt, null);
    assert.equal(cards.get('gl_account')!.lastOutcome, null);
  });

  it('after Intacct refuses the sign-in, scheduled runs do not try the same details again until they change', async () => {
    const env = await setup();
    env.service.startScheduler();
    env.source.failWith = new AuthError({
      service: 'intacct',
      code: 'LOGIN_INVALID',
      userMessage: 'Intacct sign-in failed: check the user ID, company ID and user password.',
    });
    const first = await env.service.runNow({ trigger: 'manual' });
    assert.ok('outcome' in first && first.outcome === 'failed', 'the manual run failed');
    // The fake's read log stands for requests to Intacct.
    const contacted = env.source.log.length;
    assert.ok(contacted > 0, 'the manual run asked Intacct');

    const fire = async () => {
      env.clock.set((await env.service.getStatus()).nextRunAt!);
      env.timer.fireAll();
      await new Promise((r) => setTimeout(r, 10));
      await env.service.idle();
      return (await env.service.listRuns({ limit: 1 }))[0]!;
    };
    const scheduled = await fire();
    assert.equal(scheduled.trigger, 'schedule');
    assert.equal(scheduled.outcome, 'failed');
    assert.equal(scheduled.error?.code, 'CREDENTIALS_REFUSED');
    assert.match(
      scheduled.error?.message ?? '',
      /refused these sign-in details at 2026-01-15 1\d:\d\d UTC \(Intacct sign-in failed.*Scheduled syncs do not try them again/,
    );
    assert.equal(env.source.log.length, contacted, 'Intacct was not contacted');

    // A person may try again: Sync now goes to Intacct.
    const manual = await env.service.runNow({ trigger: 'manual' });
    assert.ok('outcome' in manual && manual.outcome === 'failed');
    assert.ok(env.source.log.length > contacted, 'Sync now asked Intacct');

    // A new password lifts the guard: the next scheduled run signs in, and succeeds.
    env.source.failWith = null;
    await env.service.setCredential({ name: 'intacctUserPassword', value: 'the-new-password' });
    const after = await fire();
    assert.equal(after.outcome, 'succeeded', JSON.stringify(after.error));
  });

  it('raises each alert once, even when alerts are evaluated again on the timer', async () => {
    const env = await setup();
    env.service.startScheduler();
    env.source.failWith = new AuthError({ service: 'intacct', userMessage: 'Intacct rejected the user password.' });
    await env.service.runNow();
    const count = () => env.events.filter((e) => e.type === 'alert').length;
    assert.equal(count(), 1);
    for (const fn of env.timer.repeating) fn();
    assert.equal(count(), 1, 'the same fact is not raised again');
    await env.service.runNow();
    assert.equal(count(), 2, 'a new failed run is a new alert');
  });

  it('a run with missing credentials fails with a message naming what is missing', async () => {
    const env = await setup();
    await env.service.clearCredential({ name: 'intacctUserPassword' });
    const r = await env.service.runNow();
    assert.ok('outcome' in r && r.outcome === 'failed');
    assert.match(r.error?.message ?? '', /user password/);
  });

  it('tests each side step by step', async () => {
    const env = await setup();
    const intacct = await env.service.testConnection({ side: 'intacct' });
    assert.equal(intacct.ok, true);
    const tableau = await env.service.testConnection({ side: 'tableau' });
    assert.deepEqual(
      tableau.steps.map((s) => [s.name, s.ok]),
      [
        ['Server', true],
        ['Sign in', true],
        ['Project', true],
      ],
    );
  });

  it("lists a stream's Intacct fields, custom ones first, marking those the stream already has", async () => {
    const env = await setup();
    env.source.fields.set('VENDOR', [
      { id: 'NAME', label: 'Name', type: 'TEXT', isCustom: false },
      { id: 'VENDOR_CF_TEXT', label: 'Risk rating', type: 'TEXT', isCustom: true },
      { id: 'PAYMENTPRIORITY', label: 'Payment priority', type: 'ENUM', isCustom: false },
      { id: 'CREDIT_SCORE', label: 'Credit score', type: 'DECIMAL', isCustom: true },
    ]);
    const s = await env.service.getSettings();
    s.streams.extraFields = { vendor: [{ field: 'CREDIT_SCORE', type: 'numeric' }] };
    assert.equal((await env.service.saveSettings(s)).ok, true);
    const fields = await env.service.listFields({ stream: 'vendor' });
    assert.deepEqual(
      fields.map((f) => [f.field, f.type, f.isCustom, f.standard, f.inStream]),
      [
        ['CREDIT_SCORE', 'numeric', true, false, true],
        ['VENDOR_CF_TEXT', 'text', true, false, false],
        ['NAME', 'text', false, true, true],
        ['PAYMENTPRIORITY', 'text', false, false, false],
      ],
    );
    // Without the Intacct passwords it says what is missing.
    await env.secrets.delete('intacctUserPassword');
    await assert.rejects(env.service.listFields({ stream: 'vendor' }), /password/i);
  });

  it("estimates a full load from Intacct counts, and counts this month's API transactions", async () => {
    const env = await setup();
    const run = await env.service.runNow({ trigger: 'manual' });
    assert.ok('outcome' in run && run.outcome === 'succeeded', 'the run succeeded');
    assert.ok(run.apiTransactions > 0, 'the run used transactions');
    assert.equal((await env.service.getStatus()).apiTransactionsThisMonth, run.apiTransactions);

    const before = env.source.transactions;
    const e = await env.service.estimateFullLoad();
    // The enabled streams of the test settings, each counted in Intacct with the stream's own filters.
    assert.deepEqual(
      e.streams.map((x) => x.stream),
      ['vendor', 'ap_bill_line', 'gl_detail'],
    );
    for (const x of e.streams) {
      const def = streamByName(x.stream);
      const rows = [...env.source.table(def.intacctObject).values()].filter((r) =>
        def.filters.every((f) => r[f.field] === undefined || r[f.field] === f.value),
      );
      assert.equal(x.rows, rows.length, x.stream);
    }
    // Pages of 2,000 (at least one), the empty-WHENMODIFIED pass and the tie-out count; GL detail's
    // four date partitions (plus the undated one) page apart and add the count; the run's sign-in
    // goes with the first stream.
    assert.deepEqual(
      e.streams.map((x) => x.apiTransactions),
      [1 + 1 + 1 + 2, 1 + 1 + 1, 1 + 4 + 4],
    );
    assert.deepEqual(
      [0, 2000, 2001, 8000, 8001].map((rows) => fullLoadTransactions(streamByName('gl_detail'), rows, 4)),
      [8, 9, 10, 12, 13],
    );
    assert.deepEqual(
      [0, 2000, 2001].map((rows) => fullLoadTransactions(streamByName('vendor'), rows, 4)),
      [3, 3, 4],
    );
    assert.equal(
      e.apiTransactions,
      e.streams.reduce((n, x) => n + x.apiTransactions, 0),
    );
    assert.equal(e.countingTransactions, 3);
    assert.equal(env.source.transactions - before, 3, 'one count per stream');
    // What counting cost is part of this month's use.
    assert.equal(e.usedThisMonth, run.apiTransactions + 3);
    assert.equal((await env.service.getStatus()).apiTransactionsThisMonth, run.apiTransactions + 3);
    assert.equal(e.monthlyAllowance, 100_000);
    const vendorOnly = await env.service.estimateFullLoad({ streams: ['vendor'] });
    assert.deepEqual(
      vendorOnly.streams.map((x) => [x.stream, x.apiTransactions]),
      [['vendor', 1 + 1 + 1 + 2]],
    );

    // A new month starts from zero.
    env.clock.set(Date.UTC(2026, 1, 1));
    assert.equal((await env.service.getStatus()).apiTransactionsThisMonth, 0);
  });

  it('previews the schedule and pauses it', async () => {
    const env = await setup();
    const p = await env.service.previewSchedule({
      schedule: { preset: { kind: 'daily', time: '06:00', businessDaysOnly: false }, timezone: 'UTC', paused: false },
      count: 3,
    });
    assert.equal(p.runs.length, 3);
    assert.equal(p.runs[0], Date.UTC(2026, 0, 16, 6));
    assert.match(p.description, /06:00/);
    env.service.startScheduler();
    const status = await env.service.setSchedulePaused({ paused: true });
    assert.equal(status.schedulePaused, true);
    assert.equal(status.nextRunAt, null);
  });

  it('exports a support bundle zip with the log and runs, redacting any secret that slipped in', async () => {
    // The desktop app's main-process log (electron-log) and hyperd's log go in too, newest part first.
    const hostLogDir = mkdtempSync(join(tmpdir(), 'mlc-hostlog-'));
    removeLater(hostLogDir);
    const mainLog = join(hostLogDir, 'main.log');
    writeFileSync(mainLog, 'x'.repeat(1_100_000) + '\n[info] tray ready; token pat-secret-3 echoed by a proxy\n');
    const env = await setup({ supportLogFiles: [mainLog], host: { appVersion: '9.8.7', os: 'Linux 6.1.0 x64', runtime: 'Electron 33.0.0' } });
    mkdirSync(join(env.dataDir, 'logs'), { recursive: true });
    writeFileSync(join(env.dataDir, 'logs', 'hyperd.log'), '{"k":"startup"}\n');
    await env.service.runNow();
    const s = await env.service.getSettings();
    s.tableau.connectedAppUser = 'pat-secret-3'; // a user pasting a secret into a plain field
    await env.service.saveSettings(s);
    const bundle = await env.service.exportSupportBundle();
    assert.match(bundle.fileName, /^ml-connector-support-\d{4}-\d{2}-\d{2}\.zip$/);
    const zip = Buffer.from(bundle.base64, 'base64');
    assert.equal(zip.readUInt32LE(0), 0x04034b50, 'a zip file');
    const names = listZip(zip).map((e) => e.name);
    assert.deepEqual(names.sort(), ['README.txt', 'about.json', 'log.json', 'logs/hyperd.log', 'logs/main.log', 'runs.json', 'settings.json', 'status.json']);
    // The versions support asks for first, and times a person can read.
    const about = JSON.parse(listZip(zip).find((e) => e.name === 'about.json')!.text) as Record<string, unknown>;
    assert.deepEqual(about, {
      version: '9.8.7',
      hyperdVersion: 'main.0.0.12345.rtest',
      os: 'Linux 6.1.0 x64',
      dataDir: env.dataDir,
      runtime: 'Electron 33.0.0',
      createdAt: env.clock.now(),
      createdAtUtc: new Date(env.clock.now()).toISOString(),
    });
    assert.equal(listZip(zip).find((e) => e.name === 'logs/hyperd.log')!.text, '{"k":"startup"}\n', "hyperd's log");
    const [run] = JSON.parse(listZip(zip).find((e) => e.name === 'runs.json')!.text) as { startedAt: number; startedAtUtc: string; finishedAtUtc?: string }[];
    assert.equal(run!.startedAtUtc, new Date(run!.startedAt).toISOString());
    const [line] = JSON.parse(listZip(zip).find((e) => e.name === 'log.json')!.text) as { at: number; atUtc: string }[];
    assert.equal(line!.atUtc, new Date(line!.at).toISOString());
    const status = JSON.parse(listZip(zip).find((e) => e.name === 'status.json')!.text) as { about?: unknown };
    assert.deepEqual(status.about, { version: '9.8.7', hyperdVersion: 'main.0.0.12345.rtest', os: 'Linux 6.1.0 x64', dataDir: env.dataDir });
    const settingsJson = listZip(zip).find((e) => e.name === 'settings.json')!.text;
    assert.ok(!settingsJson.includes('pat-secret-3') && settingsJson.includes('[redacted]'));
    const main = listZip(zip).find((e) => e.name === 'logs/main.log')!.text;
    assert.match(main, /^\[… first \d+ bytes left out\]\n/, 'only the newest 1 MiB');
    assert.ok(main.includes('tray ready') && !main.includes('pat-secret-3'), 'the newest lines, redacted');
  });
});

/** Minimal zip reader (local headers, deflate or store) for the assertions above. */
function listZip(zip: Buffer): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  let off = 0;
  while (zip.readUInt32LE(off) === 0x04034b50) {
    const method = zip.readUInt16LE(off + 8);
    let size = zip.readUInt32LE(off + 18);
    const nameLen = zip.readUInt16LE(off + 26);
    const extraLen = zip.readUInt16LE(off + 28);
    const flags = zip.readUInt16LE(off + 6);
    const name = zip.subarray(off + 30, off + 30 + nameLen).toString();
    const start = off + 30 + nameLen + extraLen;
    if (flags & 8) {
      // Sizes follow the data in a descriptor: find the central directory entry instead.
      const cd = zip.indexOf(Buffer.concat([Buffer.from([0x50, 0x4b, 0x01, 0x02])]), start);
      let p = cd;
      while (p >= 0 && zip.readUInt32LE(p) === 0x02014b50) {
        const n = zip.subarray(p + 46, p + 46 + zip.readUInt16LE(p + 28)).toString();
        if (n === name) {
          size = zip.readUInt32LE(p + 20);
          break;
        }
        p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
      }
    }
    const data = zip.subarray(start, start + size);
    out.push({ name, text: (method === 8 ? inflateRawSync(data) : data).toString('utf8') });
    off = start + size + (flags & 8 ? (zip.readUInt32LE(start + size) === 0x08074b50 ? 16 : 12) : 0);
  }
  return out;
}
