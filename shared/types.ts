/**
 * Plain types both processes use: the renderer and the main process (IPC) or the headless
 * server (HTTP+SSE) exchange exactly these shapes. No Node, no DOM, no Electron here.
 */
import type { ModelsRun } from './models';
import type { Settings } from './settings-types';

export type StreamName =
  'gl_account' | 'vendor' | 'department' | 'location' | 'class' | 'employee' | 'ap_bill' | 'ap_bill_line' | 'ap_payment' | 'ap_payment_detail' | 'gl_detail';

/**
 * The secrets the keychain holds: one account each. The renderer may set them, never read them.
 * `smtpPassword` signs in to the alert mail server; `alertWebhookUrl` is the Teams or Slack incoming
 * webhook address, a secret because anyone holding it can post to the channel (issue #14 "Alerts").
 */
export type SecretName =
  'intacctSenderPassword' | 'intacctUserPassword' | 'tableauPatSecret' | 'tableauConnectedAppSecret' | 'smtpPassword' | 'alertWebhookUrl';
export const secretNames: readonly SecretName[] = [
  'intacctSenderPassword',
  'intacctUserPassword',
  'tableauPatSecret',
  'tableauConnectedAppSecret',
  'smtpPassword',
  'alertWebhookUrl',
];

export type { AlertEmailSettings, ExtraField, FieldChoice, FieldType, SchedulePreset, Settings } from './settings-types';

export type SyncPhase =
  'queued' | 'reading' | 'writing' | 'uploading' | 'applying' | 'refreshing' | 'reconciling' | 'done' | 'failed' | 'skipped' | 'cancelled';

export interface StreamProgress {
  stream: StreamName;
  phase: SyncPhase;
  rowsDone: number;
  /** Null when not known yet. */
  rowsExpected: number | null;
  message?: string;
  /**
   * On 'done': rows upserted or deleted in Tableau. An incremental run reads more rows than change
   * (records re-read from the checkpoint, unchanged edits), so the window says "22 checked · 0 changed".
   */
  rowsChanged?: number;
}

export interface StreamStatus {
  stream: StreamName;
  label: string;
  enabled: boolean;
  datasource: string;
  lastRunAt: number | null;
  lastOutcome: 'succeeded' | 'failed' | 'cancelled' | null;
  lastRowsMoved: number | null;
  lastDurationMs: number | null;
  /** Checkpoint (UTC ms) of the newest Intacct change loaded. */
  checkpoint: number | null;
  totalRowsInTableau: number | null;
  /**
   * When the data Tableau holds for this stream was read from Intacct: the start of the newest run
   * in which the stream succeeded (null: never loaded). A later failed run does not move it.
   */
  dataAsOf?: number | null;
  /**
   * The newest finished run's attempt at this stream: its outcome, or 'not-run' when that run never
   * reached the stream (it stopped before reading, or on a configuration failure). Null: no run yet.
   */
  lastAttempt?: { at: number; runId: string; outcome: 'succeeded' | 'failed' | 'cancelled' | 'not-run'; message?: string } | null;
}

/** What happened to one dependent data source's extract refresh in a run. */
export interface DependentRefresh {
  /** The data source's name, as listed in Settings › Tableau. */
  name: string;
  runId: string;
  /** When the refresh was asked for (UTC ms). */
  at: number;
  /** succeeded: Tableau's refresh job finished OK; failed: it (or the request) failed; not-found: no data source of that name. */
  result: 'succeeded' | 'failed' | 'not-found';
  jobId?: string;
  /** Why it failed, for a finance user. */
  message?: string;
}

/** A dependent data source on the Status page: its last refresh (null: never refreshed by a run). */
export interface DependentStatus {
  name: string;
  last: DependentRefresh | null;
}

export interface ErrorInfo {
  /** What failed, for a finance user, and what to do. */
  message: string;
  service: 'intacct' | 'tableau' | 'hyper' | 'local';
  code?: string;
  /** config: the user must change something; transient: try again later; system: a bug or outage. */
  kind?: 'config' | 'transient' | 'system';
  /** Trying the same thing again later may work (a throttled or unreachable service). */
  retryable?: boolean;
  /** An unexpected error: the message is generic and the log line with this reference has the detail. */
  reference?: string;
  stream?: StreamName;
  runId?: string;
  /**
   * Every problem found when there was more than one (e.g. both sides refused the sign-in): the
   * error itself is the first; each is shown with its own next step, so nothing waits for a rerun.
   */
  problems?: ErrorInfo[];
}

export interface Status {
  state: 'idle' | 'syncing' | 'error' | 'not-configured';
  demo: boolean;
  configured: { intacct: boolean; tableau: boolean };
  currentRun: { runId: string; startedAt: number; progress: StreamProgress[] } | null;
  lastRun: RunSummary | null;
  nextRunAt: number | null;
  schedulePaused: boolean;
  streams: StreamStatus[];
  lastError: ErrorInfo | null;
  /** Intacct API transactions used by this connector's runs since the 1st of this month (UTC). */
  apiTransactionsThisMonth: number;
  /**
   * Whether this process runs the schedule. False in the built-in demo (and in read-only CLI
   * commands): the schedule's preview then says that it does not run (issue #14 point 6).
   */
  schedulerRunning?: boolean;
  /** Tables asked to reload in full at the next run ("Reload in full…"), not done yet. */
  pendingReloads?: StreamName[];
  /** Each dependent data source of the settings, with its last refresh by a run. */
  dependents?: DependentStatus[];
  /** The finance models and accounting checks of the newest run that built them (null: none yet). */
  models?: ModelsRun | null;
  /** Where secrets typed into the window are kept (the headless service says; absent: the desktop's keychain). */
  secretStorage?: SecretStorage;
  /** Versions and the data folder, when the host says its version. */
  about?: About;
}

/** What About shows: the app's and hyperd's versions, the OS and the data folder (issue #14 "About"). */
export interface About {
  version: string;
  /** hyperd's `--version` ("main.0.0.26359.r07abb490"); null when no hyperd was found. */
  hyperdVersion: string | null;
  /** "Linux 6.1.0 x64", as the host reports it. */
  os: string;
  dataDir: string;
}

/**
 * Where the service keeps the secrets typed into its window (issue #14 point 5): 'keychain' (the OS
 * keychain, kept across restarts) or 'memory' (no keychain answered: until the service stops).
 */
export interface SecretStorage {
  kind: 'keychain' | 'memory';
  /** The environment variable that sets each secret for the headless service. */
  envVariables?: Partial<Record<SecretName, string>>;
  /** Secrets the service's environment sets: they win over a typed value, so none is taken. */
  fromEnvironment?: SecretName[];
}

/**
 * Intacct API transactions a subscription includes per month (Tier 1, intacct-xml.md §6). Every
 * request (each page of up to 2,000 rows) is one; more are billed by Sage, not refused.
 */
export const INCLUDED_API_TRANSACTIONS = 100_000;

/** What a full load of some streams would cost in Intacct API transactions (estimateFullLoad). */
export interface FullLoadEstimate {
  streams: { stream: StreamName; label: string; rows: number; apiTransactions: number }[];
  /** Sum over the streams: about what a full load of all of them uses. */
  apiTransactions: number;
  /** What counting cost (one transaction per stream). */
  countingTransactions: number;
  /** Used by this connector's runs since the 1st of this month (UTC). */
  usedThisMonth: number;
  /** Intacct's Tier 1 allowance per month (100,000): more is billed, not refused. */
  monthlyAllowance: number;
}

export interface StreamRunResult {
  stream: StreamName;
  outcome: 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  rowsRead: number;
  rowsUpserted: number;
  rowsDeleted: number;
  durationMs: number;
  fullLoad: boolean;
  apiTransactions: number;
  error?: ErrorInfo;
}

export interface TieOutDifference {
  stream: StreamName;
  account?: string;
  period?: string; // YYYY-MM
  intacct: string;
  tableau: string;
}

export interface TieOut {
  ok: boolean;
  counts: { stream: StreamName; intacct: number; tableau: number; match: boolean }[];
  differences: TieOutDifference[];
  /**
   * Where the Tableau figures came from: Tableau's VizQL Data Service, a download of the data
   * sources queried with the local Hyper engine, or (when Tableau could not be read) the
   * connector's ledger of confirmed batches. Absent in tie-outs recorded before it was kept.
   */
  readFrom?: 'vds' | 'download' | 'ledger';
  /** One sentence on how Tableau was read (queries made, why the fallback was used). */
  readNote?: string;
}

export interface RunSummary {
  runId: string;
  trigger: 'manual' | 'schedule' | 'catch-up' | 'cli' | 'demo';
  startedAt: number;
  finishedAt: number | null;
  outcome: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'partial';
  rowsMoved: number;
  durationMs: number | null;
  apiTransactions: number;
  error: ErrorInfo | null;
}

export interface RunDetail extends RunSummary {
  streams: StreamRunResult[];
  tieOut: TieOut | null;
  /** The dependent data sources' refreshes of this run (absent when none were listed or it was not recorded). */
  dependents?: DependentRefresh[];
  /** The finance models built after the streams, and the accounting checks (absent: not recorded). */
  models?: ModelsRun;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  id: number;
  at: number;
  level: LogLevel;
  message: string;
  runId?: string;
  stream?: StreamName;
  service?: string;
}

export interface LogQuery {
  level?: LogLevel;
  runId?: string;
  stream?: StreamName;
  search?: string;
  limit?: number;
  beforeId?: number;
}

export interface AuditEntry {
  runId: string;
  stream: StreamName;
  recordKey: string;
  whenModified: string | null;
  contentHash: string;
  action: 'insert' | 'update' | 'delete';
  requestId: string | null;
  jobId: string | null;
  result: 'pending' | 'applied' | 'failed';
  at: number;
  /** The record's document number(s) (bill number, reference), vendor and journal, when it has them. */
  document?: string | null;
  vendor?: string | null;
  journal?: string | null;
}

export interface AuditQuery {
  runId?: string;
  stream?: StreamName;
  recordKey?: string;
  /** Part of the document number, the vendor (ID or name) or the journal, in any case. */
  document?: string;
  vendor?: string;
  journal?: string;
  limit?: number;
}

export interface ConnectionTestResult {
  ok: boolean;
  /** The steps tried, in order; the first failed one says why. */
  steps: { name: string; ok: boolean; message: string }[];
}

export interface FieldErrors {
  /** Dotted path (e.g. 'intacct.companyId') → message. */
  [path: string]: string;
}

/**
 * What saveSettings answers. `clearedSecrets`: stored secrets removed because the address they were
 * entered for (Intacct endpoint, Tableau server) changed without `confirmEndpointChange`.
 */
export type SaveSettingsResult = { ok: true; settings: Settings; clearedSecrets?: SecretName[] } | { ok: false; errors: FieldErrors };

/**
 * saveSettings' request: the settings, and optionally `confirmEndpointChange: true` to keep the
 * stored secrets when the Intacct endpoint or Tableau server address changes (otherwise they are
 * removed, so they are never sent to an address they were not entered for).
 */
export type SaveSettingsRequest = Settings & { confirmEndpointChange?: boolean };

export interface Alert {
  /** `test`: sent by "Send test alert" to check the channels. */
  kind: 'run-failed' | 'consecutive-failures' | 'stale-data' | 'dependent-refresh-failed' | 'run-succeeded' | 'test';
  message: string;
  runId?: string;
  at: number;
  /** The run's error when the alert is about a failure (messages for a finance user; no secret). */
  failure?: ErrorInfo;
  /** What to do about it, in one or two sentences. */
  nextStep?: string;
}

/** Where an alert goes beyond the desktop notification. */
export type AlertChannel = 'email' | 'webhook';

/** How one channel's delivery went. `configured: false`: the channel is off, nothing was sent. */
export interface AlertDeliveryResult {
  channel: AlertChannel;
  configured: boolean;
  ok: boolean;
  /** What happened, and when it failed what to fix (never a secret). */
  message: string;
}

/** Everything pushed from the service to a front end. */
export type ServiceEvent =
  | { type: 'status'; status: Status }
  | { type: 'progress'; runId: string; progress: StreamProgress }
  | { type: 'log'; entry: LogEntry }
  | { type: 'alert'; alert: Alert }
  | { type: 'run-finished'; run: RunSummary };

export interface HistoryPoint {
  runId: string;
  startedAt: number;
  rowsMoved: number;
  durationMs: number;
  outcome: RunSummary['outcome'];
}
