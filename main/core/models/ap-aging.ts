/**
 * Model "AP aging, over time" (issue 15, model 3): the open bills at each sync date, one row per
 * bill and snapshot date, with days past due and the usual bucket, kept for a configurable number
 * of days so aging trends can be charted. Computed with SQL in hyperd from the replica's AP bills.
 *
 * - Open: TOTALDUE (base currency, what Intacct says is still owed at the sync) is not zero, the
 *   bill is posted on or before the snapshot date, and its STATE is not Draft or Reversed (APBILL
 *   STATE values, intacct-objects.md "AP objects"). A negative TOTALDUE (a credit) stays in, so the
 *   aging total equals what is owed. TOTALDUE is the amount due at the sync: a snapshot is only
 *   meaningful on the day it is taken, which is why it is kept instead of being recomputed later.
 * - Days past due: snapshot date − WHENDUE; 0 or less is "current". A bill without WHENDUE is
 *   bucketed "no due date" rather than guessed.
 */
import type { ColumnDef } from '../streams/types';
import { quoteLiteral } from '../hyper/hyper-sql';
import type { SqlClient } from './gl-balances';
import { inTransaction } from './model-table';
import { bigintCol, dateCol, moneyCol, textCol } from './model-columns';

export const AGING_BUCKETS = ['current', '1-30', '31-60', '61-90', 'over 90', 'no due date'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** The bucket of a number of days past due (null: no due date). */
export function agingBucket(daysPastDue: number | null): AgingBucket {
  if (daysPastDue === null) return 'no due date';
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return '1-30';
  if (daysPastDue <= 60) return '31-60';
  if (daysPastDue <= 90) return '61-90';
  return 'over 90';
}

const t = textCol,
  d = dateCol,
  m = (name: string) => moneyCol(name);

export const AP_AGING_COLUMNS: readonly ColumnDef[] = [
  d('SNAPSHOT_DATE', false),
  t('MEGAENTITYID'),
  t('MEGAENTITYNAME'),
  t('VENDORID', false),
  t('VENDORNAME'),
  bigintCol('RECORDNO', false),
  t('RECORDID'),
  t('DOCNUMBER'),
  t('STATE'),
  d('WHENPOSTED'),
  d('WHENDUE'),
  t('BASECURR'),
  m('TOTALDUE'),
  t('CURRENCY'),
  m('TRX_TOTALDUE'),
  bigintCol('DAYS_PAST_DUE'),
  t('AGING_BUCKET', false),
];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** `DATE 'YYYY-MM-DD'`; throws a RangeError for anything else. */
export function dateLiteral(iso: string): string {
  if (!ISO_DATE.test(iso) || Number.isNaN(Date.parse(`${iso}T00:00:00Z`))) throw new RangeError(`Not a date (YYYY-MM-DD): "${iso}".`);
  return `DATE ${quoteLiteral(iso)}`;
}

/** A bill that counts in the AP models: not a draft and not reversed (APBILL STATE values, intacct-objects.md "AP objects"). */
export const COUNTED_BILL_SQL = `COALESCE("STATE", '') NOT IN ('Draft', 'Reversed')`;

/** The WHERE condition of an open bill at `snapshot` (a DATE SQL expression). */
function openCondition(snapshot: string): string {
  return `"TOTALDUE" <> 0 AND ("WHENPOSTED" IS NULL OR "WHENPOSTED" <= ${snapshot}) AND ${COUNTED_BILL_SQL}`;
}

/** The SELECT of one snapshot's rows (columns AP_AGING_COLUMNS) from the AP bills table `apBill`. */
export function apAgingSnapshotSql(apBill: string, snapshotDate: string): string {
  const snap = dateLiteral(snapshotDate);
  const days = `CAST(${snap} - "WHENDUE" AS BIGINT)`;
  return `
SELECT ${snap} AS "SNAPSHOT_DATE", "MEGAENTITYID", "MEGAENTITYNAME", "VENDORID", "VENDORNAME", "RECORDNO", "RECORDID", "DOCNUMBER", "STATE",
       "WHENPOSTED", "WHENDUE", "BASECURR", "TOTALDUE", "CURRENCY", "TRX_TOTALDUE",
       CASE WHEN "WHENDUE" IS NULL THEN NULL ELSE ${days} END AS "DAYS_PAST_DUE",
       CASE WHEN "WHENDUE" IS NULL THEN 'no due date'
            WHEN ${days} <= 0 THEN 'current' WHEN ${days} <= 30 THEN '1-30' WHEN ${days} <= 60 THEN '31-60'
            WHEN ${days} <= 90 THEN '61-90' ELSE 'over 90' END AS "AGING_BUCKET"
  FROM ${apBill}
 WHERE ${openCondition(snap)}`;
}

/**
 * Writes (or rewrites) the snapshot of `snapshotDate` into table `target` (created on first use) and
 * drops snapshots older than `keepDays` before it, in one transaction. Returns the snapshot's rows.
 */
export async function writeApAgingSnapshot(client: SqlClient, target: string, apBill: string, snapshotDate: string, keepDays: number): Promise<number> {
  if (!Number.isInteger(keepDays) || keepDays < 0)
    throw new RangeError(`Days to keep AP aging snapshots must be a whole number of 0 or more, not ${keepDays}.`);
  const snap = dateLiteral(snapshotDate);
  await inTransaction(client, [
    `CREATE TABLE IF NOT EXISTS ${target} AS ${apAgingSnapshotSql(apBill, snapshotDate)} LIMIT 0`,
    `DELETE FROM ${target} WHERE "SNAPSHOT_DATE" = ${snap} OR "SNAPSHOT_DATE" < ${snap} - ${keepDays}`,
    `INSERT INTO ${target} ${apAgingSnapshotSql(apBill, snapshotDate)}`,
  ]);
  const r = await client.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${target} WHERE "SNAPSHOT_DATE" = ${snap}`);
  return Number(r.rows[0]!.n);
}

export interface ApAgingCheck {
  ok: boolean;
  /** Per base currency: the snapshot's total and the open bills' total in the replica. */
  totals: { baseCurrency: string | null; aging: string; openBills: string }[];
}

/** Accounting check: the snapshot's total equals the sum of the open bills' amounts due, per base currency. */
export async function checkApAgingTotal(client: SqlClient, target: string, apBill: string, snapshotDate: string): Promise<ApAgingCheck> {
  const snap = dateLiteral(snapshotDate);
  const r = await client.query<{ BASECURR: string | null; AGING: string | null; OPEN: string | null }>(`
    WITH a AS (SELECT "BASECURR", SUM("TOTALDUE") AS s FROM ${target} WHERE "SNAPSHOT_DATE" = ${snap} GROUP BY "BASECURR"),
         o AS (SELECT "BASECURR", SUM("TOTALDUE") AS s FROM ${apBill} WHERE ${openCondition(snap)} GROUP BY "BASECURR")
    SELECT COALESCE(a."BASECURR", o."BASECURR") AS "BASECURR", CAST(COALESCE(a.s, 0) AS NUMERIC(18,2)) AS "AGING", CAST(COALESCE(o.s, 0) AS NUMERIC(18,2)) AS "OPEN"
      FROM a FULL OUTER JOIN o ON a."BASECURR" IS NOT DISTINCT FROM o."BASECURR" ORDER BY 1`);
  const totals = r.rows.map((x) => ({ baseCurrency: x.BASECURR, aging: x.AGING ?? '0.00', openBills: x.OPEN ?? '0.00' }));
  return { ok: totals.every((x) => x.aging === x.openBills), totals };
}
