/**
 * From the published rows of each finance model (main/core/models/, as the Tableau emulator holds
 * them after the demo) to the chart the README shows for it. Pure: rows in, Chart out. Amounts are
 * exact decimal strings in the rows (main/core/streams/types.ts "Row conventions"); a picture needs
 * no more than a float. Only one base currency is drawn per chart, because the models never add
 * different base currencies (BASECURR is part of every key, README "Finance models").
 */
import type { Row } from '../../main/core/streams/types';
import { AGING_BUCKETS } from '../../main/core/models/ap-aging';
import { PAYMENT_TIMINGS } from '../../main/core/models/bill-payment-flow';
import type { Chart, Series } from './svg';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** Σ `value` per (series key, category), with the categories sorted. */
function pivot(rows: readonly Row[], category: (r: Row) => string, key: (r: Row) => string, value: (r: Row) => number) {
  const cats = new Set<string>();
  const sums = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const c = category(r);
    const k = key(r);
    cats.add(c);
    const m = sums.get(k) ?? new Map<string, number>();
    m.set(c, (m.get(c) ?? 0) + value(r));
    sums.set(k, m);
  }
  return { categories: [...cats].sort(), sums };
}

const series = (name: string, categories: readonly string[], m: Map<string, number> | undefined, kind: Series['kind']): Series => ({
  name,
  values: categories.map((c) => m?.get(c) ?? 0),
  kind,
});

/** The keys with the largest |Σ value| (ties by name), at most `n`. */
function top(sums: Map<string, Map<string, number>>, n: number, weight: (m: Map<string, number>) => number): string[] {
  return [...sums.entries()]
    .map(([k, m]) => [k, Math.abs(weight(m))] as const)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([k]) => k);
}

const month = (r: Row) => str(r.PERIOD).slice(0, 7);
const inCurrency = (rows: readonly Row[], currency: string) => rows.filter((r) => r.BASECURR === currency);

/** GL balances: closing balance by month of the `n` balance-sheet accounts with the largest final balance. */
export function glBalancesChart(rows: readonly Row[], currency: string, n = 5): Chart {
  const bs = inCurrency(rows, currency).filter((r) => r.ACCOUNTTYPE === 'balancesheet');
  const { categories, sums } = pivot(
    bs,
    month,
    (r) => `${str(r.ACCOUNTNO)} ${str(r.ACCOUNTTITLE)}`,
    (r) => num(r.CLOSING_BALANCE),
  );
  const last = categories[categories.length - 1] ?? '';
  const keys = top(sums, n, (m) => m.get(last) ?? 0);
  return {
    title: `GL balances by period: closing balance (debits − credits), ${currency}`,
    unit: currency,
    categories,
    series: keys.map((k) => series(k, categories, sums.get(k), 'line')),
  };
}

/** P&L: net income of each month (bars) and year to date (line). */
export function pnlChart(rows: readonly Row[], currency: string): Chart {
  const r = inCurrency(rows, currency);
  const monthly = pivot(
    r,
    month,
    () => 'x',
    (x) => num(x.NET_INCOME),
  );
  const ytd = pivot(
    r,
    month,
    () => 'x',
    (x) => num(x.YTD_NET_INCOME),
  );
  return {
    title: `P&L by month: net income, ${currency}`,
    unit: currency,
    categories: monthly.categories,
    series: [
      series('NET_INCOME (month)', monthly.categories, monthly.sums.get('x'), 'bar'),
      series('YTD_NET_INCOME', monthly.categories, ytd.sums.get('x'), 'line'),
    ],
  };
}

/**
 * Balance sheet: CLOSING_BALANCE (debits − credits) by category and month, stacked, so debit
 * balances (assets) stand above zero and credit balances (liabilities, equity) below.
 */
export function balanceSheetChart(rows: readonly Row[], currency: string): Chart {
  const { categories, sums } = pivot(
    inCurrency(rows, currency),
    month,
    (r) => str(r.CATEGORY) || '(no category)',
    (r) => num(r.CLOSING_BALANCE),
  );
  const keys = [...sums.keys()].sort();
  return {
    title: `Balance sheet by month: CLOSING_BALANCE (debits − credits) by category, ${currency}`,
    unit: currency,
    categories,
    series: keys.map((k) => series(k, categories, sums.get(k), 'bar')),
    stacked: true,
  };
}

/** AP aging: Σ TOTALDUE per bucket at each snapshot date, stacked. */
export function apAgingChart(rows: readonly Row[], currency: string): Chart {
  const { categories, sums } = pivot(
    inCurrency(rows, currency),
    (r) => str(r.SNAPSHOT_DATE),
    (r) => str(r.AGING_BUCKET),
    (r) => num(r.TOTALDUE),
  );
  return {
    title: `AP aging over time: amount due by bucket at each snapshot, ${currency}`,
    unit: currency,
    categories,
    series: AGING_BUCKETS.filter((b) => sums.has(b)).map((b) => series(b, categories, sums.get(b), 'bar')),
    stacked: true,
  };
}

/** Bill-to-payment flow: settled bills by days to pay (bins of `bin` days), stacked by timing. */
export function daysToPayChart(rows: readonly Row[], bin = 10): Chart {
  // One row per bill: its first payment row (or its only row); BILL_* columns are the bill's.
  const bills = rows.filter((r) => (r.PAYMENT_SEQ === null || r.PAYMENT_SEQ === 1) && r.BILL_DAYS_TO_PAY !== null);
  const lo = Math.min(0, ...bills.map((r) => Math.floor(num(r.BILL_DAYS_TO_PAY) / bin)));
  const hi = Math.max(0, ...bills.map((r) => Math.floor(num(r.BILL_DAYS_TO_PAY) / bin)));
  const categories = Array.from({ length: hi - lo + 1 }, (_, i) => `${(lo + i) * bin}–${(lo + i) * bin + bin - 1}`);
  const counts = new Map<string, number[]>();
  for (const r of bills) {
    const k = str(r.BILL_TIMING) || 'no due date';
    const c = counts.get(k) ?? categories.map(() => 0);
    c[Math.floor(num(r.BILL_DAYS_TO_PAY) / bin) - lo]! += 1;
    counts.set(k, c);
  }
  const order = [...PAYMENT_TIMINGS, 'no due date'].filter((k) => counts.has(k));
  return {
    title: 'Bill-to-payment flow: settled bills by BILL_DAYS_TO_PAY and BILL_TIMING',
    unit: 'bills',
    categories,
    series: order.map((k) => ({ name: k, values: counts.get(k)!, kind: 'bar' as const })),
    stacked: true,
  };
}

/** Vendor performance: Σ SPEND and Σ PAID_AMOUNT of all vendors by month (bars), and their OPEN_BALANCE at each month's end (line). */
export function vendorSpendChart(rows: readonly Row[], currency: string): Chart {
  const r = inCurrency(rows, currency);
  const col = (c: string) =>
    pivot(
      r,
      month,
      () => 'x',
      (x) => num(x[c]),
    ).sums.get('x');
  const { categories } = pivot(
    r,
    month,
    () => 'x',
    () => 0,
  );
  return {
    title: `Vendor performance by month: spend, paid and open balance, ${currency}`,
    unit: currency,
    categories,
    series: [
      series('SPEND', categories, col('SPEND'), 'bar'),
      series('PAID_AMOUNT', categories, col('PAID_AMOUNT'), 'bar'),
      series('OPEN_BALANCE', categories, col('OPEN_BALANCE'), 'line'),
    ],
  };
}
