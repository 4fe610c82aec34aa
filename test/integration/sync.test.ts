/**
 * The sync engine against both emulators (issue #4 acceptance 2 and 4, and "runs never overlap"):
 * real Intacct XML gateway client, real .hyper payloads written by hyperd, real Tableau REST calls.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../main/core/clock';
import { createNodeFetch } from '../../main/core/http/transport';
import { startDemoEnvironment, type DemoEnvironment } from '../../main/demo';
import { defaultFactories } from '../../main/core/service/default-factories';
import type { RunDetail, StreamName } from '../../shared/types';

const fast = defaultFactories({
  projectRoot: process.cwd(),
  intacct: { timeoutMs: 3_000, retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 } },
  tableau: { timeoutMs: 5_000, retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 }, jobPoll: { initialDelayMs: 20, factor: 1.2, maxDelayMs: 100 } },
});

async function start(dir: string, glRows = 2000): Promise<DemoEnvironment> {
  return startDemoEnvironment({
    dataDir: dir,
    glRows,
    clock: systemClock,
    fetch: createNodeFetch({}),
    factories: fast,
    engineOptions: { batchRows: 800 },
    tableau: { jobPollsToComplete: 1 },
  });
}

async function sync(env: DemoEnvironment, streams?: StreamName[]): Promise<RunDetail> {
  const r = await env.service.runNow({ trigger: 'manual', ...(streams ? { streams } : {}) });
  assert.ok('outcome' in r, 'the run started');
  return r;
}

async function assertConverged(env: DemoEnvironment): Promise<void> {
  const sides = await env.compare();
  const bad = sides.filter((s) => !s.match);
  assert.deepEqual(
    bad.map((s) => `${s.name}: ${s.problems.join('; ')}`),
    [],
  );
}

const moved = (run: RunDetail, s: StreamName) => {
  const r = run.streams.find((x) => x.stream === s)!;
  return [r.rowsUpserted, r.rowsDeleted];
};

describe('sync against the emulators', () => {
  const root = mkdtempSync(join(tmpdir(), 'mlc-int-sync-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  describe('incremental runs', () => {
    let env: DemoEnvironment;
    before(async () => {
      env = await start(join(root, 'incremental'));
    });
    after(async () => env?.close());

    it('a second run moves only the edits, additions and deletions, and the sides match again', async () => {
      const dependent = await env.tableau.createDatasource('Finance dashboard extract');
      const settings = await env.service.getSettings();
      settings.tableau.dependentDatasources = ['Finance dashboard extract'];
      assert.equal((await env.service.saveSettings(settings)).ok, true);
      const usedBefore = (await env.service.getStatus()).apiTransactionsThisMonth;
      const estimate = await env.service.estimateFullLoad();
      const first = await sync(env);
      assert.equal(first.outcome, 'succeeded', JSON.stringify(first.error));
      await assertConverged(env);
      // The estimate priced this first (full) run right, stream by stream: exactly for keyset reads,
      // within one page per date partition for the partitioned GL detail backfill.
      const partitioned = new Set(['gl_detail']);
      assert.deepEqual(
        estimate.streams.map((x) => [x.stream, x.rows, partitioned.has(x.stream) ? 'partitioned' : x.apiTransactions]),
        first.streams.map((r) => [r.stream, r.rowsRead, partitioned.has(r.stream) ? 'partitioned' : r.apiTransactions]),
      );
      const glEstimate = estimate.streams.find((x) => x.stream === 'gl_detail')!.apiTransactions;
      const glActual = first.streams.find((x) => x.stream === 'gl_detail')!.apiTransactions;
      assert.ok(Math.abs(glEstimate - glActual) <= 6, `GL detail estimate ${glEstimate} vs ${glActual} transactions`);
      assert.equal(
        (await env.service.getStatus()).apiTransactionsThisMonth,
        usedBefore + estimate.countingTransactions + first.apiTransactions,
        'the estimate counts too',
      );
      assert.deepEqual(
        env.tableau.refreshes.map((r) => r.datasourceId),
        [dependent.id],
        'the dependent data source was refreshed once',
      );

      // Let WHENMODIFIED (whole seconds) move past the first run's start.
      await new Promise((r) => setTimeout(r, 1100));
      const c = env.intacct.company;
      const vendors = [...c.list('VENDOR')].map((r) => Number(r.RECORDNO));
      c.edit('VENDOR', vendors[0]!, { NAME: 'Smith & <Sons> "Ltd"' });
      c.edit('VENDOR', vendors[1]!, { CREDITLIMIT: '12345.67' });
      c.add('VENDOR', { VENDORID: 'V-NEW-1', NAME: 'Brand new vendor', STATUS: 'active' });
      c.remove('VENDOR', vendors[2]!);
      const lines = [...c.list('APBILLITEM')].map((r) => Number(r.RECORDNO));
      c.remove('APBILLITEM', lines[5]!);
      c.remove('APBILLITEM', lines[6]!);
      const gl = [...c.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL')].slice(0, 40);
      for (const r of gl.slice(0, 3)) c.edit('GLDETAIL', r.RECORDNO!, { AMOUNT: '1234.56', DESCRIPTION: 'corrected' });
      for (const r of gl.slice(10, 14)) c.remove('GLDETAIL', r.RECORDNO!);
      const template = gl[20]!;
      c.add('GLDETAIL', { ...template, RECORDNO: '', AMOUNT: '-0.01' });
      await new Promise((r) => setTimeout(r, 1100));

      const second = await sync(env);
      assert.equal(second.outcome, 'succeeded', JSON.stringify(second.error));
      assert.deepEqual(moved(second, 'vendor'), [3, 1]);
      assert.deepEqual(moved(second, 'ap_bill_line'), [0, 2]);
      assert.deepEqual(moved(second, 'gl_detail'), [4, 4]);
      for (const s of ['gl_account', 'department', 'location', 'ap_bill', 'ap_payment', 'ap_payment_detail'] as StreamName[]) {
        assert.deepEqual(moved(second, s), [0, 0], `${s} moved nothing`);
      }
      assert.ok(second.streams.every((s) => !s.fullLoad));
      assert.equal(second.tieOut?.ok, true, JSON.stringify(second.tieOut?.differences));
      await assertConverged(env);

      // The audit trail names each moved record with its action and the applied batch.
      const audit = await env.service.queryAudit({ runId: second.runId, stream: 'vendor' });
      assert.deepEqual(audit.map((a) => a.action).sort(), ['delete', 'insert', 'update', 'update']);
      assert.ok(audit.every((a) => a.result === 'applied' && a.requestId));
    });

    it('runs never overlap: a second request while one runs is refused', async () => {
      const first = await env.service.syncNow();
      const second = await env.service.syncNow();
      assert.equal(first.started, true);
      assert.equal(second.started, false);
      assert.equal(second.runId, first.runId);
      await env.service.idle();
    });
  });

  describe('faults', () => {
    let env: DemoEnvironment;
    before(async () => {
      env = await start(join(root, 'faults'), 1500);
    });
    after(async () => env?.close());

    it('a bad password ends the run with a clear error and changes nothing', async () => {
      const s = await env.service.getCredentialStatus();
      assert.equal(s.intacctUserPassword, true);
      await env.service.setCredential({ name: 'intacctUserPassword', value: 'wrong-password' });
      const run = await sync(env);
      assert.equal(run.outcome, 'failed');
      assert.match(run.error?.message ?? '', /password|credentials|sign/i);
      assert.equal(run.error?.service, 'intacct');
      assert.ok(
        run.streams.slice(1).every((x) => x.outcome === 'skipped'),
        'later streams are not attempted',
      );
      assert.equal(env.tableau.appliedRequestIds.length, 0);
      for (const d of ['Intacct Vendors', 'Intacct GL Detail']) assert.equal(await env.tableau.readRows(d), null);
      assert.ok((await env.service.getStatus()).streams.every((x) => x.checkpoint === null));
      await env.service.setCredential({ name: 'intacctUserPassword', value: env.intacct.credentials.userPassword });
    });

    it('an API user with a day/month date format or a 12-hour clock stops the run before reading, naming the preference', async () => {
      const before = (await env.tableau.readRows('Intacct GL Detail'))?.length ?? 0;
      for (const [prefs, words] of [
        [{ dateFormat: '/dmY' }, /Date format to MM\/DD\/YYYY/],
        [{ clock: 12 as const }, /Time format to 24-hour/],
      ] as const) {
        env.intacct.setUserFormatting({ dateFormat: '/mdY', clock: 24 });
        env.intacct.setUserFormatting(prefs);
        const run = await sync(env);
        assert.equal(run.outcome, 'failed');
        assert.match(run.error?.message ?? '', words);
        assert.equal(run.streams.filter((x) => x.rowsRead > 0).length, 0, 'nothing was read');
      }
      env.intacct.setUserFormatting({ dateFormat: '/mdY', clock: 24 });
      assert.equal((await env.tableau.readRows('Intacct GL Detail'))?.length ?? 0, before, 'nothing was loaded');
    });

    it('with 10% of calls faulted on both sides, runs still converge', async () => {
      env.intacct.setFaults({ rate: 0.1, kinds: ['http500', 'http429', 'drop', 'malformed', 'transient', 'sessionExpire'], seed: 7 });
      env.tableau.setFaults({ rate: 0.1, kinds: ['expire401', 'http429', 'http5xx', 'jobFail'], seed: 11 });
      let run = await sync(env);
      for (let i = 0; i < 3 && run.outcome !== 'succeeded'; i++) run = await sync(env);
      assert.equal(run.outcome, 'succeeded', JSON.stringify(run.error));
      await new Promise((r) => setTimeout(r, 1100));
      const c = env.intacct.company;
      const gl = [...c.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL')].slice(0, 30);
      for (const r of gl.slice(0, 10)) c.edit('GLDETAIL', r.RECORDNO!, { AMOUNT: '77.70' });
      for (const r of gl.slice(20, 25)) c.remove('GLDETAIL', r.RECORDNO!);
      await new Promise((r) => setTimeout(r, 1100));
      run = await sync(env);
      for (let i = 0; i < 3 && run.outcome !== 'succeeded'; i++) run = await sync(env);
      assert.equal(run.outcome, 'succeeded', JSON.stringify(run.error));
      env.intacct.setFaults({ rate: 0, kinds: [] });
      env.tableau.setFaults({ rate: 0, kinds: [] });
      await assertConverged(env);
      const ids = env.tableau.appliedRequestIds;
      assert.equal(new Set(ids).size, ids.length, 'no batch applied twice');
      assert.ok(env.intacct.requests.some((r) => r.fault) && env.tableau.requests.some((r) => r.fault), 'faults were injected');
    });
  });
  describe('an audit trail that keeps failing', () => {
    let env: DemoEnvironment;
    before(async () => {
      env = await start(join(root, 'audit-errors'), 500);
    });
    after(async () => env?.close());

    it('skips the failing AUDITHISTORY window with a warning that names it, and still removes the deleted records', async () => {
      const first = await sync(env);
      assert.equal(first.outcome, 'succeeded', JSON.stringify(first.error));
      await new Promise((r) => setTimeout(r, 1100));
      const c = env.intacct.company;
      const vendors = [...c.list('VENDOR')].map((r) => Number(r.RECORDNO));
      c.remove('VENDOR', vendors[7]!);
      c.remove('VENDOR', vendors[8]!);
      // Every AUDITHISTORY page that holds the first deletion fails, however often it is asked for.
      const audit = [...c.list('AUDITHISTORY', (r) => r.OBJECTTYPE === 'vendor' && r.ACCESSMODE === 'D')];
      env.intacct.poisonAuditEntries([Number(audit[0]!.ID)]);
      await new Promise((r) => setTimeout(r, 1100));
      const second = await sync(env, ['vendor']);
      assert.equal(second.outcome, 'succeeded', JSON.stringify(second.error));
      assert.deepEqual(moved(second, 'vendor'), [0, 2], 'both deletions reached Tableau');
      await assertConverged(env);
      const warnings = (await env.service.queryLogs({ runId: second.runId, level: 'warn' })).map((l) => l.message);
      assert.ok(
        warnings.some((m) => /AUDITHISTORY\) for \d{4}-\d\d-\d\dT[\d:.]+Z – \d{4}-/.test(m)),
        warnings.join('\n'),
      );
    });
  });

  describe('extra fields', () => {
    let env: DemoEnvironment;
    before(async () => {
      env = await start(join(root, 'extra-fields'), 1500);
    });
    after(async () => env?.close());

    /** Per RECORDNO, the field's value in Intacct (empty → null) and in Tableau. */
    async function bothSides(object: string, datasource: string, field: string) {
      const intacct = new Map([...env.intacct.company.list(object)].map((r) => [String(r.RECORDNO), r[field] ? r[field] : null]));
      const rows = (await env.tableau.readRows(datasource)) ?? [];
      const tableau = new Map(rows.map((r) => [String(r.RECORDNO), r[field]]));
      return { intacct, tableau, rows };
    }

    it("custom fields found by lookup load as columns with Intacct's values; removing one reloads that stream", async () => {
      const offered = await env.service.listFields({ stream: 'gl_detail' });
      const program = offered.find((f) => f.field === 'GLDIMSALES_CHANNEL');
      // User-defined dimensions are GLDIM* fields with ISCUSTOM false (intacct-objects.md); lookup still offers them first.
      assert.deepEqual(program && [program.inStream, program.type], [false, 'text'], 'lookup offers the dimension');
      const settings = await env.service.getSettings();
      settings.streams.extraFields = { gl_detail: [{ field: 'GLDIMSALES_CHANNEL', type: 'text' }], vendor: [{ field: 'VENDOR_CF_TEXT', type: 'text' }] };
      assert.equal((await env.service.saveSettings(settings)).ok, true);
      const first = await sync(env);
      assert.equal(first.outcome, 'succeeded', JSON.stringify(first.error));
      await assertConverged(env);
      const gl = await bothSides('GLDETAIL', 'Intacct GL Detail', 'GLDIMSALES_CHANNEL');
      assert.ok(gl.tableau.size > 1000, `${gl.tableau.size} GL rows`);
      for (const [key, value] of gl.tableau) assert.equal(value, gl.intacct.get(key), `GLDETAIL ${key}`);
      assert.ok([...gl.tableau.values()].some((v) => v !== null) && [...gl.tableau.values()].some((v) => v === null), 'some rows have a program, some not');
      const vendors = await bothSides('VENDOR', 'Intacct Vendors', 'VENDOR_CF_TEXT');
      assert.deepEqual(vendors.tableau, vendors.intacct);
      assert.ok((await env.service.listFields({ stream: 'gl_detail' })).find((f) => f.field === 'GLDIMSALES_CHANNEL')?.inStream, 'now in the stream');

      settings.streams.extraFields = { vendor: [{ field: 'VENDOR_CF_TEXT', type: 'text' }] };
      assert.equal((await env.service.saveSettings(settings)).ok, true);
      await new Promise((r) => setTimeout(r, 1100));
      const second = await sync(env);
      assert.equal(second.outcome, 'succeeded', JSON.stringify(second.error));
      assert.deepEqual(
        second.streams.filter((r) => r.fullLoad).map((r) => r.stream),
        ['gl_detail'],
        'only the reshaped stream reloads',
      );
      const after = await bothSides('GLDETAIL', 'Intacct GL Detail', 'GLDIMSALES_CHANNEL');
      assert.ok(after.rows.length > 1000 && after.rows.every((r) => !('GLDIMSALES_CHANNEL' in r)), 'the column is gone');
      await assertConverged(env);
    });

    it("a related field (VENDOR.NAME on AP bills) loads the related record's value under a flat column", async () => {
      const settings = await env.service.getSettings();
      settings.streams.extraFields = { ap_bill: [{ field: 'VENDOR.NAME', type: 'text' }] };
      assert.equal((await env.service.saveSettings(settings)).ok, true);
      const run = await sync(env, ['ap_bill']);
      assert.equal(run.outcome, 'succeeded', JSON.stringify(run.error));
      const names = new Map([...env.intacct.company.list('VENDOR')].map((v) => [v.VENDORID!, v.NAME!]));
      const rows = (await env.tableau.readRows('Intacct AP Bills')) ?? [];
      assert.ok(rows.length > 100);
      for (const r of rows) assert.equal(r.VENDOR_NAME, names.get(String(r.VENDORID)) ?? null, `bill ${String(r.RECORDNO)}`);
      settings.streams.extraFields = {};
      assert.equal((await env.service.saveSettings(settings)).ok, true);
    });

    it('a field Intacct does not know fails its stream with a message naming the field', async () => {
      const settings = await env.service.getSettings();
      settings.streams.extraFields = { vendor: [{ field: 'NO_SUCH_FIELD', type: 'text' }] };
      assert.equal((await env.service.saveSettings(settings)).ok, true);
      const run = await sync(env, ['vendor']);
      assert.equal(run.outcome, 'failed');
      const vendor = run.streams.find((r) => r.stream === 'vendor')!;
      assert.match(vendor.error?.message ?? '', /NO_SUCH_FIELD/);
      assert.match(vendor.error?.message ?? '', /Settings › Streams/);
    });
  });
});
