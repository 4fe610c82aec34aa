/**
 * Issue 15, acceptance 1: every model is computed independently in TypeScript from the emulator's
 * records (expected-gl.ts, expected-ap.ts: integer cents, day numbers, no SQL) and compared, to the
 * cent, with the rows the model stage actually published to the Tableau emulator (through the real
 * client and loader), not with the local models.hyper. The sample company has two entities with two
 * base currencies (USD, CAD) and EUR bills, a fiscal year read from Intacct that starts in April,
 * partial payments, vendor credits (applied and open), discounts and bills paid late; the test
 * checks each of those is present in the data it compares, so none is vacuous.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { createNodeFetch } from '../../../../main/core/http/transport';
import { createTableauClient, loadBatch } from '../../../../main/core/tableau';
import { startTableauEmulator, type TableauEmulator } from '../../../../main/emulators/tableau';
import { SAMPLE_FISCAL_YEAR_START_MONTH, SampleCompany } from '../../../../main/emulators/intacct/sample-company';
import type { IntacctRecord } from '../../../../main/emulators/intacct/object-catalog';
import { defaultModelSettings } from '../../../../main/core/service/settings';
import { runModels } from '../../../../main/core/models/run-models';
import type { LoadFn } from '../../../../main/core/sync/ports';
import { MODEL_DATASOURCES, MODEL_NAMES, type ModelName, type ModelsRun } from '../../../../shared/models';
import { openReplica, v, type Replica } from './replica-fixture';
import { expectedBalances, expectedStatementRow, toText } from './expected-gl';
import { expectedAging, expectedFlow, expectedVendorPerformance } from './expected-ap';

const NOW = Date.UTC(2026, 0, 15, 12);
const GL_KEY = ['ENTITY', 'BASECURR', 'ACCOUNTNO', 'DEPARTMENTID', 'LOCATIONID', 'CLASSID', 'PERIOD'];
type Cells = Record<string, unknown>;
/** A cell as text (null kept): the emulator gives numerics as exact decimals with the column's scale, BIGINT as numbers. */
const cell = (x: unknown) => (x === null || x === undefined ? null : String(x));
/** Each row projected on `fields`, as JSON text, sorted: two row sets compare as multisets. */
const rowsText = (rows: readonly object[], fields: readonly string[]) => rows.map((r) => JSON.stringify(fields.map((f) => cell((r as Cells)[f])))).sort();

describe('acceptance 1: every published model equals an independent TypeScript computation, to the cent', { timeout: 300_000 }, () => {
  let replica: Replica;
  let emulator: TableauEmulator;
  let run: ModelsRun;
  const records: Record<string, IntacctRecord[]> = {};
  const published = new Map<ModelName, Cells[]>();

  before(async () => {
    const company = new SampleCompany({ clock: new ManualClock(Date.UTC(2026, 0, 15)), glRows: 3000, bills: 400, vendors: 40 });
    for (const [o, f] of [
      ['GLDETAIL', (r: IntacctRecord) => r.BOOKID === 'ACCRUAL'],
      ['GLACCOUNT'],
      ['APBILL'],
      ['APPYMTDETAIL'],
      ['APPYMT'],
      ['LOCATION'],
    ] as const)
      records[o] = [...company.list(o, f)];
    replica = await openReplica('published-models-', {
      gl_detail: records.GLDETAIL!,
      gl_account: records.GLACCOUNT!,
      ap_bill: records.APBILL!,
      ap_payment_detail: records.APPYMTDETAIL!,
      ap_payment: records.APPYMT!,
      location: records.LOCATION!,
    });
    emulator = await startTableauEmulator({ jobPollsToComplete: 1 });
    const client = createTableauClient({
      serverUrl: emulator.url,
      site: emulator.site,
      auth: { kind: 'pat', name: emulator.patName, secret: emulator.patSecret },
      fetch: createNodeFetch(),
      clock: new ManualClock(NOW),
      jobPoll: { initialDelayMs: 5, factor: 1, maxDelayMs: 5 },
    });
    await client.signIn();
    const projectId = (await client.findProject('Models', { create: true }))!.id;
    const load: LoadFn = async (batch, o) => {
      const r = await loadBatch(client, batch, o.signal ? { signal: o.signal } : {});
      return { datasourceId: r.datasourceId, jobId: r.jobId };
    };
    // Default settings: every model on, the fiscal year from Sage Intacct.
    run = await runModels(
      { replica: { path: () => replica.path, asOf: () => NOW }, engine: replica.engine, dir: replica.dir },
      {
        runId: 'acceptance-1',
        settings: defaultModelSettings(),
        timezone: 'UTC',
        startedAt: NOW,
        projectId,
        full: true,
        datasourceExists: async (name, project) => (await client.findDatasource(name, project)) !== null,
        clock: new ManualClock(NOW),
        load,
        signal: new AbortController().signal,
        log: () => undefined,
      },
    );
    for (const m of MODEL_NAMES) published.set(m, (await emulator.readRows(MODEL_DATASOURCES[m])) ?? []);
  });
  after(async () => {
    await emulator?.close();
    await replica?.close();
  });

  it('publishes all six models, with the fiscal year start read from the entities in Sage Intacct (April)', () => {
    assert.deepEqual(
      run.models.map((m) => [m.model, m.outcome]),
      MODEL_NAMES.map((m) => [m, 'published']),
      JSON.stringify(run.models.map((m) => m.message)),
    );
    for (const m of run.models) assert.equal(published.get(m.model)!.length, m.rows, m.model);
    assert.deepEqual([run.fiscalYear?.startMonth, run.fiscalYear?.source], [SAMPLE_FISCAL_YEAR_START_MONTH, 'intacct']);
    assert.notEqual(SAMPLE_FISCAL_YEAR_START_MONTH, 1);
    assert.equal(run.accountingChecks?.ok, true, JSON.stringify(run.accountingChecks));
  });

  it('GL balances, P&L and balance sheet: each published row equals the TypeScript balances (two entities, two base currencies, April fiscal year)', () => {
    const balances = expectedBalances(records.GLDETAIL!, records.GLACCOUNT!, SAMPLE_FISCAL_YEAR_START_MONTH);
    const gl = published.get('gl_balances')!;
    const fields = ['OPENING_BALANCE', 'NET_CHANGE', 'CLOSING_BALANCE', 'FISCAL_YEAR_START', 'LINE_COUNT'];
    assert.deepEqual(
      rowsText(gl, [...GL_KEY, ...fields]),
      [...balances].map(([k, e]) => JSON.stringify([...JSON.parse(k), toText(e.opening), toText(e.net), toText(e.closing), e.fyStart, String(e.lines)])).sort(),
    );
    assert.ok(new Set(gl.map((r) => r.ENTITY)).size >= 2 && new Set(gl.map((r) => r.BASECURR)).size === 2, 'two entities, two base currencies');
    // The sample GL covers 2025: fiscal years starting 2024-04-01 and 2025-04-01; P&L balances carry into March and restart in April.
    const pl = gl.filter((r) => r.ACCOUNTTYPE === 'incomestatement');
    assert.deepEqual([...new Set(gl.map((r) => r.FISCAL_YEAR_START))].sort(), ['2024-04-01', '2025-04-01']);
    assert.ok(
      pl.some((r) => r.PERIOD === '2025-03-01' && r.OPENING_BALANCE !== '0.00'),
      'carried into March',
    );
    assert.ok(
      pl.filter((r) => r.PERIOD === '2025-04-01').every((r) => r.OPENING_BALANCE === '0.00'),
      'restarted in April',
    );

    const accounts = new Map(records.GLACCOUNT!.map((a) => [v(a, 'ACCOUNTNO')!, a]));
    const want: Record<'pnl' | 'balance_sheet', string[]> = { pnl: [], balance_sheet: [] };
    const fieldsOf: Partial<Record<'pnl' | 'balance_sheet', string[]>> = {};
    for (const [k, e] of balances) {
      const { statement, row } = expectedStatementRow(k, e, accounts);
      fieldsOf[statement] ??= Object.keys(row);
      want[statement].push(JSON.stringify([...JSON.parse(k), ...fieldsOf[statement]!.map((f) => row[f] ?? null)]));
    }
    for (const statement of ['pnl', 'balance_sheet'] as const) {
      assert.deepEqual(rowsText(published.get(statement)!, [...GL_KEY, ...fieldsOf[statement]!]), want[statement].sort(), statement);
      assert.ok(want[statement].length > 100, `${statement}: ${want[statement].length} rows`);
    }
  });

  it("AP aging: the published snapshot is the TypeScript open bills at the run's date, with days past due and buckets", () => {
    const expected = expectedAging(records.APBILL!, '2026-01-15');
    const rows = published.get('ap_aging')!;
    const fields = Object.keys(expected[0]!);
    assert.deepEqual(rowsText(rows, fields), rowsText(expected, fields));
    assert.ok(rows.every((r) => r.SNAPSHOT_DATE === '2026-01-15'));
    assert.ok(new Set(expected.map((e) => e.AGING_BUCKET)).size >= 4, 'several buckets');
    assert.ok(
      expected.some((e) => e.TOTALDUE.startsWith('-')),
      'an open vendor credit',
    );
  });

  it('bill-to-payment flow: the published rows equal the TypeScript flow (partial payments, credits, discounts, bills paid late)', () => {
    const flow = expectedFlow(records.APBILL!, records.APPYMTDETAIL!, records.APPYMT!);
    const flowFields = Object.keys(flow[0]!);
    assert.deepEqual(rowsText(published.get('bill_payment_flow')!, flowFields), rowsText(flow, flowFields));
    const has = (ok: boolean, what: string) => assert.ok(ok, what);
    has(
      flow.some((x) => x.IS_PARTIAL === true),
      'a partial payment',
    );
    has(
      flow.some((x) => x.BILL_TIMING === 'late'),
      'a bill paid late',
    );
    has(
      flow.some((x) => x.DISCOUNT_TAKEN !== '0.00'),
      'a discount taken',
    );
    has(
      flow.some((x) => !x.TOTALENTERED.startsWith('-') && x.CREDIT_APPLIED !== '0.00' && x.SETTLED_DATE !== null),
      'a vendor credit applied to a bill',
    );
    has(flow.some((x) => x.BASECURR === 'CAD') && records.APBILL!.some((b) => b.CURRENCY === 'EUR'), 'a CAD entity and EUR bills');
  });

  it('vendor performance: the published rows equal the TypeScript months from that flow (credits, late payments, open balance)', () => {
    const perf = expectedVendorPerformance(expectedFlow(records.APBILL!, records.APPYMTDETAIL!, records.APPYMT!));
    const perfFields = Object.keys(perf[0]!);
    assert.deepEqual(rowsText(published.get('vendor_performance')!, perfFields), rowsText(perf, perfFields));
    assert.ok(
      perf.some((x) => x.CREDIT_APPLIED !== '0.00') && perf.some((x) => x.SHARE_PAID_LATE !== null && x.SHARE_PAID_LATE !== '0.0000'),
      'vendor months with credits and with late payments',
    );
  });
});
