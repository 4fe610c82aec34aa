/**
 * The independent computation the AP model tests compare hyperd with: the bill-to-payment flow in
 * plain TypeScript from the emulator's records (integer cents, day numbers; no SQL).
 */
import type { IntacctRecord } from '../../../../main/core/emulators/intacct/object-catalog';
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
  MEGAENTITYID: string | null; VENDORID: string; BILL_RECORDNO: number; BASECURR: string | null; BILL_DATE: string | null; WHENDUE: string | null;
  TOTALENTERED: string; PAYMENTKEY: number | null; PAYMENTDATE: string | null; PAYMENT_SEQ: number | null; PAYMENT_COUNT: number;
  APPLIED_AMOUNT: string; DISCOUNT_TAKEN: string; SETTLED_TO_DATE: string; REMAINING_AFTER: string; IS_PARTIAL: boolean | null;
  DAYS_TO_PAY: number | null; DAYS_PAST_DUE: number | null; PAYMENT_TIMING: string | null; SETTLED_DATE: string | null; BILL_DAYS_TO_PAY: number | null; BILL_TIMING: string | null;
}
export const FLOW_FIELDS = Object.keys({
  MEGAENTITYID: 0, VENDORID: 0, BILL_RECORDNO: 0, BASECURR: 0, BILL_DATE: 0, WHENDUE: 0, TOTALENTERED: 0, PAYMENTKEY: 0, PAYMENTDATE: 0, PAYMENT_SEQ: 0, PAYMENT_COUNT: 0,
  APPLIED_AMOUNT: 0, DISCOUNT_TAKEN: 0, SETTLED_TO_DATE: 0, REMAINING_AFTER: 0, IS_PARTIAL: 0, DAYS_TO_PAY: 0, DAYS_PAST_DUE: 0, PAYMENT_TIMING: 0, SETTLED_DATE: 0, BILL_DAYS_TO_PAY: 0, BILL_TIMING: 0,
} satisfies Record<keyof FlowRow, 0>);

/** The bills that count (not Draft or Reversed). */
export const countedBills = (bills: IntacctRecord[]) => bills.filter((b) => !['Draft', 'Reversed'].includes(v(b, 'STATE') ?? ''));

export function expectedFlow(bills: IntacctRecord[], details: IntacctRecord[], payments: IntacctRecord[]): FlowRow[] {
  const payment = new Map(payments.map((p) => [Number(p.RECORDNO), p]));
  const out: FlowRow[] = [];
  for (const b of countedBills(bills)) {
    const perPayment = new Map<number, { date: string; applied: number; discount: number }>();
    for (const d of details) {
      if (Number(v(d, 'RECORDKEY')) !== Number(b.RECORDNO)) continue;
      const key = Number(d.PAYMENTKEY);
      const p = payment.get(key);
      if (['V', 'D'].includes((p && v(p, 'STATE')) ?? '')) continue;
      const date = iso(v(d, 'PAYMENTDATE')) ?? iso(p ? v(p, 'WHENCREATED') : null)!;
      const e = perPayment.get(key) ?? { date, applied: 0, discount: 0 };
      e.date = date < e.date ? date : e.date;
      e.applied += cents(v(d, 'PAYMENTAMOUNT')) ?? 0;
      e.discount += cents(v(d, 'DISCOUNTAMOUNT')) ?? 0;
      perPayment.set(key, e);
    }
    const billDate = iso(v(b, 'WHENCREATED')) ?? iso(v(b, 'WHENPOSTED'));
    const due = iso(v(b, 'WHENDUE'));
    const total = cents(v(b, 'TOTALENTERED')) ?? 0;
    const base = {
      MEGAENTITYID: v(b, 'MEGAENTITYID'), VENDORID: b.VENDORID!, BILL_RECORDNO: Number(b.RECORDNO), BASECURR: v(b, 'BASECURR'), BILL_DATE: billDate, WHENDUE: due,
      TOTALENTERED: toText(total),
    };
    const list = [...perPayment.entries()].sort((x, y) => (x[1].date < y[1].date ? -1 : x[1].date > y[1].date ? 1 : x[0] - y[0]));
    if (!list.length) {
      out.push({
        ...base, PAYMENTKEY: null, PAYMENTDATE: null, PAYMENT_SEQ: null, PAYMENT_COUNT: 0, APPLIED_AMOUNT: '0.00', DISCOUNT_TAKEN: '0.00', SETTLED_TO_DATE: '0.00',
        REMAINING_AFTER: toText(total), IS_PARTIAL: null, DAYS_TO_PAY: null, DAYS_PAST_DUE: null, PAYMENT_TIMING: null, SETTLED_DATE: null, BILL_DAYS_TO_PAY: null, BILL_TIMING: null,
      });
      continue;
    }
    let cum = 0;
    const rows = list.map(([key, e], i) => {
      cum += e.applied + e.discount;
      const settles = Math.abs(cum) >= Math.abs(total) || (i === list.length - 1 && cents(v(b, 'TOTALDUE')) === 0);
      return { key, e, i, cum, settles };
    });
    const settledDate = rows.find((r) => r.settles)?.e.date ?? null;
    for (const r of rows) {
      out.push({
        ...base, PAYMENTKEY: r.key, PAYMENTDATE: r.e.date, PAYMENT_SEQ: r.i + 1, PAYMENT_COUNT: list.length,
        APPLIED_AMOUNT: toText(r.e.applied), DISCOUNT_TAKEN: toText(r.e.discount), SETTLED_TO_DATE: toText(r.cum), REMAINING_AFTER: toText(total - r.cum),
        IS_PARTIAL: !r.settles, DAYS_TO_PAY: daysBetween(r.e.date, billDate), DAYS_PAST_DUE: daysBetween(r.e.date, due), PAYMENT_TIMING: paymentTiming(daysBetween(r.e.date, due)),
        SETTLED_DATE: settledDate, BILL_DAYS_TO_PAY: daysBetween(settledDate, billDate), BILL_TIMING: paymentTiming(daysBetween(settledDate, due)),
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
