/**
 * Accounting check "the P&L's net income for a fiscal year equals the change in retained earnings
 * the balance sheet implies" (issue 15, "Accounting checks that come for free"), run with SQL in
 * hyperd on the P&L and balance sheet models (financial-statements.ts).
 *
 * Why it holds: when every entry balances, the balance-sheet accounts' net (assets − liabilities −
 * equity, debits − credits) is minus the income-statement lines ever posted, i.e. the earnings not
 * yet closed to an equity account. Over one fiscal year its change is therefore that year's net
 * income, whether or not the books were closed by an entry (a closing entry moves amounts between
 * the two sides and changes neither). Per entity × base currency × fiscal year:
 *   net income      = Σ NET_INCOME of the P&L rows (credits − debits)
 *   implied change  = Σ CLOSING_BALANCE at the fiscal year's last month − Σ OPENING_BALANCE at its
 *                     first month, over the balance sheet's rows (computed from the balance sheet as
 *                     published, so a carry-forward error in the models breaks it too)
 * A break gives the difference (net income − implied change) and the accounts of that year that are
 * in neither statement (no or unknown ACCOUNTTYPE), the usual cause besides an unbalanced entry
 * (trial-balance-check.ts names those). A break is a warning, never a stop.
 */
import type { SqlClient } from './gl-balances';

export interface NetIncomeCheckSources {
  /** The P&L by month model table (PNL_COLUMNS). */
  pnl: string;
  /** The balance sheet by month model table (BALANCE_SHEET_COLUMNS). */
  balanceSheet: string;
  /** The GL balances model table (GL_BALANCE_COLUMNS): where unclassified accounts are found. */
  glBalances: string;
}

/** One entity × base currency × fiscal year; amounts in base currency with 2 decimals. */
export interface NetIncomeYear {
  /** First day of the fiscal year, YYYY-MM-DD. */
  fiscalYearStart: string;
  entity: string | null;
  baseCurrency: string | null;
  netIncome: string;
  /** Assets − liabilities − equity (debits − credits) at the start and the end of the year. */
  openingNetAssets: string;
  closingNetAssets: string;
  /** closingNetAssets − openingNetAssets: the change in retained earnings the balance sheet implies. */
  impliedChange: string;
  /** netIncome − impliedChange. */
  difference: string;
  /** Accounts with activity that year in neither statement, with their net change (debits − credits). */
  unclassifiedAccounts: { accountNo: string; accountType: string | null; amount: string }[];
}

export interface NetIncomeCheckResult {
  ok: boolean;
  /** Entity × base currency × fiscal years checked. */
  yearsChecked: number;
  breaks: NetIncomeYear[];
}

interface YearRow {
  FY: string;
  ENTITY: string | null;
  BASECURR: string | null;
  NI: string;
  OPENING: string;
  CLOSING: string;
  CHANGE: string;
  DIFF: string;
}
interface UnclassifiedRow {
  FY: string;
  ENTITY: string | null;
  BASECURR: string | null;
  ACCOUNTNO: string;
  ACCOUNTTYPE: string | null;
  AMOUNT: string;
}

const KEYS = ['"ENTITY"', '"BASECURR"', '"FISCAL_YEAR_START"'];
const sameKey = (x: string, y: string) => KEYS.map((k) => `${x}.${k} IS NOT DISTINCT FROM ${y}.${k}`).join(' AND ');

/** Runs the check on the model tables. */
export async function checkNetIncome(client: SqlClient, src: NetIncomeCheckSources): Promise<NetIncomeCheckResult> {
  const keys = KEYS.join(', ');
  const years = await client.query<YearRow>(`
    WITH ni AS (SELECT ${keys}, SUM("NET_INCOME") AS n FROM ${src.pnl} GROUP BY ${keys}),
         bounds AS (SELECT ${keys}, MIN("PERIOD") AS first_period, MAX("PERIOD") AS last_period FROM ${src.balanceSheet} GROUP BY ${keys}),
         bs AS (
           SELECT ${KEYS.map((k) => `s.${k}`).join(', ')},
                  SUM(CASE WHEN s."PERIOD" = b.first_period THEN s."OPENING_BALANCE" ELSE 0 END) AS opening,
                  SUM(CASE WHEN s."PERIOD" = b.last_period THEN s."CLOSING_BALANCE" ELSE 0 END) AS closing
             FROM ${src.balanceSheet} s JOIN bounds b ON ${sameKey('s', 'b')}
            GROUP BY ${KEYS.map((k) => `s.${k}`).join(', ')}
         )
    SELECT CAST(COALESCE(ni."FISCAL_YEAR_START", bs."FISCAL_YEAR_START") AS TEXT) AS "FY",
           COALESCE(ni."ENTITY", bs."ENTITY") AS "ENTITY", COALESCE(ni."BASECURR", bs."BASECURR") AS "BASECURR",
           CAST(COALESCE(ni.n, 0) AS NUMERIC(18,2)) AS "NI",
           CAST(COALESCE(bs.opening, 0) AS NUMERIC(18,2)) AS "OPENING", CAST(COALESCE(bs.closing, 0) AS NUMERIC(18,2)) AS "CLOSING",
           CAST(COALESCE(bs.closing, 0) - COALESCE(bs.opening, 0) AS NUMERIC(18,2)) AS "CHANGE",
           CAST(COALESCE(ni.n, 0) - (COALESCE(bs.closing, 0) - COALESCE(bs.opening, 0)) AS NUMERIC(18,2)) AS "DIFF"
      FROM ni FULL OUTER JOIN bs ON ${sameKey('ni', 'bs')}
     ORDER BY 1, 2, 3`);
  const broken = years.rows.filter((r) => Number(r.DIFF) !== 0);
  const unclassified = broken.length
    ? (
        await client.query<UnclassifiedRow>(`
        SELECT CAST("FISCAL_YEAR_START" AS TEXT) AS "FY", "ENTITY", "BASECURR", "ACCOUNTNO", "ACCOUNTTYPE", CAST(SUM("NET_CHANGE") AS NUMERIC(18,2)) AS "AMOUNT"
          FROM ${src.glBalances}
         WHERE "ACCOUNTTYPE" IS NULL OR "ACCOUNTTYPE" NOT IN ('balancesheet', 'incomestatement')
         GROUP BY 1, 2, 3, 4, 5 HAVING SUM("LINE_COUNT") > 0
         ORDER BY 4`)
      ).rows
    : [];
  const breaks = broken.map((r): NetIncomeYear => ({
    fiscalYearStart: r.FY,
    entity: r.ENTITY,
    baseCurrency: r.BASECURR,
    netIncome: r.NI,
    openingNetAssets: r.OPENING,
    closingNetAssets: r.CLOSING,
    impliedChange: r.CHANGE,
    difference: r.DIFF,
    unclassifiedAccounts: unclassified
      .filter((u) => u.FY === r.FY && u.ENTITY === r.ENTITY && u.BASECURR === r.BASECURR)
      .map((u) => ({ accountNo: u.ACCOUNTNO, accountType: u.ACCOUNTTYPE, amount: u.AMOUNT })),
  }));
  return { ok: breaks.length === 0, yearsChecked: years.rows.length, breaks };
}

/** One line per break, for the run's warning (fiscal year, entity, the two figures and the difference). */
export function describeNetIncomeBreaks(result: NetIncomeCheckResult): string[] {
  return result.breaks.map((b) => {
    const where = [b.entity ?? '(no entity)', b.baseCurrency ?? '?'].join(' ');
    const accounts = b.unclassifiedAccounts.length
      ? `; accounts in neither statement: ${b.unclassifiedAccounts.map((a) => `${a.accountNo} (${a.accountType ?? 'no type'}) ${a.amount}`).join(', ')}`
      : '';
    return `Net income for the fiscal year starting ${b.fiscalYearStart} (${where}) is ${b.netIncome}, but the balance sheet implies ${b.impliedChange}: off by ${b.difference}${accounts}.`;
  });
}
