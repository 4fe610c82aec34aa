/**
 * The run's three accounting checks (issue 15 "Accounting checks that come for free"), in the shape
 * the run record and the Status page show: the trial balance of every period nets to zero
 * (trial-balance-check.ts, on the replica's GL detail), the P&L's net income equals the change the
 * balance sheet implies (net-income-check.ts, on the built statements), and the AP aging total
 * equals the open bills' amounts due (ap-aging.ts, on today's snapshot). A check whose inputs were
 * not built is reported as not run, with the reason, never as holding.
 */
import type { AccountingCheckBreak, AccountingCheckResult, AccountingChecks } from '../../../shared/models';
import type { SqlClient } from './gl-balances';
import { checkTrialBalance, describeTrialBalanceBreaks } from './trial-balance-check';
import { checkNetIncome, describeNetIncomeBreaks } from './net-income-check';
import { checkApAgingTotal } from './ap-aging';
import { modelTable, replicaTable } from './build-models';
import { decimalToUnits, unitsToDecimal } from '../sync/canonical-row';
import type { GlActivityChange } from './gl-changes';

export const CHECK_LABELS: Readonly<Record<AccountingCheckResult['check'], string>> = {
  trial_balance: 'Trial balance nets to zero',
  net_income: 'Net income equals the balance sheet’s change in retained earnings',
  ap_aging_total: 'AP aging total equals the open bills',
};

/** What each check needs: null when it can run, else why not. */
export interface CheckInputs {
  trialBalance: string | null;
  netIncome: string | null;
  apAging: string | null;
}

/** a − b, exactly (amounts are NUMERIC(18,2) text). */
const minus = (a: string, b: string): string => unitsToDecimal(decimalToUnits(a) - decimalToUnits(b));

const notRun = (check: AccountingCheckResult['check'], message: string): AccountingCheckResult => ({
  check,
  label: CHECK_LABELS[check],
  ok: null,
  breaks: [],
  message,
});

/**
 * Runs the checks whose inputs are there. `snapshotDate`: today's AP aging snapshot. `glChanges`:
 * the accounts whose activity changed since the previous build (gl-changes.ts); a trial balance
 * break names those of its period too, since a line missing from the replica is not in any entry
 * the check can see.
 */
export async function runAccountingChecks(
  client: SqlClient,
  missing: CheckInputs,
  snapshotDate: string,
  glChanges: readonly GlActivityChange[] = [],
): Promise<AccountingChecks> {
  const checks: AccountingCheckResult[] = [];
  if (missing.trialBalance) checks.push(notRun('trial_balance', missing.trialBalance));
  else {
    const r = await checkTrialBalance(client, replicaTable('gl_detail'));
    const text = describeTrialBalanceBreaks(r);
    checks.push({
      check: 'trial_balance',
      label: CHECK_LABELS.trial_balance,
      ok: r.ok,
      breaks: r.breaks.map((b, i): AccountingCheckBreak => {
        const changed = glChanges.filter((c) => c.period === b.period && c.entity === b.entity && c.baseCurrency === b.baseCurrency).map((c) => c.accountNo);
        const extra = changed.filter((a) => !b.accounts.includes(a));
        return {
          period: b.period.slice(0, 7),
          entity: b.entity,
          baseCurrency: b.baseCurrency,
          accounts: [...new Set([...b.accounts, ...changed])].sort(),
          difference: b.difference,
          message: extra.length ? `${text[i]!.replace(/\.$/, '')}; accounts changed in that month since the last build: ${extra.join(', ')}.` : text[i]!,
        };
      }),
    });
  }
  if (missing.netIncome) checks.push(notRun('net_income', missing.netIncome));
  else {
    const r = await checkNetIncome(client, { pnl: modelTable('pnl'), balanceSheet: modelTable('balance_sheet'), glBalances: modelTable('gl_balances') });
    const text = describeNetIncomeBreaks(r);
    checks.push({
      check: 'net_income',
      label: CHECK_LABELS.net_income,
      ok: r.ok,
      breaks: r.breaks.map((b, i): AccountingCheckBreak => ({
        period: b.fiscalYearStart,
        entity: b.entity,
        baseCurrency: b.baseCurrency,
        accounts: b.unclassifiedAccounts.map((a) => a.accountNo),
        difference: b.difference,
        message: text[i]!,
      })),
    });
  }
  if (missing.apAging) checks.push(notRun('ap_aging_total', missing.apAging));
  else {
    const r = await checkApAgingTotal(client, modelTable('ap_aging'), replicaTable('ap_bill'), snapshotDate);
    checks.push({
      check: 'ap_aging_total',
      label: CHECK_LABELS.ap_aging_total,
      ok: r.ok,
      breaks: r.totals
        .filter((t) => t.aging !== t.openBills)
        .map((t): AccountingCheckBreak => ({
          period: snapshotDate,
          entity: null,
          baseCurrency: t.baseCurrency,
          accounts: [],
          difference: minus(t.aging, t.openBills),
          message: `AP aging on ${snapshotDate} (${t.baseCurrency ?? '?'}) totals ${t.aging}, but the open bills' amounts due total ${t.openBills}.`,
        })),
    });
  }
  return { ok: checks.every((c) => c.ok !== false), checks };
}

/** One line per break of every check, for the run's log. */
export function describeAccountingChecks(c: AccountingChecks): string[] {
  return c.checks.flatMap((x) => x.breaks.map((b) => b.message));
}
