/**
 * Model "vendor performance by month" (issue 15, model 5): one row per entity × vendor × base
 * currency × month, from the vendor's first bill month to the last month with a bill or payment,
 * computed with SQL in hyperd from the bill-to-payment flow model (bill-payment-flow.ts), so "paid",
 * "settled" and "late" mean exactly what they mean there.
 *
 * - Spend and bills: Σ TOTALENTERED and the number of bills dated in the month (BILL_DATE).
 * - Days to pay, share paid late: over the bills settled in the month (SETTLED_DATE), from their
 *   BILL_DAYS_TO_PAY and BILL_TIMING; the share counts only bills with a due date.
 * - Paid, discounts: Σ APPLIED_AMOUNT and DISCOUNT_TAKEN of the payments dated in the month;
 *   credits: Σ CREDIT_APPLIED on the vendor's bills (not on the negative bills the credits came from,
 *   whose −amount would cancel it) in the month.
 * - Open balance at the month's end: for each bill dated by then and not settled by then,
 *   TOTALENTERED minus what payments, discounts and credits dated by then settled. Reconstructed from the
 *   payments, so a month in the past shows what was open then (Intacct's TOTALDUE is only today's).
 */
import type { ColumnDef } from '../streams/types';
import { replaceTable } from './model-table';
import { bigintCol, dateCol, moneyCol, textCol } from './model-columns';
import type { SqlClient } from './gl-balances';

export const VENDOR_PERFORMANCE_COLUMNS: readonly ColumnDef[] = [
  textCol('MEGAENTITYID'),
  textCol('MEGAENTITYNAME'),
  textCol('VENDORID', false),
  textCol('VENDORNAME'),
  textCol('BASECURR'),
  dateCol('PERIOD', false),
  moneyCol('SPEND', false),
  bigintCol('BILL_COUNT', false),
  moneyCol('PAID_AMOUNT', false),
  moneyCol('DISCOUNT_TAKEN', false),
  moneyCol('CREDIT_APPLIED', false),
  bigintCol('BILLS_SETTLED', false),
  { name: 'AVG_DAYS_TO_PAY', source: 'AVG_DAYS_TO_PAY', type: 'numeric', nullable: true, precision: 10, scale: 2 },
  { name: 'MEDIAN_DAYS_TO_PAY', source: 'MEDIAN_DAYS_TO_PAY', type: 'numeric', nullable: true, precision: 10, scale: 1 },
  bigintCol('BILLS_PAID_LATE', false),
  { name: 'SHARE_PAID_LATE', source: 'SHARE_PAID_LATE', type: 'numeric', nullable: true, precision: 7, scale: 4 },
  moneyCol('OPEN_BALANCE', false),
];

const KEYS = ['"MEGAENTITYID"', '"VENDORID"', '"BASECURR"'];
const month = (d: string) => `CAST(date_trunc('month', ${d}) AS DATE)`;
/** Null-safe equality of the vendor keys and PERIOD between two aliases. */
const sameKey = (x: string, y: string) => [...KEYS, '"PERIOD"'].map((k) => `${x}.${k} IS NOT DISTINCT FROM ${y}.${k}`).join(' AND ');

/** The SELECT of the model (VENDOR_PERFORMANCE_COLUMNS) from the bill-to-payment flow table `flow`. */
export function vendorPerformanceSql(flow: string): string {
  const keys = KEYS.join(', ');
  const bk = KEYS.map((k) => `b.${k}`).join(', ');
  return `
WITH bills AS (
  SELECT "BILL_RECORDNO", ${keys}, "MEGAENTITYNAME", "VENDORNAME", "BILL_DATE", "TOTALENTERED", "SETTLED_DATE", "BILL_DAYS_TO_PAY", "BILL_TIMING"
    FROM ${flow} WHERE "PAYMENT_SEQ" IS NULL OR "PAYMENT_SEQ" = 1
),
pays AS (SELECT "BILL_RECORDNO", "PAYMENTDATE", "APPLIED_AMOUNT", "DISCOUNT_TAKEN", "CREDIT_APPLIED" FROM ${flow} WHERE "PAYMENTKEY" IS NOT NULL),
months AS (
  SELECT CAST(g AS DATE) AS "PERIOD", CAST(g + INTERVAL '1 month' AS DATE) AS "NEXT"
    FROM generate_series((SELECT MIN(${month('"BILL_DATE"')}) FROM bills),
                         (SELECT MAX(m) FROM (SELECT ${month('"BILL_DATE"')} AS m FROM bills UNION ALL SELECT ${month('"PAYMENTDATE"')} FROM pays) x),
                         INTERVAL '1 month') AS t(g)
),
names AS (SELECT ${keys}, MAX("MEGAENTITYNAME") AS "MEGAENTITYNAME", MAX("VENDORNAME") AS "VENDORNAME" FROM bills GROUP BY ${keys}),
spend AS (SELECT ${keys}, ${month('"BILL_DATE"')} AS "PERIOD", SUM("TOTALENTERED") AS "SPEND", COUNT(*) AS "BILL_COUNT" FROM bills GROUP BY ${keys}, 4),
settled AS (
  SELECT ${keys}, ${month('"SETTLED_DATE"')} AS "PERIOD", COUNT(*) AS "BILLS_SETTLED", AVG(CAST("BILL_DAYS_TO_PAY" AS NUMERIC(18,6))) AS "AVG_DAYS",
         PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY "BILL_DAYS_TO_PAY") AS "MEDIAN_DAYS",
         SUM(CASE WHEN "BILL_TIMING" = 'late' THEN 1 ELSE 0 END) AS "LATE", COUNT("BILL_TIMING") AS "TIMED"
    FROM bills WHERE "SETTLED_DATE" IS NOT NULL GROUP BY ${keys}, 4
),
paid AS (
  SELECT ${bk}, ${month('p."PAYMENTDATE"')} AS "PERIOD", SUM(p."APPLIED_AMOUNT") AS "PAID", SUM(p."DISCOUNT_TAKEN") AS "DISCOUNT",
         SUM(CASE WHEN b."TOTALENTERED" >= 0 THEN p."CREDIT_APPLIED" ELSE 0 END) AS "CREDIT"
    FROM pays p JOIN bills b ON b."BILL_RECORDNO" = p."BILL_RECORDNO" GROUP BY ${bk}, 4
),
bill_months AS (
  SELECT b."BILL_RECORDNO", ${bk}, b."TOTALENTERED", b."SETTLED_DATE", m."PERIOD", m."NEXT" FROM bills b JOIN months m ON b."BILL_DATE" < m."NEXT"
),
settled_by AS (
  SELECT bm."BILL_RECORDNO", bm."PERIOD", SUM(p."APPLIED_AMOUNT" + p."DISCOUNT_TAKEN" + p."CREDIT_APPLIED") AS s
    FROM bill_months bm JOIN pays p ON p."BILL_RECORDNO" = bm."BILL_RECORDNO" AND p."PAYMENTDATE" < bm."NEXT" GROUP BY 1, 2
),
open AS (
  SELECT ${KEYS.map((k) => `bm.${k}`).join(', ')}, bm."PERIOD",
         SUM(CASE WHEN bm."SETTLED_DATE" < bm."NEXT" THEN 0 ELSE bm."TOTALENTERED" - COALESCE(sb.s, 0) END) AS "OPEN_BALANCE"
    FROM bill_months bm LEFT JOIN settled_by sb ON sb."BILL_RECORDNO" = bm."BILL_RECORDNO" AND sb."PERIOD" = bm."PERIOD"
   GROUP BY ${KEYS.map((k) => `bm.${k}`).join(', ')}, bm."PERIOD"
),
grain AS (
  SELECT ${keys}, "PERIOD" FROM open UNION SELECT ${keys}, "PERIOD" FROM spend
  UNION SELECT ${keys}, "PERIOD" FROM settled UNION SELECT ${keys}, "PERIOD" FROM paid
)
SELECT g."MEGAENTITYID", n."MEGAENTITYNAME", g."VENDORID", n."VENDORNAME", g."BASECURR", g."PERIOD",
       CAST(COALESCE(sp."SPEND", 0) AS NUMERIC(18,2)) AS "SPEND", CAST(COALESCE(sp."BILL_COUNT", 0) AS BIGINT) AS "BILL_COUNT",
       CAST(COALESCE(pd."PAID", 0) AS NUMERIC(18,2)) AS "PAID_AMOUNT", CAST(COALESCE(pd."DISCOUNT", 0) AS NUMERIC(18,2)) AS "DISCOUNT_TAKEN",
       CAST(COALESCE(pd."CREDIT", 0) AS NUMERIC(18,2)) AS "CREDIT_APPLIED",
       CAST(COALESCE(st."BILLS_SETTLED", 0) AS BIGINT) AS "BILLS_SETTLED",
       CAST(st."AVG_DAYS" AS NUMERIC(10,2)) AS "AVG_DAYS_TO_PAY", CAST(st."MEDIAN_DAYS" AS NUMERIC(10,1)) AS "MEDIAN_DAYS_TO_PAY",
       CAST(COALESCE(st."LATE", 0) AS BIGINT) AS "BILLS_PAID_LATE",
       CASE WHEN st."TIMED" > 0 THEN CAST(CAST(st."LATE" AS NUMERIC(18,8)) / st."TIMED" AS NUMERIC(7,4)) END AS "SHARE_PAID_LATE",
       CAST(COALESCE(o."OPEN_BALANCE", 0) AS NUMERIC(18,2)) AS "OPEN_BALANCE"
  FROM grain g
  LEFT JOIN names n ON ${KEYS.map((k) => `n.${k} IS NOT DISTINCT FROM g.${k}`).join(' AND ')}
  LEFT JOIN spend sp ON ${sameKey('sp', 'g')}
  LEFT JOIN settled st ON ${sameKey('st', 'g')}
  LEFT JOIN paid pd ON ${sameKey('pd', 'g')}
  LEFT JOIN open o ON ${sameKey('o', 'g')}`;
}

/** (Re)builds the model as table `target` from the bill-to-payment flow table `flow`; returns its rows. */
export function buildVendorPerformance(client: SqlClient, target: string, flow: string): Promise<number> {
  return replaceTable(client, target, vendorPerformanceSql(flow));
}
