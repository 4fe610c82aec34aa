/**
 * Model "bill-to-payment flow" (issue 15, model 4): each AP bill with the payments applied to it
 * through the payment details (APPYMTDETAIL.RECORDKEY = the bill's RECORDNO), one row per bill ×
 * payment in payment order, and one row with no payment for a bill nothing was applied to. Computed
 * with SQL in hyperd from the replica's ap_bill, ap_payment_detail and ap_payment tables.
 *
 * - Bills: not Draft or Reversed (COUNTED_BILL_SQL, as AP aging). Amounts in base currency.
 * - Applied: Σ PAYMENTAMOUNT (and TRX_PAYMENTAMOUNT) of the payment's details on the bill; the
 *   discount taken is Σ DISCOUNTAMOUNT (intacct-objects.md "AP objects": APPYMTDETAIL carries the
 *   DISCOUNT* amounts beside the payment amounts). A payment whose STATE is V or D (voided, draft:
 *   the readByQuery codes definitions.ts labels, UNCONFIRMED letter by letter) is left out.
 * - Credits applied: Σ INLINEAMOUNT + ADJUSTMENTAMOUNT of the details on the bill (a vendor credit,
 *   i.e. a negative bill, applied inline, or an AP adjustment; intacct-objects.md "AP objects" lists
 *   INLINE* and ADJUSTMENT* on APPYMTDETAIL). The negative bill an inline credit came from
 *   (INLINEKEY) gets a row for that payment too, with −INLINEAMOUNT, so it is settled when used up
 *   and is not left open beside the bill it reduced. UNCONFIRMED against Intacct: that the amounts
 *   are positive and that the credit has no detail row of its own (it would be counted twice).
 * - Payment date: the detail's PAYMENTDATE, else the payment's WHENCREATED (APPYMT has no
 *   PAYMENTDATE; its date is WHENCREATED, intacct-objects.md "AP objects").
 * - Days to pay count from the bill's date (APBILL WHENCREATED, "Date"), else WHENPOSTED.
 * - Timing against WHENDUE: early (paid before the due date), on time (on it), late (after); null
 *   without a due date or a payment.
 * - Settled: the bill's applied amounts plus discounts and credits reach its TOTALENTERED (by absolute value, so a
 *   negative bill works too), or, at its last payment, Intacct says nothing is due (TOTALDUE = 0; a
 *   credit applied through an adjustment settles a bill without a payment amount). A payment that
 *   leaves the bill unsettled is a partial payment.
 */
import type { ColumnDef } from '../streams/types';
import { COUNTED_BILL_SQL } from './ap-aging';
import { replaceTable } from './model-table';
import { bigintCol, boolCol, dateCol, moneyCol, textCol } from './model-columns';
import type { SqlClient } from './gl-balances';

export interface BillPaymentSources {
  apBill: string;
  apPaymentDetail: string;
  apPayment: string;
}

export const PAYMENT_TIMINGS = ['early', 'on time', 'late'] as const;
export type PaymentTiming = (typeof PAYMENT_TIMINGS)[number];

/** The timing of a payment made `daysPastDue` days after the due date (null: no due date or no payment). */
export function paymentTiming(daysPastDue: number | null): PaymentTiming | null {
  if (daysPastDue === null) return null;
  return daysPastDue < 0 ? 'early' : daysPastDue === 0 ? 'on time' : 'late';
}

export const BILL_PAYMENT_COLUMNS: readonly ColumnDef[] = [
  textCol('MEGAENTITYID'),
  textCol('MEGAENTITYNAME'),
  textCol('VENDORID', false),
  textCol('VENDORNAME'),
  bigintCol('BILL_RECORDNO', false),
  textCol('RECORDID'),
  textCol('DOCNUMBER'),
  textCol('STATE'),
  dateCol('BILL_DATE'),
  dateCol('WHENPOSTED'),
  dateCol('WHENDUE'),
  textCol('BASECURR'),
  textCol('CURRENCY'),
  moneyCol('TOTALENTERED'),
  moneyCol('TOTALPAID'),
  moneyCol('TOTALDUE'),
  bigintCol('PAYMENTKEY'),
  dateCol('PAYMENTDATE'),
  textCol('PAYMENTMETHOD'),
  bigintCol('PAYMENT_SEQ'),
  bigintCol('PAYMENT_COUNT', false),
  moneyCol('APPLIED_AMOUNT', false),
  moneyCol('TRX_APPLIED_AMOUNT', false),
  moneyCol('DISCOUNT_TAKEN', false),
  moneyCol('CREDIT_APPLIED', false),
  moneyCol('SETTLED_TO_DATE', false),
  moneyCol('REMAINING_AFTER'),
  boolCol('IS_PARTIAL'),
  bigintCol('DAYS_TO_PAY'),
  bigintCol('DAYS_PAST_DUE'),
  textCol('PAYMENT_TIMING'),
  dateCol('SETTLED_DATE'),
  bigintCol('BILL_DAYS_TO_PAY'),
  textCol('BILL_TIMING'),
];

const timing = (days: string) => `CASE WHEN ${days} IS NULL THEN NULL WHEN ${days} < 0 THEN 'early' WHEN ${days} = 0 THEN 'on time' ELSE 'late' END`;
const days = (to: string, from: string) => `CAST(${to} - ${from} AS BIGINT)`;

/** The SELECT of the model (BILL_PAYMENT_COLUMNS). */
export function billPaymentFlowSql(src: BillPaymentSources): string {
  return `
WITH bills AS (
  SELECT *, COALESCE("WHENCREATED", "WHENPOSTED") AS "BILL_DATE" FROM ${src.apBill} WHERE ${COUNTED_BILL_SQL}
),
details AS (
  SELECT d.*, COALESCE(d."PAYMENTDATE", p."WHENCREATED") AS "PAYDATE", p."PAYMENTMETHOD"
    FROM ${src.apPaymentDetail} d LEFT JOIN ${src.apPayment} p ON p."RECORDNO" = d."PAYMENTKEY"
   WHERE COALESCE(p."STATE", '') NOT IN ('V', 'D')
),
applied AS (
  SELECT "BILLKEY", "PAYMENTKEY", MIN("PAYDATE") AS "PAYMENTDATE", MAX("PAYMENTMETHOD") AS "PAYMENTMETHOD",
         SUM("APPLIED") AS "APPLIED", SUM("TRX_APPLIED") AS "TRX_APPLIED", SUM("DISCOUNT") AS "DISCOUNT", SUM("CREDIT") AS "CREDIT"
    FROM (SELECT "RECORDKEY" AS "BILLKEY", "PAYMENTKEY", "PAYDATE", "PAYMENTMETHOD",
                 COALESCE("PAYMENTAMOUNT", 0) AS "APPLIED", COALESCE("TRX_PAYMENTAMOUNT", 0) AS "TRX_APPLIED", COALESCE("DISCOUNTAMOUNT", 0) AS "DISCOUNT",
                 COALESCE("INLINEAMOUNT", 0) + COALESCE("ADJUSTMENTAMOUNT", 0) AS "CREDIT"
            FROM details WHERE "RECORDKEY" IS NOT NULL
          UNION ALL
          SELECT "INLINEKEY", "PAYMENTKEY", "PAYDATE", "PAYMENTMETHOD", 0, 0, 0, -"INLINEAMOUNT"
            FROM details WHERE "INLINEKEY" IS NOT NULL AND "INLINEAMOUNT" IS NOT NULL) x
   GROUP BY "BILLKEY", "PAYMENTKEY"
),
ordered AS (
  SELECT *,
         ROW_NUMBER() OVER (PARTITION BY "BILLKEY" ORDER BY "PAYMENTDATE", "PAYMENTKEY") AS "SEQ",
         COUNT(*) OVER (PARTITION BY "BILLKEY") AS "CNT",
         SUM("APPLIED" + "DISCOUNT" + "CREDIT") OVER (PARTITION BY "BILLKEY" ORDER BY "PAYMENTDATE", "PAYMENTKEY" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "CUM"
    FROM applied
),
flow AS (
  SELECT b.*, o."PAYMENTKEY", o."PAYMENTDATE", o."PAYMENTMETHOD", o."SEQ", COALESCE(o."CNT", 0) AS "CNT",
         COALESCE(o."APPLIED", 0) AS "APPLIED", COALESCE(o."TRX_APPLIED", 0) AS "TRX_APPLIED", COALESCE(o."DISCOUNT", 0) AS "DISCOUNT",
         COALESCE(o."CREDIT", 0) AS "CREDIT", COALESCE(o."CUM", 0) AS "CUM",
         CASE WHEN o."PAYMENTKEY" IS NULL THEN NULL
              ELSE ABS(o."CUM") >= ABS(COALESCE(b."TOTALENTERED", 0)) OR (o."SEQ" = o."CNT" AND b."TOTALDUE" = 0) END AS "SETTLES"
    FROM bills b LEFT JOIN ordered o ON o."BILLKEY" = b."RECORDNO"
),
settled AS (
  SELECT *, MIN(CASE WHEN "SETTLES" THEN "PAYMENTDATE" END) OVER (PARTITION BY "RECORDNO") AS "SETTLED_DATE" FROM flow
)
SELECT "MEGAENTITYID", "MEGAENTITYNAME", "VENDORID", "VENDORNAME", "RECORDNO" AS "BILL_RECORDNO", "RECORDID", "DOCNUMBER", "STATE",
       "BILL_DATE", "WHENPOSTED", "WHENDUE", "BASECURR", "CURRENCY", "TOTALENTERED", "TOTALPAID", "TOTALDUE",
       "PAYMENTKEY", "PAYMENTDATE", "PAYMENTMETHOD", CAST("SEQ" AS BIGINT) AS "PAYMENT_SEQ", CAST("CNT" AS BIGINT) AS "PAYMENT_COUNT",
       CAST("APPLIED" AS NUMERIC(18,2)) AS "APPLIED_AMOUNT", CAST("TRX_APPLIED" AS NUMERIC(18,2)) AS "TRX_APPLIED_AMOUNT",
       CAST("DISCOUNT" AS NUMERIC(18,2)) AS "DISCOUNT_TAKEN", CAST("CREDIT" AS NUMERIC(18,2)) AS "CREDIT_APPLIED", CAST("CUM" AS NUMERIC(18,2)) AS "SETTLED_TO_DATE",
       CAST("TOTALENTERED" - "CUM" AS NUMERIC(18,2)) AS "REMAINING_AFTER",
       CASE WHEN "PAYMENTKEY" IS NULL THEN NULL ELSE NOT "SETTLES" END AS "IS_PARTIAL",
       ${days('"PAYMENTDATE"', '"BILL_DATE"')} AS "DAYS_TO_PAY",
       ${days('"PAYMENTDATE"', '"WHENDUE"')} AS "DAYS_PAST_DUE",
       ${timing(days('"PAYMENTDATE"', '"WHENDUE"'))} AS "PAYMENT_TIMING",
       "SETTLED_DATE",
       ${days('"SETTLED_DATE"', '"BILL_DATE"')} AS "BILL_DAYS_TO_PAY",
       ${timing(days('"SETTLED_DATE"', '"WHENDUE"'))} AS "BILL_TIMING"
  FROM settled`;
}

/** (Re)builds the model as table `target`; returns its rows. */
export function buildBillPaymentFlow(client: SqlClient, target: string, src: BillPaymentSources): Promise<number> {
  return replaceTable(client, target, billPaymentFlowSql(src));
}
