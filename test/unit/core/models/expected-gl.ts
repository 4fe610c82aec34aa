/**
 * The independent computation the model tests compare hyperd with: GL balances by period in plain
 * TypeScript from the emulator's records, in integer cents (no SQL, no floating point).
 */
import assert from 'node:assert/strict';
import type pg from 'pg';
import { ManualClock } from '../../../../main/core/clock';
import { SampleCompany } from '../../../../main/emulators/intacct/sample-company';
import type { IntacctRecord } from '../../../../main/emulators/intacct/object-catalog';
import { qualifiedName } from '../../../../main/core/models/gl-balances';
import { openReplica, v, type Replica } from './replica-fixture';

/** Exact cents of an Intacct decimal text ('-1234.5' → -123450). */
export function cents(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text === '') return null;
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  assert.ok(m, `not a money amount: ${text}`);
  const v = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -v : v;
}
export const toText = (c: number) => (c < 0 ? '-' : '') + `${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
/** 'MM/DD/YYYY' → [year, month]. */
export const ym = (d: string): [number, number] => [Number(d.slice(6, 10)), Number(d.slice(0, 2))];
export const monthText = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}-01`;
/** Debits − credits; AMOUNT only when neither is given. */
export function lineCents(r: IntacctRecord): number {
  const d = cents(v(r, 'DEBITAMOUNT')),
    c = cents(v(r, 'CREDITAMOUNT'));
  return d === null && c === null ? cents(v(r, 'AMOUNT'))! : (d ?? 0) - (c ?? 0);
}

export interface Expected {
  opening: number;
  net: number;
  closing: number;
  lines: number;
  fyStart: string;
  type: string | null;
}

export function expectedBalances(gl: IntacctRecord[], accounts: IntacctRecord[], fyStartMonth: number): Map<string, Expected> {
  const typeOf = new Map(accounts.map((a) => [v(a, 'ACCOUNTNO')!, v(a, 'ACCOUNTTYPE')]));
  const combos = new Map<string, { first: number; perMonth: Map<number, { net: number; lines: number }> }>();
  let minIdx = Infinity,
    maxIdx = -Infinity;
  for (const r of gl) {
    const [y, m] = ym(v(r, 'BATCH_DATE')!);
    const idx = y * 12 + (m - 1);
    minIdx = Math.min(minIdx, idx);
    maxIdx = Math.max(maxIdx, idx);
    const key = JSON.stringify(['CHILDENTITY', 'BASECURR', 'ACCOUNTNO', 'DEPARTMENTID', 'LOCATIONID', 'CLASSID'].map((f) => v(r, f)));
    let c = combos.get(key);
    if (!c) combos.set(key, (c = { first: idx, perMonth: new Map() }));
    c.first = Math.min(c.first, idx);
    const pm = c.perMonth.get(idx) ?? { net: 0, lines: 0 };
    pm.net += lineCents(r);
    pm.lines++;
    c.perMonth.set(idx, pm);
  }
  const out = new Map<string, Expected>();
  for (const [key, c] of combos) {
    const dims = JSON.parse(key) as (string | null)[];
    const type = typeOf.get(dims[2]!) ?? null;
    let balance = 0;
    for (let idx = c.first; idx <= maxIdx; idx++) {
      const y = Math.floor(idx / 12),
        m = (idx % 12) + 1;
      const fyYear = m >= fyStartMonth ? y : y - 1;
      if (type === 'incomestatement' && m === fyStartMonth) balance = 0;
      const pm = c.perMonth.get(idx) ?? { net: 0, lines: 0 };
      out.set(JSON.stringify([...dims, monthText(y, m)]), {
        opening: balance,
        net: pm.net,
        closing: balance + pm.net,
        lines: pm.lines,
        fyStart: monthText(fyYear, fyStartMonth),
        type,
      });
      balance += pm.net;
    }
  }
  assert.ok(minIdx <= maxIdx);
  return out;
}

/** The expected P&L or balance-sheet row of one balance (`key` as expectedBalances' keys), with the account's attributes; amounts as text. */
export function expectedStatementRow(
  key: string,
  e: Expected,
  accounts: ReadonlyMap<string, IntacctRecord>,
): { statement: 'pnl' | 'balance_sheet'; row: Record<string, string | null> } {
  const a = accounts.get((JSON.parse(key) as string[])[2]!)!;
  const sign = v(a, 'NORMALBALANCE') === 'credit' ? -1 : 1;
  const attrs = { CATEGORY: v(a, 'CATEGORY'), NORMALBALANCE: v(a, 'NORMALBALANCE'), FISCAL_YEAR_START: e.fyStart, LINE_COUNT: String(e.lines) };
  return e.type === 'incomestatement'
    ? { statement: 'pnl', row: { ...attrs, AMOUNT: toText(sign * e.net), NET_INCOME: toText(-e.net), YTD_NET_INCOME: toText(-e.closing) } }
    : {
        statement: 'balance_sheet',
        row: { ...attrs, OPENING_BALANCE: toText(e.opening), NET_CHANGE: toText(e.net), CLOSING_BALANCE: toText(e.closing), BALANCE: toText(sign * e.closing) },
      };
}

/** The sample company's GL (ACCRUAL book, as the gl_detail stream's BOOKID filter reads it) and accounts in a replica. */
export interface GlReplica {
  replica: Replica;
  client: pg.Client;
  company: SampleCompany;
  gl: IntacctRecord[];
  accounts: IntacctRecord[];
  glTable: string;
  accountTable: string;
}

export async function openGlReplica(prefix: string, glRows = 4000): Promise<GlReplica> {
  const company = new SampleCompany({ clock: new ManualClock(Date.UTC(2026, 0, 15)), glRows, bills: 50 });
  const gl = [...company.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL')];
  const accounts = [...company.list('GLACCOUNT')];
  const replica = await openReplica(prefix, { gl_detail: gl, gl_account: accounts });
  return {
    replica,
    client: replica.client,
    company,
    gl,
    accounts,
    glTable: qualifiedName('rep', 'replica', 'gl_detail'),
    accountTable: qualifiedName('rep', 'replica', 'gl_account'),
  };
}
