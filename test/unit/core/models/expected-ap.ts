/**
 * The independent computation the AP model tests compare hyperd with: the bill-to-payment flow in
 * plain TypeScript from the emulator's records (integer cents, day numbers; no SQL).
 */
import type { IntacctRecord } from '../../../../main/emulators/intacct/object-catalog';
import { v } from './replica-fixture';
import { cents, toText } from './expected-gl';

/** 'MM/DD/YYYY' → 'YYYY-MM-DD'. */
export const iso = (d: string | null) => (d === null ? null : `${d.slice(6, 10)}-${d.slice(0, 2)}-${d.slice(3, 5)}`);
export const dayNo = (isoDate: string) => Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000;
/** Early before the due date, on time on it, late after. */
const paymentTiming = (days: number | null) => (days === null ? null : days < 0 ? 'early' : days === 0 ? 'on time' : 'late');
const daysBetween = (to: string | null, from: string | null) => (to === null || from === null ? null : dayNo(to) - dayNo(from));

/** One expected row of the bill-to-payment flow, as the model's columns read back (money as text, keys as numbers). */
export interface FlowRow {
  MEGAENTITYID: string | null;
  VENDORID: string;
  BILL_RECORDNO: number;
  BASECURR: string | null;
  BILL_DATE: string | null;
  WHENDUE: string | null;
  TOTALENTERED: string;
  PAYMENTKEY: number | null;
  PAYMENTDATE: string | null;
  PAYMENT_SEQ: number | null;
  PAYMENT_COUNT: number;
  APPLIED_AMOUNT: string;
  DISCOUNT_TAKEN: string;
  CREDIT_APPLIED: string;
  SETTLED_TO_DATE: string;
  REMAINING_AFTER: string;
  IS_PARTIAL: boolean | null;
  DAYS_TO_PAY: number | null;
  DAYS_PAST_DUE: number | null;
  PAYMENT_TIMING: string | null;
  SETTLED_DATE: string | null;
  BILL_DAYS_TO_PAY: number | null;
  BILL_TIMING: string | null;
}
export const FLOW_FIELDS = Object.keys({
  MEGAENTITYID: 0,
  VENDORID: 0,
  BILL_RECORDNO: 0,
  BASECURR: 0,
  BILL_DATE: 0,
  WHENDUE: 0,
  TOTALENTERED: 0,
  PAYMENTKEY: 0,
  PAYMENTDATE: 0,
  PAYMENT_SEQ: 0,
  PAYMENT_COUNT: 0,
  APPLIED_AMOUNT: 0,
  DISCOUNT_TAKEN: 0,
  CREDIT_APPLIED: 0,
  SETTLED_TO_DATE: 0,
  REMAINING_AFTER: 0,
  IS_PARTIAL: 0,
  DAYS_TO_PAY: 0,
  DAYS_PAST_DUE: 0,
  PAYMENT_TIMING: 0,
  SETTLED_DATE: 0,
  BILL_DAYS_TO_PAY: 0,
  BILL_TIMING: 0,
} satisfies Record<keyof FlowRow, 0>);

/** The buckets: current (not yet due), 1–30, 31–60, 61–90, over 90 days past due; no due date apart. */
const bucketOf = (days: number | null) =>
  days === null ? 'no due date' : days <= 0 ? 'current' : days <= 30 ? '1-30' : days <= 60 ? '31-60' : days <= 90 ? '61-90' : 'over 90';

/** The expected AP aging snapshot at `snapshot` (YYYY-MM-DD): the open bills with days past due and bucket, by RECORDNO. */
export function expectedAging(bills: IntacctRecord[], snapshot: string) {
  return countedBills(bills)
    .filter((b) => v(b, 'TOTALDUE') !== null && Number(v(b, 'TOTALDUE')) !== 0 && (iso(v(b, 'WHENPOSTED')) ?? '') <= snapshot)
    .map((b) => {
      const days = daysBetween(snapshot, iso(v(b, 'WHENDUE')));
      return {
        RECORDNO: Number(b.RECORDNO),
        VENDORID: b.VENDORID,
        MEGAENTITYID: v(b, 'MEGAENTITYID'),
        DAYS_PAST_DUE: days,
        AGING_BUCKET: bucketOf(days),
        TOTALDUE: toText(cents(v(b, 'TOTALDUE'))!),
      };
    })
    .sort((a, b) => a.RECORDNO - b.RECORDNO);
}

/** The bills that count (not Draft or Reversed). */
export const countedBills = (bills: IntacctRecord[]) => bills.filter((b) => !['Draft', 'Reversed'].includes(v(b, 'STATE') ?? ''));

export function expectedFlow(bills: IntacctRecord[], details: IntacctRecord[], payments: IntacctRecord[]): FlowRow[] {
  const payment = new Map(payments.map((p) => [Number(p.RECORDNO), p]));
  const out: FlowRow[] = [];
  for (const b of countedBills(bills)) {
    const perPayment = new Map<number, { date: string; applied: number; discount: number; credit: number }>();
    for (const d of details) {
      // A detail counts on the bill it pays (RECORDKEY) and, with −INLINEAMOUNT, on the negative bill its inline credit came from (INLINEKEY).
      const onBill = Number(v(d, 'RECORDKEY')) === Number(b.RECORDNO);
      const fromCredit = v(d, 'INLINEAMOUNT') !== null && Number(v(d, 'INLINEKEY')) === Number(b.RECORDNO);
      if (!onBill && !fromCredit) continue;
      const key = Number(d.PAYMENTKEY);
      const p = payment.get(key);
      if (['V', 'D'].includes((p && v(p, 'STATE')) ?? '')) continue;
      const date = iso(v(d, 'PAYMENTDATE')) ?? iso(p ? v(p, 'WHENCREATED') : null)!;
      const e = perPayment.get(key) ?? { date, applied: 0, discount: 0, credit: 0 };
      e.date = date < e.date ? date : e.date;
      if (onBill) {
        e.applied += cents(v(d, 'PAYMENTAMOUNT')) ?? 0;
        e.discount += cents(v(d, 'DISCOUNTAMOUNT')) ?? 0;
        e.credit += (cents(v(d, 'INLINEAMOUNT')) ?? 0) + (cents(v(d, 'ADJUSTMENTAMOUNT')) ?? 0);
      }
      if (fromCredit) e.credit -= cents(v(d, 'INLINEAMOUNT'))!;
      perPayment.set(key, e);
    }
    const billDate = iso(v(b, 'WHENCREATED')) ?? iso(v(b, 'WHENPOSTED'));
    const due = iso(v(b, 'WHENDUE'));
    const total = cents(v(b, 'TOTALENTERED')) ?? 0;
    const base = {
      MEGAENTITYID: v(b, 'MEGAENTITYID'),
      VENDORID: b.VENDORID!,
      BILL_RECORDNO: Number(b.RECORDNO),
      BASECURR: v(b, 'BASECURR'),
      BILL_DATE: billDate,
      WHENDUE: due,
      TOTALENTERED: toText(total),
    };
    const list = [...perPayment.entries()].sort((x, y) => (x[1].date < y[1].date ? -1 : x[1].date > y[1].date ? 1 : x[0] - y[0]));
    if (!list.length) {
      out.push({
        ...base,
        PAYMENTKEY: null,
        PAYMENTDATE: null,
        PAYMENT_SEQ: null,
        PAYMENT_COUNT: 0,
        APPLIED_AMOUNT: '0.00',
        DISCOUNT_TAKEN: '0.00',
        CREDIT_APPLIED: '0.00',
        SETTLED_TO_DATE: '0.00',
        REMAINING_AFTER: toText(total),
        IS_PARTIAL: null,
        DAYS_TO_PAY: null,
        DAYS_PAST_DUE: null,
        PAYMENT_TIMING: null,
        SETTLED_DATE: null,
        BILL_DAYS_TO_PAY: null,
        BILL_TIMING: null,
      });
      continue;
    }
    let cum = 0;
    const rows = list.map(([key, e], i) => {
      cum += e.applied + e.discount + e.credit;
      const settles = Math.abs(cum) >= Math.abs(total) || (i === list.length - 1 && cents(v(b, 'TOTALDUE')) === 0);
      return { key, e, i, cum, settles };
    });
    const settledDate = rows.find((r) => r.settles)?.e.date ?? null;
    for (const r of rows) {
      out.push({
        ...base,
        PAYMENTKEY: r.key,
        PAYMENTDATE: r.e.date,
        PAYMENT_SEQ: r.i + 1,
        PAYMENT_COUNT: list.length,
        APPLIED_AMOUNT: toText(r.e.applied),
        DISCOUNT_TAKEN: toText(r.e.discount),
        CREDIT_APPLIED: toText(r.e.credit),
        SETTLED_TO_DATE: toText(r.cum),
        REMAINING_AFTER: toText(total - r.cum),
        IS_PARTIAL: !r.settles,
        DAYS_TO_PAY: daysBetween(r.e.date, billDate),
        DAYS_PAST_DUE: daysBetween(r.e.date, due),
        PAYMENT_TIMING: paymentTiming(daysBetween(r.e.date, due)),
        SETTLED_DATE: settledDate,
        BILL_DAYS_TO_PAY: daysBetween(settledDate, billDate),
        BILL_TIMING: paymentTiming(daysBetween(settledDate, due)),
      });
    }
  }
  return out;
}

/** A model row read back from hyperd, in FlowRow's shape (BIGINT comes back as text). */
export function flowRowOf(row: Record<string, unknown>): FlowRow {
  const num = (x: unknown) => (x === null ? null : Number(x));
  const out: Record<string, unknown> = {};
  for (const f of FLOW_FIELDS) out[f] = row[f];
  for (const f of ['BILL_RECORDNO', 'PAYMENTKEY', 'PAYMENT_SEQ', 'PAYMENT_COUNT', 'DAYS_TO_PAY', 'DAYS_PAST_DUE', 'BILL_DAYS_TO_PAY']) out[f] = num(row[f]);
  return out as unknown as FlowRow;
}

/** One expected row of vendor performance by month, as read back (money and ratios as text). */
export interface VendorMonth {
  MEGAENTITYID: string | null;
  VENDORID: string;
  BASECURR: string | null;
  PERIOD: string;
  SPEND: string;
  BILL_COUNT: number;
  PAID_AMOUNT: string;
  DISCOUNT_TAKEN: string;
  CREDIT_APPLIED: string;
  BILLS_SETTLED: number;
  AVG_DAYS_TO_PAY: string | null;
  MEDIAN_DAYS_TO_PAY: string | null;
  BILLS_PAID_LATE: number;
  SHARE_PAID_LATE: string | null;
  OPEN_BALANCE: string;
}

/** `num / den` rounded half up to `scale` decimals, as text (exact: BigInt arithmetic). */
function ratioText(num: number, den: number, scale: number): string {
  const f = 10n ** BigInt(scale);
  const n = BigInt(num) * f * 2n,
    d = BigInt(den) * 2n;
  const neg = n < 0n !== d < 0n;
  const q = ((n < 0n ? -n : n) + (d < 0n ? -d : d) / 2n) / (d < 0n ? -d : d);
  const s = q.toString().padStart(scale + 1, '0');
  return `${neg && q !== 0n ? '-' : ''}${s.slice(0, -scale)}.${s.slice(-scale)}`;
}
const monthOf = (isoDate: string) => `${isoDate.slice(0, 7)}-01`;
const nextMonth = (p: string) => {
  const y = Number(p.slice(0, 4)),
    m = Number(p.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};

/** Vendor performance by month from the expected flow rows. */
export function expectedVendorPerformance(flow: FlowRow[]): VendorMonth[] {
  const bills = flow.filter((r) => r.PAYMENT_SEQ === null || r.PAYMENT_SEQ === 1);
  const pays = flow.filter((r) => r.PAYMENTKEY !== null);
  const months: string[] = [];
  const all = [...bills.map((b) => monthOf(b.BILL_DATE!)), ...pays.map((p) => monthOf(p.PAYMENTDATE!))].sort();
  for (let p = all[0]!; p <= all[all.length - 1]!; p = nextMonth(p)) months.push(p);
  const vendorKey = (r: FlowRow) => JSON.stringify([r.MEGAENTITYID, r.VENDORID, r.BASECURR]);
  const out = new Map<string, VendorMonth & { days: number[]; timed: number; open: number; spend: number; paid: number; discount: number; credit: number }>();
  const at = (r: FlowRow, period: string) => {
    const key = JSON.stringify([vendorKey(r), period]);
    let e = out.get(key);
    if (!e) {
      out.set(
        key,
        (e = {
          MEGAENTITYID: r.MEGAENTITYID,
          VENDORID: r.VENDORID,
          BASECURR: r.BASECURR,
          PERIOD: period,
          SPEND: '',
          BILL_COUNT: 0,
          PAID_AMOUNT: '',
          DISCOUNT_TAKEN: '',
          CREDIT_APPLIED: '',
          BILLS_SETTLED: 0,
          AVG_DAYS_TO_PAY: null,
          MEDIAN_DAYS_TO_PAY: null,
          BILLS_PAID_LATE: 0,
          SHARE_PAID_LATE: null,
          OPEN_BALANCE: '',
          days: [],
          timed: 0,
          open: 0,
          spend: 0,
          paid: 0,
          discount: 0,
          credit: 0,
        }),
      );
    }
    return e;
  };
  for (const b of bills) {
    const s = at(b, monthOf(b.BILL_DATE!));
    s.spend += cents(b.TOTALENTERED)!;
    s.BILL_COUNT++;
    if (b.SETTLED_DATE !== null) {
      const e = at(b, monthOf(b.SETTLED_DATE));
      e.BILLS_SETTLED++;
      e.days.push(b.BILL_DAYS_TO_PAY!);
      if (b.BILL_TIMING !== null) e.timed++;
      if (b.BILL_TIMING === 'late') e.BILLS_PAID_LATE++;
    }
    for (const p of months) {
      const end = nextMonth(p);
      if (b.BILL_DATE! >= end) continue;
      const settledBy = pays
        .filter((x) => x.BILL_RECORDNO === b.BILL_RECORDNO && x.PAYMENTDATE! < end)
        .reduce((s, x) => s + cents(x.APPLIED_AMOUNT)! + cents(x.DISCOUNT_TAKEN)! + cents(x.CREDIT_APPLIED)!, 0);
      at(b, p).open += b.SETTLED_DATE !== null && b.SETTLED_DATE < end ? 0 : cents(b.TOTALENTERED)! - settledBy;
    }
  }
  for (const p of pays) {
    const e = at(p, monthOf(p.PAYMENTDATE!));
    e.paid += cents(p.APPLIED_AMOUNT)!;
    e.discount += cents(p.DISCOUNT_TAKEN)!;
    // Credits on the vendor's bills, not the −amount on the negative bill a credit came from.
    if (cents(p.TOTALENTERED)! >= 0) e.credit += cents(p.CREDIT_APPLIED)!;
  }
  return [...out.values()].map(({ days, timed, open, spend, paid, discount, credit, ...e }) => {
    const sorted = [...days].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return {
      ...e,
      SPEND: toText(spend),
      PAID_AMOUNT: toText(paid),
      DISCOUNT_TAKEN: toText(discount),
      CREDIT_APPLIED: toText(credit),
      OPEN_BALANCE: toText(open),
      AVG_DAYS_TO_PAY: days.length
        ? ratioText(
            days.reduce((s, x) => s + x, 0),
            days.length,
            2,
          )
        : null,
      MEDIAN_DAYS_TO_PAY: days.length ? ratioText(sorted.length % 2 ? sorted[mid]! * 2 : sorted[mid - 1]! + sorted[mid]!, 2, 1) : null,
      SHARE_PAID_LATE: timed ? ratioText(e.BILLS_PAID_LATE, timed, 4) : null,
    };
  });
}
