/**
 * GL balances by period and the trial-balance check, computed by hyperd from a replica of the
 * sample company's GL detail and GL accounts, against an independent computation in plain
 * TypeScript from the emulator's own records (integer cents, no SQL).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { IntacctRecord } from '../../../../main/emulators/intacct/object-catalog';
import { buildGlBalances, GL_BALANCE_COLUMNS, qualifiedName } from '../../../../main/core/models/gl-balances';
import { checkTrialBalance, describeTrialBalanceBreaks } from '../../../../main/core/models/trial-balance-check';
import { v } from './replica-fixture';
import { expectedBalances, lineCents, monthText, openGlReplica, toText, ym, type GlReplica } from './expected-gl';

describe('GL balances by period (hyperd) against the sample company', () => {
  let fx: GlReplica;
  let client: pg.Client;
  let gl: IntacctRecord[];
  let accounts: IntacctRecord[];
  let glTable: string;
  let accountTable: string;
  const target = qualifiedName('rep', 'models', 'gl_balances');

  before(async () => {
    fx = await openGlReplica('gl-balances-');
    ({ client, gl, accounts, glTable, accountTable } = fx);
  });
  after(() => fx?.replica.close());

  async function modelRows(): Promise<Map<string, Record<string, unknown>>> {
    const r = await client.query<Record<string, unknown>>(`SELECT * FROM ${target}`);
    const out = new Map<string, Record<string, unknown>>();
    for (const row of r.rows) {
      const key = JSON.stringify(['ENTITY', 'BASECURR', 'ACCOUNTNO', 'DEPARTMENTID', 'LOCATIONID', 'CLASSID', 'PERIOD'].map((f) => row[f]));
      assert.ok(!out.has(key), `duplicate balance row ${key}`);
      out.set(key, row);
    }
    return out;
  }

  for (const fyStartMonth of [4, 1]) {
    it(`equals the TypeScript computation to the cent (fiscal year starting in month ${fyStartMonth})`, async () => {
      const n = await buildGlBalances(client, target, { glDetail: glTable, glAccount: accountTable }, { fiscalYearStartMonth: fyStartMonth });
      const expected = expectedBalances(gl, accounts, fyStartMonth);
      const actual = await modelRows();
      assert.equal(n, expected.size);
      assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
      for (const [key, e] of expected) {
        const a = actual.get(key)!;
        assert.deepEqual(
          {
            opening: a.OPENING_BALANCE,
            net: a.NET_CHANGE,
            closing: a.CLOSING_BALANCE,
            lines: Number(a.LINE_COUNT),
            fyStart: a.FISCAL_YEAR_START,
            type: a.ACCOUNTTYPE,
          },
          { opening: toText(e.opening), net: toText(e.net), closing: toText(e.closing), lines: e.lines, fyStart: e.fyStart, type: e.type },
          key,
        );
      }
      assert.deepEqual(
        Object.keys(actual.values().next().value!),
        GL_BALANCE_COLUMNS.map((c) => c.name),
      );
      // The data really exercise what the model promises: several entities and base currencies,
      // income-statement balances that restart at the fiscal year start, balance-sheet ones that carry on.
      const rows = [...expected.entries()].map(([k, e]) => ({ dims: JSON.parse(k) as string[], e }));
      assert.ok(new Set(rows.map((r) => r.dims[0])).size >= 2, 'several entities');
      assert.ok(new Set(rows.map((r) => r.dims[1])).size >= 2, 'several base currencies');
      const startMonth = (r: { dims: string[] }) => Number(r.dims[6]!.slice(5, 7)) === fyStartMonth;
      if (fyStartMonth !== 1) {
        assert.ok(
          rows.some(
            (r) =>
              startMonth(r) &&
              r.e.type === 'incomestatement' &&
              r.e.opening === 0 &&
              r.e.lines > 0 &&
              expected.get(JSON.stringify([...r.dims.slice(0, 6), monthText(Number(r.dims[6]!.slice(0, 4)), fyStartMonth - 1)]))?.closing !== 0,
          ),
          'an income-statement balance restarts',
        );
        assert.ok(
          rows.some((r) => startMonth(r) && r.e.type === 'balancesheet' && r.e.opening !== 0),
          'a balance-sheet balance carries forward',
        );
      }
    });
  }

  it('rejects a fiscal year start month outside 1–12', async () => {
    await assert.rejects(buildGlBalances(client, target, { glDetail: glTable, glAccount: accountTable }, { fiscalYearStartMonth: 13 }), RangeError);
  });

  it('the trial balance nets to zero in every period of the sample company', async () => {
    const result = await checkTrialBalance(client, glTable);
    assert.deepEqual(result.breaks, []);
    assert.equal(result.ok, true);
    // Every entity × base currency × month present in the records was checked.
    const periods = new Set(gl.map((r) => JSON.stringify([v(r, 'CHILDENTITY'), v(r, 'BASECURR'), ...ym(v(r, 'BATCH_DATE')!)])));
    assert.equal(result.periodsChecked, periods.size);
  });

  it('a GL line missing from the replica makes the check name its period, entity and unbalanced entry with its accounts', async () => {
    // A line of a multi-line entry in a month in the middle of the year.
    const batchLines = (b: IntacctRecord) => gl.filter((r) => v(r, 'BATCHKEY') === v(b, 'BATCHKEY'));
    const line = gl.find((r) => ym(v(r, 'BATCH_DATE')!)[1] === 6 && lineCents(r) !== 0 && batchLines(r).length >= 2)!;
    assert.ok(line, 'a June line of a multi-line entry');
    await client.query('BEGIN');
    try {
      const del = await client.query(`DELETE FROM ${glTable} WHERE "RECORDNO" = '${v(line, 'RECORDNO')!.replace(/'/g, "''")}'`);
      assert.equal(del.rowCount, 1);
      const result = await checkTrialBalance(client, glTable);
      assert.equal(result.ok, false);
      assert.equal(result.breaks.length, 1, JSON.stringify(result.breaks));
      const b = result.breaks[0]!;
      const [y, m] = ym(v(line, 'BATCH_DATE')!);
      assert.equal(b.period, monthText(y, m));
      assert.equal(b.entity, v(line, 'CHILDENTITY'));
      assert.equal(b.baseCurrency, v(line, 'BASECURR'));
      assert.equal(b.difference, toText(-lineCents(line)));
      assert.equal(b.entries.length, 1);
      assert.equal(b.entries[0]!.batchNo, v(line, 'BATCH_NO'));
      assert.equal(b.entries[0]!.difference, toText(-lineCents(line)));
      const remaining = batchLines(line).filter((r) => r !== line);
      const perAccount = new Map<string, number>();
      for (const r of remaining) perAccount.set(v(r, 'ACCOUNTNO')!, (perAccount.get(v(r, 'ACCOUNTNO')!) ?? 0) + lineCents(r));
      assert.deepEqual(
        b.entries[0]!.accounts,
        [...perAccount.keys()].sort().map((a) => ({ accountNo: a, amount: toText(perAccount.get(a)!) })),
      );
      assert.deepEqual(b.accounts, [...perAccount.keys()].sort());
      const [message] = describeTrialBalanceBreaks(result);
      assert.match(message!, new RegExp(`^Trial balance for ${monthText(y, m).slice(0, 7)} .* off by ${toText(-lineCents(line)).replace('.', '\\.')}`));
      for (const a of perAccount.keys()) assert.ok(message!.includes(a), message);
    } finally {
      await client.query('ROLLBACK');
    }
    assert.equal((await checkTrialBalance(client, glTable)).ok, true, 'the rollback restored the line');
  });
});
