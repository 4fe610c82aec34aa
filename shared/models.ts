/**
 * The finance models (issue 15) as both processes see them: their names, what a finance user calls
 * them, their default Tableau data source names, and what a run records about them and about the
 * accounting checks. Plain types and constants only (no Node, no DOM).
 */

/** The models, in build order (each one's inputs come before it). */
export const MODEL_NAMES = ['gl_balances', 'pnl', 'balance_sheet', 'ap_aging', 'bill_payment_flow', 'vendor_performance'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** What a finance user calls each model. */
export const MODEL_LABELS: Readonly<Record<ModelName, string>> = {
  gl_balances: 'GL balances by period',
  pnl: 'P&L by month',
  balance_sheet: 'Balance sheet by month',
  ap_aging: 'AP aging over time',
  bill_payment_flow: 'Bill-to-payment flow',
  vendor_performance: 'Vendor performance by month',
};

/** Default name of each model's Tableau data source (Settings › Finance models may rename it). */
export const MODEL_DATASOURCES: Readonly<Record<ModelName, string>> = {
  gl_balances: 'Intacct GL Balances by Period',
  pnl: 'Intacct P&L by Month',
  balance_sheet: 'Intacct Balance Sheet by Month',
  ap_aging: 'Intacct AP Aging',
  bill_payment_flow: 'Intacct Bill-to-Payment Flow',
  vendor_performance: 'Intacct Vendor Performance by Month',
};

/** Settings › Finance models. */
export interface ModelSettings {
  /** Per model: built and published after each run (all on by default). */
  enabled: Record<ModelName, boolean>;
  /** Data source name per model (absent or empty: MODEL_DATASOURCES). */
  datasourceNames: Partial<Record<ModelName, string>>;
  /**
   * The month the fiscal year starts in (P&L balances restart at zero then): 'intacct' (the default)
   * reads it from the entities' "First fiscal month" (LOCATION.FIRSTMONTH) in the replica; a month
   * 1–12 overrides it (main/core/models/fiscal-year-source.ts says how it is resolved).
   */
  fiscalYearStart: FiscalYearStartSetting;
  /** Days an AP aging snapshot is kept (one snapshot per sync date). */
  apAgingKeepDays: number;
}

/** Settings › Finance models › Fiscal year starts in: from Sage Intacct, or a month 1–12 that overrides it. */
export type FiscalYearStartSetting = 'intacct' | number;

/** The fiscal year start a run used, and where it came from (shown on Status beside the models). */
export interface FiscalYearUsed {
  /** Month 1–12; null when none could be used (the GL models were not built: see note). */
  startMonth: number | null;
  /** intacct: every entity's FIRSTMONTH agreed; override: the setting; default: January, Intacct gave none. */
  source: 'intacct' | 'override' | 'default';
  /** For a finance user: what was read, or why January (or nothing) was used and how to override it. */
  note: string;
}

/** One model in a run. */
export interface ModelRunResult {
  model: ModelName;
  label: string;
  /** The Tableau data source it was published to. */
  datasource: string;
  outcome: 'published' | 'failed' | 'skipped';
  /** Rows published (null: not built). */
  rows: number | null;
  /** incremental: only what changed was recomputed; full: rebuilt from the replica. */
  mode: 'incremental' | 'full' | null;
  /** GL-derived models built incrementally: the months recomputed (YYYY-MM-01; empty: nothing changed). */
  periods?: string[];
  /**
   * true: nothing it is built from changed since its last publish, so its data source already held
   * these rows and they were not uploaded again (main/core/models/model-versions.ts).
   */
  upToDate?: boolean;
  /** Seconds to build and publish it. */
  seconds: number;
  /** Why it failed or was skipped, for a finance user. */
  message?: string;
}

/** One break of an accounting check, as shown to a finance user. */
export interface AccountingCheckBreak {
  /** YYYY-MM (a month) or YYYY-MM-DD (a fiscal year's first day, a snapshot date). */
  period: string;
  entity: string | null;
  baseCurrency: string | null;
  /** Accounts involved (trial balance: of the unbalanced entries; net income: in neither statement). */
  accounts: string[];
  /** The difference in base currency, 2 decimals. */
  difference: string;
  /** One sentence saying what does not agree. */
  message: string;
}

/** One accounting check in a run: null fields mean it was not run (its inputs were missing). */
export interface AccountingCheckResult {
  check: 'trial_balance' | 'net_income' | 'ap_aging_total';
  label: string;
  /** true: it holds; false: breaks; null: not run (see message). */
  ok: boolean | null;
  breaks: AccountingCheckBreak[];
  message?: string;
}

/** The three accounting checks of a run (issue 15 "Accounting checks that come for free"). */
export interface AccountingChecks {
  /** Every check that ran holds (a check not run does not make this false). */
  ok: boolean;
  checks: AccountingCheckResult[];
}

/** The models of a run: what the run record and the Status page show. */
export interface ModelsRun {
  runId: string;
  /** When the replica the models were built from was current (UTC ms; null: unknown). */
  replicaAsOf: number | null;
  models: ModelRunResult[];
  accountingChecks: AccountingChecks | null;
  /** Seconds the whole stage took: build, checks and publish of every model. */
  seconds?: number;
  /** Set when the whole stage was skipped (no replica, nothing enabled). */
  skippedReason?: string;
  /** The fiscal year start the GL models used (absent: the stage was skipped before reading it). */
  fiscalYear?: FiscalYearUsed;
}
