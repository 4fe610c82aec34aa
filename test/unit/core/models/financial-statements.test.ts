/**
 * P&L and balance sheet by month and the net-income check, computed by hyperd from a replica of
 * the sample company's GL detail and accounts, against plain TypeScript from the emulator's records
 * (integer cents, no SQL).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { IntacctRecord } from '../../../../main/emulators/intacct/object-catalog';
import { buildGlBalances, qualifiedName } from '../../../../main/core/models/gl-balances';
import { BALANCE_SHEET_COLUMNS, buildBalanceSheet, buildPnl, PNL_COLUMNS } from '../../../../main/core/models/financial-statements';
import { checkNetIncome, describeNetIncomeBreaks } from '../../../../main/core/models/net-income-check';
import { v } from './replica-fixture';
import { expectedBalances, expectedStatementRow, lineCents, openGlReplica, toText, ym, type GlReplica } from './expected-gl';

const FY_START_MONTH = 4;
const table = (name: string) => qualifiedName('rep', 'models', name);
const KEY = ['ENTITY', 'BASECURR', 'ACCOUNTNO', 'DEPARTMENTID', 'LOCATIONID', 'CLASSID', 'PERIOD'];

/** Builds balances, P&L and balance sheet from `glDetail`/`glAccount` into tables named with `suffix`. */
async function buildStatements(client: pg.Client, glDetail: string, glAccount: string, suffix = '', fyStartMonth = FY_START_MONTH) {
  const t = { glBalances: table(`gl_balances${suffix}`), pnl: table(`pnl${suffix}`), balanceSheet: table(`balance_sheet${suffix}`) };
  await buildGlBalances(client, t.glBalances, { glDetail, glAccount }, { fiscalYearStartMonth: fyStartMonth });
  const pnlRows = await buildPnl(client, t.pnl, { glBalances: t.glBalances, glAccount });
  const bsRows = await buildBalanceSheet(client, t.balanceSheet, { glBalances: t.glBalances, glAccount });
  return { ...t, pnlRows, bsRows };
}

/** Net income (credits − debits of income-statement lines) per entity × base currency × fiscal year, in cents. */
function expectedNetIncome(gl: IntacctRecord[], accounts: IntacctRecord[], fyStartMonth: number): Map<string, number> {
  const type = new Map(accounts.map((a) => [v(a, 'ACCOUNTNO')!, v(a, 'ACCOUNTTYPE')]));
  const out = new Map<string, number>();
  for (const r of gl) {
    if (type.get(v(r, 'ACCOUNTNO')!) !== 'incomestatement') continue;
    const [y, m] = ym(v(r, 'BATCH_DATE')!);
    const fy = `${m >= fyStartMonth ? y : y - 1}-${String(fyStartMonth).padStart(2, '0')}-01`;
    const key = JSON.stringify([fy, v(r, 'CHILDENTITY'), v(r, 'BASECURR')]);
    out.set(key, (out.get(key) ?? 0) - lineCents(r));
  }
  return out;
}

describe('P&L and balance sheet by month (hyperd) against the sample company', () => {
  let fx: GlReplica;
  before(async () => (fx = await openGlReplica('statements-')));
  after(() => fx?.replica.close());

  async function rowsByKey(name: string): Promise<Map<string, Record<string, unknown>>> {
    const r = await fx.client.query<Record<string, unknown>>(`SELECT * FROM ${name}`);
    return new Map(r.rows.map((row) => [JSON.stringify(KEY.map((f) => row[f])), row]));
  }

  it('split the balances by account type, with category, normal balance and signs, to the cent', async () => {
    const { client, gl, accounts, glTable, accountTable } = fx;
    const t = await buildStatements(client, glTable, accountTable);
    const account = new Map(accounts.map((a) => [v(a, 'ACCOUNTNO')!, a]));
    const expected = expectedBalances(gl, accounts, FY_START_MONTH);
    const pnl = await rowsByKey(t.pnl);
    const bs = await rowsByKey(t.balanceSheet);
    assert.equal(pnl.size, t.pnlRows);
    assert.equal(bs.size, t.bsRows);
    let pnlCount = 0,
      bsCount = 0;
    for (const [key, e] of expected) {
      const { statement, row: want } = expectedStatementRow(key, e, account);
      const row = (statement === 'pnl' ? pnl : bs).get(key);
      assert.ok(row, `${statement} row ${key}`);
      if (statement === 'pnl') pnlCount++;
      else bsCount++;
      assert.deepEqual(Object.fromEntries(Object.keys(want).map((f) => [f, f === 'LINE_COUNT' ? String(row[f]) : row[f]])), want, key);
    }
    assert.equal(pnl.size, pnlCount);
    assert.equal(bs.size, bsCount);
    assert.deepEqual(
      Object.keys(pnl.values().next().value!),
      PNL_COLUMNS.map((c) => c.name),
    );
    assert.deepEqual(
      Object.keys(bs.values().next().value!),
      BALANCE_SHEET_COLUMNS.map((c) => c.name),
    );
    // Both normal balances occur on each side, so the sign flip is exercised.
    for (const rows of [pnl, bs]) assert.deepEqual(new Set([...rows.values()].map((r) => r.NORMALBALANCE)), new Set(['debit', 'credit']));
  });

  for (const fyStartMonth of [FY_START_MONTH, 1]) {
    it(`net income of every fiscal year equals the change the balance sheet implies (fiscal year from month ${fyStartMonth})`, async () => {
      const { client, gl, accounts, glTable, accountTable } = fx;
      const t = await buildStatements(client, glTable, accountTable, `_fy${fyStartMonth}`, fyStartMonth);
      const result = await checkNetIncome(client, t);
      assert.deepEqual(result.breaks, []);
      assert.equal(result.ok, true);
      const expected = expectedNetIncome(gl, accounts, fyStartMonth);
      assert.equal(result.yearsChecked, expected.size);
      assert.ok(expected.size >= (fyStartMonth === 1 ? 2 : 4), 'two entities (two fiscal years each when the year starts in April)');
      assert.ok(
        [...expected.values()].every((c) => c !== 0),
        'every year has a non-zero net income',
      );
      // The figures the check compares, for one year, against the TypeScript net income.
      const pnlNi = await client.query<{ FY: string; ENTITY: string; BASECURR: string; NI: string }>(
        `SELECT CAST("FISCAL_YEAR_START" AS TEXT) AS "FY", "ENTITY", "BASECURR", CAST(SUM("NET_INCOME") AS NUMERIC(18,2)) AS "NI" FROM ${t.pnl} GROUP BY 1, 2, 3`,
      );
      assert.deepEqual(
        new Map(pnlNi.rows.map((r) => [JSON.stringify([r.FY, r.ENTITY, r.BASECURR]), r.NI])),
        new Map([...expected].map(([k, c]) => [k, toText(c)])),
      );
    });
  }

  it('a GL line missing from the replica makes the check name its fiscal year, entity and the difference', async () => {
    const { client, gl, glTable, accountTable } = fx;
    const line = gl.find((r) => ym(v(r, 'BATCH_DATE')!)[1] === 8 && lineCents(r) !== 0)!;
    const broken = table('gl_detail_broken');
    await client.query(`CREATE TABLE ${broken} AS SELECT * FROM ${glTable} WHERE "RECORDNO" <> '${v(line, 'RECORDNO')!.replace(/'/g, "''")}'`);
    const t = await buildStatements(client, broken, accountTable, '_broken');
    const result = await checkNetIncome(client, t);
    assert.equal(result.ok, false);
    assert.equal(result.breaks.length, 1, JSON.stringify(result.breaks));
    const b = result.breaks[0]!;
    const [y] = ym(v(line, 'BATCH_DATE')!);
    assert.deepEqual(
      { fy: b.fiscalYearStart, entity: b.entity, baseCurrency: b.baseCurrency, difference: b.difference, unclassified: b.unclassifiedAccounts },
      { fy: `${y}-04-01`, entity: v(line, 'CHILDENTITY'), baseCurrency: v(line, 'BASECURR'), difference: toText(lineCents(line)), unclassified: [] },
    );
    assert.equal(Number(b.netIncome) * 100 - Number(b.impliedChange) * 100, lineCents(line));
    const [message] = describeNetIncomeBreaks(result);
    assert.match(
      message!,
      new RegExp(
        `fiscal year starting ${y}-04-01 \\(${v(line, 'CHILDENTITY')} ${v(line, 'BASECURR')}\\).*off by ${toText(lineCents(line)).replace('.', '\\.')}`,
      ),
    );
  });

  it('an account missing from the GL accounts is in neither statement and the check names it', async () => {
    const { client, gl, glTable, accountTable } = fx;
    const line = gl.find((r) => ym(v(r, 'BATCH_DATE')!)[1] === 2 && lineCents(r) !== 0)!;
    const accountNo = v(line, 'ACCOUNTNO')!;
    const partial = table('gl_account_partial');
    await client.query(`CREATE TABLE ${partial} AS SELECT * FROM ${accountTable} WHERE "ACCOUNTNO" <> '${accountNo}'`);
    const t = await buildStatements(client, glTable, partial, '_partial');
    const inStatements = await client.query(
      `SELECT 1 FROM ${t.pnl} WHERE "ACCOUNTNO" = '${accountNo}' UNION ALL SELECT 1 FROM ${t.balanceSheet} WHERE "ACCOUNTNO" = '${accountNo}'`,
    );
    assert.equal(inStatements.rows.length, 0);
    const result = await checkNetIncome(client, t);
    assert.equal(result.ok, false);
    const [y] = ym(v(line, 'BATCH_DATE')!);
    const fy = `${y - 1}-04-01`;
    const b = result.breaks.find((x) => x.fiscalYearStart === fy && x.entity === v(line, 'CHILDENTITY') && x.baseCurrency === v(line, 'BASECURR'));
    assert.ok(b, JSON.stringify(result.breaks));
    // The account's activity that year, as the balance sheet side would have carried it (debits − credits).
    const activity = gl
      .filter(
        (r) => v(r, 'ACCOUNTNO') === accountNo && v(r, 'CHILDENTITY') === b.entity && v(r, 'BASECURR') === b.baseCurrency && ym(v(r, 'BATCH_DATE')!)[1] < 4,
      )
      .reduce((s, r) => s + lineCents(r), 0);
    assert.deepEqual(b.unclassifiedAccounts, [{ accountNo, accountType: null, amount: toText(activity) }]);
    assert.ok(describeNetIncomeBreaks(result).some((m) => m.includes(`${accountNo} (no type) ${toText(activity)}`)));
  });
});
