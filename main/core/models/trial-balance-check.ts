/**
 * Accounting check "the trial balance of every period nets to zero in base currency" (issue 15,
 * "Accounting checks that come for free"), run with SQL in hyperd on the replica's GL detail.
 *
 * Debits equal credits per entity and base currency in each month (BATCH_DATE's month). A break
 * names the period, the entity, the difference, and the journal entries (BATCH_NO with SYMBOL, the
 * journal) that do not balance on their own, with the accounts and amounts of their lines: a line
 * that never reached the replica leaves its entry unbalanced, so the entry points at what is missing.
 * Per-entity balancing assumes inter-entity entries are balanced within each entity (Intacct posts
 * due-to/due-from lines for that); UNCONFIRMED for every setup, so a break is a warning, never a stop.
 */
import { SIGNED_BASE_AMOUNT_SQL, type SqlClient } from './gl-balances';

/** One journal entry that does not balance on its own. */
export interface UnbalancedEntry {
  batchNo: string | null;
  journal: string | null;
  /** Debits − credits of the entry, base currency, 2 decimals. */
  difference: string;
  /** The entry's accounts with their net amount (debits − credits), by account number. */
  accounts: { accountNo: string; amount: string }[];
}

/** One period (entity × base currency × month) whose debits and credits differ. */
export interface TrialBalanceBreak {
  /** First day of the month, YYYY-MM-DD. */
  period: string;
  entity: string | null;
  baseCurrency: string | null;
  /** Debits − credits, base currency, 2 decimals. */
  difference: string;
  entries: UnbalancedEntry[];
  /** Every account named by the unbalanced entries, sorted. */
  accounts: string[];
}

export interface TrialBalanceResult {
  ok: boolean;
  /** Periods checked (entity × base currency × month). */
  periodsChecked: number;
  breaks: TrialBalanceBreak[];
}

interface PeriodRow {
  ENTITY: string | null;
  BASECURR: string | null;
  PERIOD: string;
  DIFF: string;
  [k: string]: unknown;
}
interface EntryRow extends PeriodRow {
  BATCH_NO: string | number | null;
  SYMBOL: string | null;
  ACCOUNTNO: string;
  AMOUNT: string;
  ENTRY_DIFF: string;
}

/** Runs the check on the GL detail table `glDetail` (a qualified SQL name). */
export async function checkTrialBalance(client: SqlClient, glDetail: string): Promise<TrialBalanceResult> {
  const lines = `SELECT "CHILDENTITY" AS "ENTITY", "BASECURR", CAST(date_trunc('month', "BATCH_DATE") AS DATE) AS "PERIOD",
                        "BATCH_NO", "SYMBOL", "ACCOUNTNO", ${SIGNED_BASE_AMOUNT_SQL} AS "NET" FROM ${glDetail}`;
  const periods = await client.query<PeriodRow>(
    `SELECT "ENTITY", "BASECURR", "PERIOD", CAST(SUM("NET") AS NUMERIC(18,2)) AS "DIFF" FROM (${lines}) l
      GROUP BY "ENTITY", "BASECURR", "PERIOD" ORDER BY "PERIOD", "ENTITY", "BASECURR"`,
  );
  const broken = periods.rows.filter((r) => Number(r.DIFF) !== 0);
  const breaks: TrialBalanceBreak[] = [];
  if (broken.length) {
    // Entries whose own lines do not net to zero, with their accounts, in the broken periods only.
    const entries = await client.query<EntryRow>(
      `WITH l AS (${lines}),
            e AS (SELECT "ENTITY", "BASECURR", "PERIOD", "BATCH_NO", "SYMBOL", SUM("NET") AS "ENTRY_DIFF" FROM l
                   GROUP BY "ENTITY", "BASECURR", "PERIOD", "BATCH_NO", "SYMBOL" HAVING SUM("NET") <> 0)
       SELECT e."ENTITY", e."BASECURR", e."PERIOD", e."BATCH_NO", e."SYMBOL", CAST(e."ENTRY_DIFF" AS NUMERIC(18,2)) AS "ENTRY_DIFF",
              l."ACCOUNTNO", CAST(SUM(l."NET") AS NUMERIC(18,2)) AS "AMOUNT", CAST(0 AS NUMERIC(18,2)) AS "DIFF"
         FROM e JOIN l ON l."PERIOD" = e."PERIOD" AND l."BATCH_NO" IS NOT DISTINCT FROM e."BATCH_NO" AND l."SYMBOL" IS NOT DISTINCT FROM e."SYMBOL"
                      AND l."ENTITY" IS NOT DISTINCT FROM e."ENTITY" AND l."BASECURR" IS NOT DISTINCT FROM e."BASECURR"
        GROUP BY e."ENTITY", e."BASECURR", e."PERIOD", e."BATCH_NO", e."SYMBOL", e."ENTRY_DIFF", l."ACCOUNTNO"
        ORDER BY e."PERIOD", e."BATCH_NO", l."ACCOUNTNO"`,
    );
    for (const p of broken) {
      const byEntry = new Map<string, UnbalancedEntry>();
      for (const r of entries.rows) {
        if (r.PERIOD !== p.PERIOD || r.ENTITY !== p.ENTITY || r.BASECURR !== p.BASECURR) continue;
        const batchNo = r.BATCH_NO === null ? null : String(r.BATCH_NO);
        const key = `${batchNo}\u0000${r.SYMBOL}`;
        let entry = byEntry.get(key);
        if (!entry) byEntry.set(key, (entry = { batchNo, journal: r.SYMBOL, difference: r.ENTRY_DIFF, accounts: [] }));
        entry.accounts.push({ accountNo: r.ACCOUNTNO, amount: r.AMOUNT });
      }
      const list = [...byEntry.values()];
      const accounts = [...new Set(list.flatMap((e) => e.accounts.map((a) => a.accountNo)))].sort();
      breaks.push({ period: p.PERIOD, entity: p.ENTITY, baseCurrency: p.BASECURR, difference: p.DIFF, entries: list, accounts });
    }
  }
  return { ok: breaks.length === 0, periodsChecked: periods.rows.length, breaks };
}

/** One line per break, for the run's warning (periods, entities, differences and accounts). */
export function describeTrialBalanceBreaks(result: TrialBalanceResult): string[] {
  return result.breaks.map((b) => {
    const where = [b.entity ?? '(no entity)', b.baseCurrency ?? '?'].join(' ');
    const entries = b.entries.map((e) =>
      `${e.journal ?? ''} ${e.batchNo ?? '?'} off by ${e.difference} (accounts ${e.accounts.map((a) => a.accountNo).join(', ')})`.trim(),
    );
    return `Trial balance for ${b.period.slice(0, 7)} (${where}) is off by ${b.difference}${entries.length ? `: unbalanced entries ${entries.join('; ')}` : ''}.`;
  });
}
