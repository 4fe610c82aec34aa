/**
 * The model stage (run-models.ts) against a replica of the sample company and the Tableau emulator
 * through the real client and loader: one data source per enabled model whose rows equal the
 * model's SQL (GL balances also against plain TypeScript, to the cent); a disabled model is not
 * published; after GL lines change in one month only that month is recomputed and the published
 * balances equal a full rebuild; a GL line removed from the replica breaks the trial balance check,
 * naming its period and account; no replica skips every model with the reason.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { createNodeFetch } from '../../../../main/core/http/transport';
import { createTableauClient, loadBatch, type TableauClient } from '../../../../main/core/tableau';
import { startTableauEmulator, type TableauEmulator } from '../../../../main/emulators/tableau';
import { SAMPLE_FISCAL_YEAR_START_MONTH, SampleCompany } from '../../../../main/emulators/intacct/sample-company';
import type { IntacctRecord } from '../../../../main/emulators/intacct/object-catalog';
import { ApiError } from '../../../../main/core/errors';
import { defaultModelSettings } from '../../../../main/core/service/settings';
import { glBalancesSql, qualifiedName } from '../../../../main/core/models/gl-balances';
import { pnlSql, balanceSheetSql } from '../../../../main/core/models/financial-statements';
import { apAgingSnapshotSql } from '../../../../main/core/models/ap-aging';
import { billPaymentFlowSql } from '../../../../main/core/models/bill-payment-flow';
import { MODEL_SPECS } from '../../../../main/core/models/model-catalog';
import { runModels, type ModelStageInput } from '../../../../main/core/models/run-models';
import { modelsError } from '../../../../main/core/models/model-stage';
import { publishThroughLoad } from '../../../../main/core/models/publish-models';
import type { ModelStageDeps, PublishModelFn } from '../../../../main/core/models/model-ports';
import type { LoadFn } from '../../../../main/core/sync/ports';
import { MODEL_DATASOURCES, type ModelName, type ModelSettings } from '../../../../shared/models';
import { openReplica, v, type Replica } from './replica-fixture';
import { expectedBalances, toText } from './expected-gl';

/** The sample company's entities all start their fiscal year in April (LOCATION.FIRSTMONTH); the models read it from there. */
const FY = SAMPLE_FISCAL_YEAR_START_MONTH;
const NOW = Date.UTC(2026, 0, 15, 12);
const rep = (t: string) => qualifiedName('rep', 'replica', t);
/** Rows as comparable text: every cell as a string (null kept), each row as JSON, sorted. */
const canon = (rows: readonly Record<string, unknown>[], columns: readonly string[]) =>
  rows.map((r) => JSON.stringify(columns.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))))).sort();

describe('model stage: build, check and publish every enabled model', { timeout: 300_000 }, () => {
  let replica: Replica;
  let emulator: TableauEmulator;
  let client: TableauClient;
  let projectId: string;
  let gl: IntacctRecord[];
  let accounts: IntacctRecord[];
  let settings: ModelSettings;
  const logs: string[] = [];

  before(async () => {
    const company = new SampleCompany({ clock: new ManualClock(Date.UTC(2026, 0, 15)), glRows: 3000, bills: 200 });
    gl = [...company.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL')];
    accounts = [...company.list('GLACCOUNT')];
    replica = await openReplica('run-models-', {
      gl_detail: gl,
      gl_account: accounts,
      ap_bill: company.list('APBILL'),
      ap_payment_detail: company.list('APPYMTDETAIL'),
      ap_payment: company.list('APPYMT'),
      location: company.list('LOCATION'),
    });
    emulator = await startTableauEmulator({ jobPollsToComplete: 1 });
    const clock = new ManualClock(NOW);
    client = createTableauClient({
      serverUrl: emulator.url,
      site: emulator.site,
      auth: { kind: 'pat', name: emulator.patName, secret: emulator.patSecret },
      fetch: createNodeFetch(),
      clock,
      jobPoll: { initialDelayMs: 5, factor: 1, maxDelayMs: 5 },
    });
    await client.signIn();
    projectId = (await client.findProject('Models', { create: true }))!.id;
    settings = defaultModelSettings();
    assert.equal(settings.fiscalYearStart, 'intacct');
    assert.notEqual(FY, 1, 'the sample fiscal year does not start in January');
    settings.enabled.vendor_performance = false;
  });
  after(async () => {
    await emulator?.close();
    await replica?.close();
  });

  const load: LoadFn = async (batch, o) => {
    const r = await loadBatch(client, batch, o.signal ? { signal: o.signal } : {});
    return { datasourceId: r.datasourceId, jobId: r.jobId };
  };
  const deps = (extra: Partial<ModelStageDeps> = {}): ModelStageDeps => ({
    replica: { path: () => replica.path, asOf: () => NOW },
    engine: replica.engine,
    dir: replica.dir,
    ...extra,
  });
  const input = (extra: Partial<ModelStageInput> = {}): ModelStageInput => ({
    runId: 'run-1',
    settings,
    timezone: 'UTC',
    startedAt: NOW,
    projectId,
    full: false,
    clock: new ManualClock(NOW),
    load,
    datasourceExists: async (name, project) => (await client.findDatasource(name, project)) !== null,
    signal: new AbortController().signal,
    log: (level, message) => logs.push(`${level} ${message}`),
    ...extra,
  });
  const sqlRows = async (sql: string) => (await replica.client.query<Record<string, unknown>>(sql)).rows;
  const published = async (name: string) => (await emulator.readRows(name)) ?? [];
  const columnsOf = async (name: string) => (await emulator.datasourceColumns(name)).map((c) => c.name);

  it('publishes one data source per enabled model with the rows of its SQL; a disabled model is not published; the checks hold', async () => {
    const run = await runModels(deps(), input({ full: true }));
    assert.deepEqual(
      run.models.map((m) => [m.model, m.outcome, m.mode]),
      [
        ['gl_balances', 'published', 'full'],
        ['pnl', 'published', 'full'],
        ['balance_sheet', 'published', 'full'],
        ['ap_aging', 'published', 'full'],
        ['bill_payment_flow', 'published', 'full'],
      ],
      JSON.stringify(run.models.map((m) => m.message)),
    );
    assert.equal(modelsError(run, 'run-1'), null);
    assert.deepEqual([run.fiscalYear?.startMonth, run.fiscalYear?.source], [FY, 'intacct'], run.fiscalYear?.note);
    assert.match(run.fiscalYear!.note, /^April, the first fiscal month of entities CA-HP, US-HP in Sage Intacct\.$/);
    assert.equal(await emulator.readRows(MODEL_DATASOURCES.vendor_performance), null, 'vendor performance is off: not published');
    const glSrc = { glDetail: rep('gl_detail'), glAccount: rep('gl_account') };
    const balancesTable = '(' + glBalancesSql(glSrc, { fiscalYearStartMonth: FY }) + ')';
    const expectedSql: Record<Exclude<ModelName, 'vendor_performance'>, string> = {
      gl_balances: glBalancesSql(glSrc, { fiscalYearStartMonth: FY }),
      pnl: pnlSql({ glBalances: balancesTable, glAccount: rep('gl_account') }),
      balance_sheet: balanceSheetSql({ glBalances: balancesTable, glAccount: rep('gl_account') }),
      ap_aging: apAgingSnapshotSql(rep('ap_bill'), '2026-01-15'),
      bill_payment_flow: billPaymentFlowSql({ apBill: rep('ap_bill'), apPaymentDetail: rep('ap_payment_detail'), apPayment: rep('ap_payment') }),
    };
    for (const m of run.models) {
      const cols = await columnsOf(m.datasource);
      const rows = await published(m.datasource);
      assert.equal(rows.length, m.rows, `${m.model}: rows reported`);
      assert.ok(rows.length > 10, `${m.model}: ${rows.length} rows`);
      assert.deepEqual(
        canon(rows, cols),
        canon(await sqlRows(expectedSql[m.model as keyof typeof expectedSql]), cols),
        `${m.model}: published rows equal its SQL`,
      );
    }
    // GL balances to the cent against plain TypeScript from the emulator's records.
    const expected = expectedBalances(gl, accounts, FY);
    const rows = await published(MODEL_DATASOURCES.gl_balances);
    assert.equal(rows.length, expected.size);
    for (const r of rows) {
      const key = JSON.stringify(['ENTITY', 'BASECURR', 'ACCOUNTNO', 'DEPARTMENTID', 'LOCATIONID', 'CLASSID', 'PERIOD'].map((k) => r[k] ?? null));
      const e = expected.get(key);
      assert.ok(e, key);
      assert.deepEqual([r.OPENING_BALANCE, r.NET_CHANGE, r.CLOSING_BALANCE], [toText(e.opening), toText(e.net), toText(e.closing)], key);
    }
    assert.equal(run.accountingChecks?.ok, true, JSON.stringify(run.accountingChecks));
    assert.deepEqual(
      run.accountingChecks.checks.map((c) => [c.check, c.ok]),
      [
        ['trial_balance', true],
        ['net_income', true],
        ['ap_aging_total', true],
      ],
    );
  });

  it('after GL lines change in one month, recomputes only that month and publishes what a full rebuild gives', async () => {
    const june = gl
      .filter((r) => v(r, 'BATCH_DATE')!.startsWith('06/') && v(r, 'DEBITAMOUNT'))
      .slice(0, 3)
      .map((r) => r.RECORDNO!);
    assert.equal(june.length, 3);
    const inList = june.map((k) => `'${k}'`).join(', ');
    // Both sides of the change, so the entries still balance: debit +10.00 on the lines, credit the same amount on a copy.
    await replica.client.query(`UPDATE ${rep('gl_detail')} SET "DEBITAMOUNT" = "DEBITAMOUNT" + 10, "AMOUNT" = "AMOUNT" + 10 WHERE "RECORDNO" IN (${inList})`);
    const run = await runModels(deps(), input({ runId: 'run-2' }));
    const balances = run.models.find((m) => m.model === 'gl_balances')!;
    assert.equal(balances.mode, 'incremental');
    assert.deepEqual(balances.periods, [`${gl.find((r) => r.RECORDNO === june[0])!.BATCH_DATE!.slice(6, 10)}-06-01`]);
    assert.equal(run.models.find((m) => m.model === 'pnl')!.mode, 'incremental', 'the statements follow the balances');
    const cols = await columnsOf(MODEL_DATASOURCES.gl_balances);
    const full = await sqlRows(glBalancesSql({ glDetail: rep('gl_detail'), glAccount: rep('gl_account') }, { fiscalYearStartMonth: FY }));
    assert.deepEqual(canon(await published(MODEL_DATASOURCES.gl_balances), cols), canon(full, cols));

    // The debits changed alone: that month's trial balance is off by 30.00 and names the lines' accounts.
    const tb = run.accountingChecks!.checks.find((c) => c.check === 'trial_balance')!;
    assert.equal(tb.ok, false);
    assert.ok(
      tb.breaks.every((b) => b.period.endsWith('-06')),
      JSON.stringify(tb.breaks),
    );
    assert.equal(run.accountingChecks!.ok, false);
    await replica.client.query(`UPDATE ${rep('gl_detail')} SET "DEBITAMOUNT" = "DEBITAMOUNT" - 10, "AMOUNT" = "AMOUNT" - 10 WHERE "RECORDNO" IN (${inList})`);
    const back = await runModels(deps(), input({ runId: 'run-3' }));
    assert.equal(back.accountingChecks!.ok, true);
  });

  it('a model nothing of which changed is not uploaded again; a changed month or a new name republishes it, equal to a full rebuild', async () => {
    const real = publishThroughLoad(load);
    let uploads: string[] = [];
    const publish: PublishModelFn = (req, opts) => {
      uploads.push(req.spec.name);
      return real(req, opts);
    };
    const glSrc = { glDetail: rep('gl_detail'), glAccount: rep('gl_account') };
    const fullSql = (): Record<'gl_balances' | 'pnl' | 'balance_sheet', string> => {
      const balances = '(' + glBalancesSql(glSrc, { fiscalYearStartMonth: FY }) + ')';
      return {
        gl_balances: glBalancesSql(glSrc, { fiscalYearStartMonth: FY }),
        pnl: pnlSql({ glBalances: balances, glAccount: rep('gl_account') }),
        balance_sheet: balanceSheetSql({ glBalances: balances, glAccount: rep('gl_account') }),
      };
    };
    const equalsFullRebuild = async (names: Partial<Record<ModelName, string>> = {}) => {
      for (const [m, sql] of Object.entries(fullSql()) as ['gl_balances' | 'pnl' | 'balance_sheet', string][]) {
        const ds = names[m] ?? MODEL_DATASOURCES[m];
        const cols = await columnsOf(ds);
        assert.deepEqual(canon(await published(ds), cols), canon(await sqlRows(sql), cols), `${m}: published rows equal a full rebuild`);
      }
    };
    const glModels = (run: Awaited<ReturnType<typeof runModels>>) =>
      run.models.filter((m) => ['gl_balances', 'pnl', 'balance_sheet'].includes(m.model)).map((m) => [m.model, m.outcome, m.upToDate ?? false]);

    // Nothing changed since run-3: the GL models are not uploaded; the AP ones are (today's snapshot).
    const same = await runModels(deps({ publish }), input({ runId: 'run-8' }));
    assert.deepEqual(glModels(same), [
      ['gl_balances', 'published', true],
      ['pnl', 'published', true],
      ['balance_sheet', 'published', true],
    ]);
    assert.deepEqual(uploads, ['ap_aging', 'bill_payment_flow']);
    assert.equal(same.models.find((m) => m.model === 'pnl')!.rows, (await published(MODEL_DATASOURCES.pnl)).length, 'rows reported without an upload');
    await equalsFullRebuild();

    // One month changes: the three are built and uploaded again.
    const line = gl.find((r) => v(r, 'BATCH_DATE')!.startsWith('03/') && v(r, 'DEBITAMOUNT'))!;
    const edit = (d: number) =>
      replica.client.query(
        `UPDATE ${rep('gl_detail')} SET "DEBITAMOUNT" = "DEBITAMOUNT" + ${d}, "AMOUNT" = "AMOUNT" + ${d} WHERE "RECORDNO" = '${line.RECORDNO}'`,
      );
    await edit(5);
    uploads = [];
    const changed = await runModels(deps({ publish }), input({ runId: 'run-9' }));
    assert.deepEqual(glModels(changed), [
      ['gl_balances', 'published', false],
      ['pnl', 'published', false],
      ['balance_sheet', 'published', false],
    ]);
    assert.deepEqual(uploads.slice(0, 3), ['gl_balances', 'pnl', 'balance_sheet']);
    await equalsFullRebuild();
    await edit(-5);
    await runModels(deps({ publish }), input({ runId: 'run-10' }));
    await equalsFullRebuild();

    // A renamed data source is a new target: uploaded although its rows did not change.
    uploads = [];
    const names = { pnl: 'Renamed P&L' };
    const renamed = await runModels(deps({ publish }), input({ runId: 'run-11', settings: { ...settings, datasourceNames: names } }));
    assert.deepEqual(glModels(renamed), [
      ['gl_balances', 'published', true],
      ['pnl', 'published', false],
      ['balance_sheet', 'published', true],
    ]);
    await equalsFullRebuild(names);

    // A data source deleted in Tableau since its last upload is uploaded again, although its rows did not change.
    uploads = [];
    const gone = await runModels(
      deps({ publish }),
      input({ runId: 'run-12', settings: { ...settings, datasourceNames: names }, datasourceExists: async (name) => name !== names.pnl }),
    );
    assert.deepEqual(glModels(gone), [
      ['gl_balances', 'published', true],
      ['pnl', 'published', false],
      ['balance_sheet', 'published', true],
    ]);
    assert.ok(uploads.includes('pnl'), uploads.join(','));
  });

  it('a GL line removed from the replica makes the trial balance check name its period and account', async () => {
    const line = gl.find((r) => v(r, 'BATCH_DATE')!.startsWith('09/') && v(r, 'CREDITAMOUNT'))!;
    await replica.client.query(`DELETE FROM ${rep('gl_detail')} WHERE "RECORDNO" = '${line.RECORDNO}'`);
    const run = await runModels(deps(), input({ runId: 'run-4' }));
    const tb = run.accountingChecks!.checks.find((c) => c.check === 'trial_balance')!;
    assert.equal(tb.ok, false);
    const period = `${line.BATCH_DATE!.slice(6, 10)}-09`;
    const brk = tb.breaks.find((b) => b.period === period && b.entity === v(line, 'CHILDENTITY'));
    assert.ok(brk, JSON.stringify(tb.breaks));
    assert.ok(brk.accounts.includes(line.ACCOUNTNO!), `${brk.accounts.join(',')} names ${line.ACCOUNTNO}`);
    assert.equal(brk.difference, toText(Math.round(Number(line.CREDITAMOUNT) * 100)));
    assert.match(brk.message, new RegExp(`Trial balance for ${period}`));
    assert.ok(
      logs.some((l) => l.startsWith('warn Accounting check: Trial balance for')),
      'the break is a warning in the log',
    );
    assert.equal(run.models.find((m) => m.model === 'gl_balances')!.periods?.length, 1, 'only that month recomputed');
  });

  it('a model that cannot be published is a failure naming the model and why; the others still publish', async () => {
    const real = publishThroughLoad(load);
    const publish: PublishModelFn = (req, opts) =>
      req.spec.name === 'ap_aging'
        ? Promise.reject(new ApiError({ service: 'tableau', userMessage: 'Tableau refused the file (disk full).' }))
        : real(req, opts);
    const run = await runModels(deps({ publish }), input({ runId: 'run-5' }));
    const aging = run.models.find((m) => m.model === 'ap_aging')!;
    assert.equal(aging.outcome, 'failed');
    assert.match(aging.message!, /disk full/);
    assert.equal(run.models.filter((m) => m.outcome === 'published').length, 4);
    const err = modelsError(run, 'run-5');
    assert.match(err!.message, /AP aging over time \(Publishing it failed: Tableau refused the file \(disk full\)\.\)/);
  });

  it('a stream whose local copy cannot be used skips the models that read it and builds the others', async () => {
    const reason = 'loading, a full load is under way';
    const run = await runModels(
      deps({ replica: { path: () => replica.path, asOf: () => NOW, unusable: () => new Map([['ap_bill', reason]]) } }),
      input({ runId: 'run-7' }),
    );
    const byName = new Map(run.models.map((m) => [m.model, m]));
    for (const m of run.models) {
      const readsBills = MODEL_SPECS[m.model].streams.includes('ap_bill');
      assert.equal(m.outcome, readsBills ? 'skipped' : 'published', `${m.model}: ${m.message}`);
      if (readsBills) assert.ok(m.message?.includes(reason), m.message ?? '');
    }
    assert.equal(byName.get('gl_balances')?.outcome, 'published');
  });

  it('entities whose fiscal years disagree skip the GL models naming them and the override; the override builds them; none set is January with a note', async () => {
    const loc = rep('location');
    await replica.client.query(`UPDATE ${loc} SET "FIRSTMONTH" = '7' WHERE "LOCATIONID" = 'CA-HP'`);
    try {
      const run = await runModels(deps(), input({ runId: 'run-8' }));
      assert.equal(run.fiscalYear?.startMonth, null);
      for (const m of run.models) {
        const gl = ['gl_balances', 'pnl', 'balance_sheet'].includes(m.model);
        assert.equal(m.outcome, gl ? 'skipped' : 'published', `${m.model}: ${m.message}`);
        if (gl) assert.match(m.message!, /US-HP: April; CA-HP: July.*Fiscal year starts in to override/);
      }
      assert.ok(logs.some((l) => l.startsWith('warn Fiscal year: The entities')));
      const over = await runModels(deps(), input({ runId: 'run-9', settings: { ...settings, fiscalYearStart: 7 } }));
      assert.deepEqual([over.fiscalYear?.startMonth, over.fiscalYear?.source], [7, 'override']);
      assert.equal(over.models.find((m) => m.model === 'gl_balances')?.outcome, 'published');
      const julyRows = await published(MODEL_DATASOURCES.gl_balances);
      assert.ok(julyRows.length > 0 && julyRows.every((r) => String(r.FISCAL_YEAR_START).slice(5, 7) === '07'));
      await replica.client.query(`UPDATE ${loc} SET "FIRSTMONTH" = NULL`);
      const none = await runModels(deps(), input({ runId: 'run-10' }));
      assert.deepEqual([none.fiscalYear?.startMonth, none.fiscalYear?.source], [1, 'default']);
      assert.match(none.fiscalYear!.note, /^January: no entity in Sage Intacct has a first fiscal month .*override/);
      assert.equal(none.models.find((m) => m.model === 'gl_balances')?.outcome, 'published');
    } finally {
      await replica.client.query(`UPDATE ${loc} SET "FIRSTMONTH" = CASE WHEN "LOCATIONTYPE" = 'E' THEN '${FY}' END`);
    }
  });

  it('without a current replica every enabled model is skipped with the reason', async () => {
    const run = await runModels(deps({ replica: { path: () => null, asOf: () => null } }), input({ runId: 'run-6' }));
    assert.match(run.skippedReason!, /no current local replica/);
    assert.ok(run.models.length === 5 && run.models.every((m) => m.outcome === 'skipped' && m.rows === null));
    assert.equal(run.accountingChecks, null);
    assert.equal(modelsError(run, 'run-6'), null);
  });
});
