/**
 * Models "P&L by month" and "balance sheet by month" (issue 15, model 2): the GL balances table
 * (gl-balances.ts, same grain: entity × base currency × account × department × location × class ×
 * month) split by GLACCOUNT.ACCOUNTTYPE and given the account's CATEGORY and NORMALBALANCE, in long
 * form so Tableau can pivot categories, accounts, dimensions and months freely.
 *
 * Signs (GL balances are debits − credits):
 * - AMOUNT / BALANCE are in the account's normal direction (NORMALBALANCE 'credit' flips the sign), so
 *   revenue, expenses, assets, liabilities and equity all read positive in the usual case, as on a
 *   printed statement. An account without NORMALBALANCE keeps debits − credits.
 * - NET_INCOME and YTD_NET_INCOME are credits − debits whatever the account: summing them over any
 *   set of P&L rows gives that set's contribution to net income, with no per-account sign logic.
 * Accounts whose type is neither 'balancesheet' nor 'incomestatement' (or is missing from the GL
 * accounts table) are in neither model; the net-income check (net-income-check.ts) names them.
 * The balance sheet shows the accounts as booked: earnings of income-statement accounts that were not
 * closed by an entry are not added as a line (the check computes them instead).
 */
import type { ColumnDef } from '../streams/types';
import { GL_BALANCE_COLUMNS } from './gl-balances';
import { replaceTable } from './model-table';
import type { SqlClient } from './gl-balances';

export interface StatementSources {
  /** Qualified SQL name of the GL balances model table (GL_BALANCE_COLUMNS). */
  glBalances: string;
  /** Qualified SQL name of the replica's GL accounts table (stream gl_account's columns). */
  glAccount: string;
}

const balanceColumn = (name: string): ColumnDef => GL_BALANCE_COLUMNS.find((c) => c.name === name)!;
const money = (name: string): ColumnDef => ({ name, source: name, type: 'numeric', nullable: false, precision: 18, scale: 2 });
const text = (name: string): ColumnDef => ({ name, source: name, type: 'text', nullable: true });

/** Leading columns shared by both statements: the balance row's key with the account's attributes. */
const KEY_COLUMNS: readonly ColumnDef[] = [
  balanceColumn('ENTITY'),
  balanceColumn('BASECURR'),
  balanceColumn('ACCOUNTNO'),
  balanceColumn('ACCOUNTTITLE'),
  text('CATEGORY'),
  text('NORMALBALANCE'),
  balanceColumn('DEPARTMENTID'),
  balanceColumn('LOCATIONID'),
  balanceColumn('CLASSID'),
  balanceColumn('PERIOD'),
  balanceColumn('FISCAL_YEAR_START'),
];

export const PNL_COLUMNS: readonly ColumnDef[] = [...KEY_COLUMNS, money('AMOUNT'), money('NET_INCOME'), money('YTD_NET_INCOME'), balanceColumn('LINE_COUNT')];

export const BALANCE_SHEET_COLUMNS: readonly ColumnDef[] = [
  ...KEY_COLUMNS,
  money('OPENING_BALANCE'),
  money('NET_CHANGE'),
  money('CLOSING_BALANCE'),
  money('BALANCE'),
  balanceColumn('LINE_COUNT'),
];

/** +1, or −1 for a credit-normal account: turns debits − credits into the account's normal direction. */
const SIGN = `CASE WHEN a."NORMALBALANCE" = 'credit' THEN -1 ELSE 1 END *`;

/** The balances of one account type joined with their account's attributes (a); `extra` selects the amounts from b (balances). */
function statementSql(src: StatementSources, accountType: 'incomestatement' | 'balancesheet', extra: string): string {
  return `
WITH accounts AS (
  SELECT "ACCOUNTNO", MAX("CATEGORY") AS "CATEGORY", MAX("NORMALBALANCE") AS "NORMALBALANCE" FROM ${src.glAccount} GROUP BY "ACCOUNTNO"
)
SELECT b."ENTITY", b."BASECURR", b."ACCOUNTNO", b."ACCOUNTTITLE", a."CATEGORY", a."NORMALBALANCE",
       b."DEPARTMENTID", b."LOCATIONID", b."CLASSID", b."PERIOD", b."FISCAL_YEAR_START",
       ${extra},
       b."LINE_COUNT"
  FROM ${src.glBalances} b
  LEFT JOIN accounts a ON a."ACCOUNTNO" = b."ACCOUNTNO"
 WHERE b."ACCOUNTTYPE" = '${accountType}'`;
}

/** The SELECT of the P&L by month (PNL_COLUMNS). */
export function pnlSql(src: StatementSources): string {
  return statementSql(
    src,
    'incomestatement',
    `
       CAST(${SIGN} b."NET_CHANGE" AS NUMERIC(18,2)) AS "AMOUNT",
       CAST(-b."NET_CHANGE" AS NUMERIC(18,2)) AS "NET_INCOME",
       CAST(-b."CLOSING_BALANCE" AS NUMERIC(18,2)) AS "YTD_NET_INCOME"`,
  );
}

/** The SELECT of the balance sheet by month (BALANCE_SHEET_COLUMNS). */
export function balanceSheetSql(src: StatementSources): string {
  return statementSql(
    src,
    'balancesheet',
    `
       b."OPENING_BALANCE", b."NET_CHANGE", b."CLOSING_BALANCE",
       CAST(${SIGN} b."CLOSING_BALANCE" AS NUMERIC(18,2)) AS "BALANCE"`,
  );
}

/** (Re)builds the P&L by month as table `target`; returns its rows. */
export function buildPnl(client: SqlClient, target: string, src: StatementSources): Promise<number> {
  return replaceTable(client, target, pnlSql(src));
}

/** (Re)builds the balance sheet by month as table `target`; returns its rows. */
export function buildBalanceSheet(client: SqlClient, target: string, src: StatementSources): Promise<number> {
  return replaceTable(client, target, balanceSheetSql(src));
}
