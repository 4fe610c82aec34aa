/**
 * GL balances by period and the trial-balance check, computed by hyperd from a replica of the
 * sample company's GL detail and GL accounts, against an independent computation in plain
 * TypeScript from the emulator's own records (integer cents, no SQL).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { ManualClock } from '../../../../main/core/clock';
import { SampleCompany } from '../../../../main/core/emulators/intacct/sample-company';
import type { IntacctRecord } from '../../../../main/core/emulators/intacct/object-catalog';
import { buildGlBalances, GL_BALANCE_COLUMNS, qualifiedName } from '../../../../main/core/models/gl-balances';
import { checkTrialBalance, describeTrialBalanceBreaks } from '../../../../main/core/models/trial-balance-check';
import { openReplica, v, type Replica } from './replica-fixture';

// ---- the independent computation ---------------------------------------------------------------

/** Exact cents of an Intacct decimal text ('-1234.5' → -123450). */
function cents(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text === '') return null;
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  assert.ok(m, `not a money amount: ${text}`);
  const v = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -v : v;
}
const toText = (c: number) => (c < 0 ? '-' : '') + `${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
/** 'MM/DD/YYYY' → [year, month]. */
const ym = (d: string): [number, number] => [Number(d.slice(6, 10)), Number(d.slice(0, 2))];
const monthText = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}-01`;
/** Debits − credits; AMOUNT only when neither is given. */
function lineCents(r: IntacctRecord): number {
  const d = cents(v(r, 'DEBITAMOUNT')), c = cents(v(r, 'CREDITAMOUNT'));
  return d === null && c === null ? cents(v(r, 'AMOUNT'))! : (d ?? 0) - (c ?? 0);
}

interface Expected { opening: number; net: number; closing: number; lines: number; fyStart: string; type: string | null }

function expectedBalances(gl: IntacctRecord[], accounts: IntacctRecord[], fyStartMonth: number): Map<string, Expected> {
  const typeOf = new Map(accounts.map((a) => [v(a, 'ACCOUNTNO')!, v(a, 'ACCOUNTTYPE')]));
  const combos = new Map<string, { first: number; perMonth: Map<number, { net: number; lines: number }> }>();
  let minIdx = Infinity, maxIdx = -Infinity;
  for (const r of gl) {
    const [y, m] = ym(v(r, 'BATCH_DATE')!);
    const idx = y * 12 + (m - 1);
    minIdx = Math.min(minIdx, idx); maxIdx = Math.max(maxIdx, idx);
    const key = JSON.stringify(['CHILDENTITY', 'BASECURR', 'ACCOUNTNO', 'DEPARTMENTID', 'LOCATIONID', 'CLASSID'].map((f) => v(r, f)));
    let c = combos.get(key);
    if (!c) combos.set(key, (c = { first: idx, perMonth: new Map() }));
    c.first = Math.min(c.first, idx);
    const pm = c.perMonth.get(idx) ?? { net: 0, lines: 0 };
    pm.net += lineCents(r); pm.lines++;
    c.perMonth.set(idx, pm);
  }
  const out = new Map<string, Expected>();
  for (const [key, c] of combos) {
    const dims = JSON.parse(key) as (string | null)[];
    const type = typeOf.get(dims[2]!) ?? null;
    let balance = 0;
    for (let idx = c.first; idx <= maxIdx; idx++) {
      const y = Math.floor(idx / 12), m = (idx % 12) + 1;
      const fyYear = m >= fyStartMonth ? y : y - 1;
      if (type === 'incomestatement' && m === fyStartMonth) balance = 0;
      const pm = c.perMonth.get(idx) ?? { net: 0, lines: 0 };
      out.set(JSON.stringify([...dims, monthText(y, m)]), { opening: balance, net: pm.net, closing: balance + pm.net, lines: pm.lines, fyStart: monthText(fyYear, fyStartMonth), type });
      balance += pm.net;
    }
  }
  assert.ok(minIdx <= maxIdx);
  return out;
}

describe('GL balances by period (hyperd) against the sample company', () => {
  let replica: Replica;
  let client: pg.Client;
  let gl: IntacctRecord[];
  let accounts: IntacctRecord[];
  const glTable = qualifiedName('rep', 'replica', 'gl_detail');
  const accountTable = qualifiedName('rep', 'replica', 'gl_account');
  const target = qualifiedName('rep', 'models', 'gl_balances');

  before(async () => {
    const company = new SampleCompany({ clock: new ManualClock(Date.UTC(2026, 0, 15)), glRows: 4000, bills: 100 });
    // The gl_detail stream reads one book (its BOOKID filter).
    gl = [...company.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL')];
    accounts = [...company.list('GLACCOUNT')];
    replica = await openReplica('gl-balances-', { gl_detail: gl, gl_account: accounts });
    client = replica.client;
  });
  after(() => replica?.close());

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
          { opening: a.OPENING_BALANCE, net: a.NET_CHANGE, closing: a.CLOSING_BALANCE, lines: Number(a.LINE_COUNT), fyStart: a.FISCAL_YEAR_START, type: a.ACCOUNTTYPE },
          { opening: toText(e.opening), net: toText(e.net), closing: toText(e.closing), lines: e.lines, fyStart: e.fyStart, type: e.type },
          key,
        );
      }
      assert.deepEqual(Object.keys(actual.values().next().value!), GL_BALANCE_COLUMNS.map((c) => c.name));
      // The data really exercise what the model promises: several entities and base currencies,
      // income-statement balances that restart at the fiscal year start, balance-sheet ones that carry on.
      const rows = [...expected.entries()].map(([k, e]) => ({ dims: JSON.parse(k) as string[], e }));
      assert.ok(new Set(rows.map((r) => r.dims[0])).size >= 2, 'several entities');
      assert.ok(new Set(rows.map((r) => r.dims[1])).size >= 2, 'several base currencies');
      const startMonth = (r: { dims: string[] }) => Number(r.dims[6]!.slice(5, 7)) === fyStartMonth;
      if (fyStartMonth !== 1) {
        assert.ok(rows.some((r) => startMonth(r) && r.e.type === 'incomestatement' && r.e.opening === 0 && r.e.lines > 0 && expected.get(JSON.stringify([...r.dims.slice(0, 6), monthText(Number(r.dims[6]!.slice(0, 4)), fyStartMonth - 1)]))?.closing !== 0), 'an income-statement balance restarts');
        assert.ok(rows.some((r) => startMonth(r) && r.e.type === 'balancesheet' && r.e.opening !== 0), 'a balance-sheet balance carries forward');
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
      assert.deepEqual(b.entries[0]!.accounts, [...perAccount.keys()].sort().map((a) => ({ accountNo: a, amount: toText(perAccount.get(a)!) })));
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
