/**
 * Model "GL balances by period": one row per entity × base currency × account × department ×
 * location × class × month, with the month's net change and the opening and closing balance in
 * base currency, computed with SQL in hyperd from the local replica's GL detail and GL accounts
 * (issue 15, model 1).
 *
 * - Signed base amount of a line: DEBITAMOUNT − CREDITAMOUNT. Whether GLDETAIL's AMOUNT is itself
 *   signed is UNCONFIRMED (intacct-xml.md §"GLDETAIL" calls it "signed in FT-DBT seed" only; the
 *   recorded catalog gives TR_TYPE 1/-1 beside it, intacct-objects.md "GLDETAIL specifics"), so the
 *   debit and credit columns, whose meaning is not in doubt, are used; AMOUNT only when both are empty.
 * - Period: the calendar month of BATCH_DATE (the posting date of the entry).
 * - Entity: CHILDENTITY (GLDETAIL has no MEGAENTITY* fields, intacct-objects.md "GLDETAIL specifics").
 *   Balances are kept per BASECURR too, so entities with different base currencies never add up.
 * - Balance-sheet accounts carry their balance forward from their first period; income-statement
 *   accounts (GLACCOUNT.ACCOUNTTYPE = 'incomestatement') restart at zero each fiscal year. An account
 *   missing from the GL accounts table carries forward (never silently zeroed) and shows a null
 *   ACCOUNTTYPE, so the gap is visible.
 * - Every combination has a row for every month from its first period to the last period of the
 *   whole ledger, so a month without activity still shows its balance.
 */
import type { ColumnDef } from '../streams/types';
import { quoteIdent } from '../hyper/hyper-sql';
import { fiscalYearStartSql, validateFiscalYearStartMonth } from './fiscal-year';
import { replaceTable } from './model-table';

export interface GlBalancesSources {
  /** Qualified SQL name of the replica's GL detail table (stream gl_detail's columns). */
  glDetail: string;
  /** Qualified SQL name of the replica's GL accounts table (stream gl_account's columns). */
  glAccount: string;
}

export interface GlBalancesOptions {
  /** Month (1–12) the fiscal year starts in. */
  fiscalYearStartMonth: number;
}

const money = (name: string): ColumnDef => ({ name, source: name, type: 'numeric', nullable: false, precision: 18, scale: 2 });
const text = (name: string, nullable = true): ColumnDef => ({ name, source: name, type: 'text', nullable });

/** The model's columns, in order (also the columns of its published data source). */
export const GL_BALANCE_COLUMNS: readonly ColumnDef[] = [
  text('ENTITY'),
  text('BASECURR'),
  text('ACCOUNTNO', false),
  text('ACCOUNTTITLE'),
  text('ACCOUNTTYPE'),
  text('DEPARTMENTID'),
  text('LOCATIONID'),
  text('CLASSID'),
  { name: 'PERIOD', source: 'PERIOD', type: 'date', nullable: false },
  { name: 'FISCAL_YEAR_START', source: 'FISCAL_YEAR_START', type: 'date', nullable: false },
  money('OPENING_BALANCE'),
  money('NET_CHANGE'),
  money('CLOSING_BALANCE'),
  { name: 'LINE_COUNT', source: 'LINE_COUNT', type: 'bigint', nullable: false },
];

/** The key of one balance row (everything but the amounts). */
export const GL_BALANCE_KEY = ['ENTITY', 'BASECURR', 'ACCOUNTNO', 'DEPARTMENTID', 'LOCATIONID', 'CLASSID', 'PERIOD'] as const;

/** The signed base-currency amount of one GL detail line (see the file comment). */
export const SIGNED_BASE_AMOUNT_SQL =
  'CASE WHEN "DEBITAMOUNT" IS NULL AND "CREDITAMOUNT" IS NULL THEN "AMOUNT" ELSE COALESCE("DEBITAMOUNT", 0) - COALESCE("CREDITAMOUNT", 0) END';

/** The model's dimensions: every balance row's key but PERIOD. */
export const GL_BALANCE_DIMS = '"ENTITY", "BASECURR", "ACCOUNTNO", "DEPARTMENTID", "LOCATIONID", "CLASSID"';

/** The GL detail lines with the model's dimensions, PERIOD and signed base amount NET. */
export function glLinesSql(glDetail: string): string {
  return `SELECT "CHILDENTITY" AS "ENTITY", "BASECURR", "ACCOUNTNO", "DEPARTMENTID", "LOCATIONID", "CLASSID",
         CAST(date_trunc('month', "BATCH_DATE") AS DATE) AS "PERIOD", ${SIGNED_BASE_AMOUNT_SQL} AS "NET"
    FROM ${glDetail}`;
}

/** One row per account number with its title and type (ACCOUNTTITLE, ACCOUNTTYPE). */
export function glAccountsSql(glAccount: string): string {
  return `SELECT "ACCOUNTNO", MAX("TITLE") AS "ACCOUNTTITLE", MAX("ACCOUNTTYPE") AS "ACCOUNTTYPE" FROM ${glAccount} GROUP BY "ACCOUNTNO"`;
}

/** The SELECT that computes the model; its columns are GL_BALANCE_COLUMNS. */
export function glBalancesSql(src: GlBalancesSources, opts: GlBalancesOptions): string {
  validateFiscalYearStartMonth(opts.fiscalYearStartMonth);
  const dims = GL_BALANCE_DIMS;
  const fyStart = fiscalYearStartSql('b."PERIOD"', opts.fiscalYearStartMonth);
  return `
WITH lines AS (${glLinesSql(src.glDetail)}),
activity AS (
  SELECT ${dims}, "PERIOD", SUM("NET") AS "NET_CHANGE", COUNT(*) AS "LINE_COUNT" FROM lines GROUP BY ${dims}, "PERIOD"
),
combos AS (SELECT ${dims}, MIN("PERIOD") AS "FIRST_PERIOD" FROM activity GROUP BY ${dims}),
months AS (
  SELECT CAST(g AS DATE) AS "PERIOD"
    FROM generate_series((SELECT MIN("PERIOD") FROM activity), (SELECT MAX("PERIOD") FROM activity), INTERVAL '1 month') AS t(g)
),
-- Zero rows for the months a combination has no line in, added (not joined) so null dimensions need no null-safe join.
filled AS (
  SELECT ${dims}, "PERIOD", SUM("NET_CHANGE") AS "NET_CHANGE", SUM("LINE_COUNT") AS "LINE_COUNT" FROM (
    SELECT ${dims}, "PERIOD", "NET_CHANGE", "LINE_COUNT" FROM activity
    UNION ALL
    SELECT c."ENTITY", c."BASECURR", c."ACCOUNTNO", c."DEPARTMENTID", c."LOCATIONID", c."CLASSID", m."PERIOD", CAST(0 AS NUMERIC(18,2)), 0
      FROM combos c JOIN months m ON m."PERIOD" >= c."FIRST_PERIOD"
  ) u GROUP BY ${dims}, "PERIOD"
),
accounts AS (${glAccountsSql(src.glAccount)}),
based AS (
  SELECT b."ENTITY", b."BASECURR", b."ACCOUNTNO", a."ACCOUNTTITLE", a."ACCOUNTTYPE", b."DEPARTMENTID", b."LOCATIONID", b."CLASSID",
         b."PERIOD", ${fyStart} AS "FISCAL_YEAR_START", b."NET_CHANGE", b."LINE_COUNT",
         CASE WHEN a."ACCOUNTTYPE" = 'incomestatement' THEN ${fyStart} END AS "RESET_KEY"
    FROM filled b LEFT JOIN accounts a ON a."ACCOUNTNO" = b."ACCOUNTNO"
),
running AS (
  SELECT *, SUM("NET_CHANGE") OVER (PARTITION BY ${dims}, "RESET_KEY" ORDER BY "PERIOD" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "CLOSING"
    FROM based
)
SELECT "ENTITY", "BASECURR", "ACCOUNTNO", "ACCOUNTTITLE", "ACCOUNTTYPE", "DEPARTMENTID", "LOCATIONID", "CLASSID", "PERIOD", "FISCAL_YEAR_START",
       CAST("CLOSING" - "NET_CHANGE" AS NUMERIC(18,2)) AS "OPENING_BALANCE",
       CAST("NET_CHANGE" AS NUMERIC(18,2)) AS "NET_CHANGE",
       CAST("CLOSING" AS NUMERIC(18,2)) AS "CLOSING_BALANCE",
       CAST("LINE_COUNT" AS BIGINT) AS "LINE_COUNT"
  FROM running`;
}

/** Minimal client surface (a pg.Client connected to hyperd satisfies it). */
export interface SqlClient {
  query<R extends object = Record<string, unknown>>(sql: string): Promise<{ rows: R[]; rowCount: number | null }>;
}

/**
 * (Re)builds the model as table `target` (a qualified name) in full, in one transaction, so a reader
 * never sees it half built. Returns the number of rows.
 */
export async function buildGlBalances(client: SqlClient, target: string, src: GlBalancesSources, opts: GlBalancesOptions): Promise<number> {
  return replaceTable(client, target, glBalancesSql(src, opts));
}

/** `"a"."b"."c"` from its parts. */
export function qualifiedName(...parts: string[]): string {
  return parts.map(quoteIdent).join('.');
}
