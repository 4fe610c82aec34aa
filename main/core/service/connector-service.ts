/**
 * The core service: one object with every operation of shared/ipc-contract.ts, used by the Electron
 * main process (IPC), the headless server (HTTP+SSE) and the CLI (issue #4 "One service, three
 * front doors").
 *
 * It owns the store, the ledger, the scheduler and the single run in progress: runs never overlap
 * (a request or a scheduled fire that finds one running is refused and logged), a run can be
 * cancelled through its AbortController, and shutdown stops the scheduler, cancels the run, signs
 * out of Tableau (each run signs out when it ends) and stops hyperd. Secrets are write-only: they go
 * into the SecretStore and only "is it set" comes back.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import { AuthError, CancelledError, ValidationError, asConnectorError, isAbortError } from '../errors';
import type { FetchLike } from '../http/transport';
import type { RequestEvent } from '../http/request-events';
import { describeSchedule, nextRuns, createScheduler, nodeScheduleTimer, type Scheduler, type TimerLike } from '../schedule';
import { createAlertGate } from '../alerts';
import { checkDatabaseFile, databaseOpenError, importLegacyLedger, openStore } from '../store';
import { acquireDataFolderLock, type DataFolderLock } from './data-folder-lock';
import type { Store } from '../store/types';
import type { StreamDefinition } from '../streams/types';
import { streamByName, streamDefinitions } from '../streams/definitions';
import { columnNameOf, fieldTypeOf, withExtraFields } from '../streams/extra-fields';
import { openLedger, type Ledger } from '../sync/ledger';
import { runSync, errorInfo, combineProblems } from '../sync/run-sync';

/** Both sides' settings are incomplete: every gap is reported at once. */
class ServiceProblems extends Error {
  constructor(readonly errors: readonly unknown[]) {
    super('Both sides are not set up.');
  }
}
import { defaultEngineOptions, streamReadSpec, type EngineOptions } from '../sync/stream-sync';
import type { WritePayloadFn } from '../sync/ports';
import type { QueryHyperFn } from '../sync/tableau-tie-out';
import type { ConnectorApi, RequestOf } from '../../../shared/ipc-contract';
import {
  INCLUDED_API_TRANSACTIONS,
  secretNames,
  type Alert,
  type AuditQuery,
  type ConnectionTestResult,
  type ErrorInfo,
  type LogEntry,
  type LogLevel,
  type RunDetail,
  type RunSummary,
  type SaveSettingsRequest,
  type SecretName,
  type ServiceEvent,
  type Settings,
  type Status,
  type StreamName,
  type StreamProgress,
  type StreamStatus,
} from '../../../shared/types';
import { intacctCredentials, secretStatus, secretValues, tableauAuth, type ServiceFactories, type SourceClient } from './runtime';
import { configuredSides, validateSchedule, validateSettings } from './settings';
import type { SecretStore, SettingsStore } from './stores';
import { buildSupportZip } from './support-bundle';
import { createRefusalGuard } from './refused-credentials';
import { defaultFactories } from './default-factories';
import { openDependentRefreshLog } from './dependent-refreshes';
import { streamFreshness } from './stream-freshness';

/** What the service needs from its host (all injected; the core reads no environment). */
export interface CoreDeps {
  clock: Clock;
  fetch: FetchLike;
  random?: () => number;
  secrets: SecretStore;
  settings: SettingsStore;
  /** Folder for the store, the ledger, payload files and hyperd's logs. */
  dataDir: string;
  /** A configured hyperd path (settings), before HYPERD_PATH and the bundled one. */
  hyperdPath?: string;
  /** Environment values the host chose to pass (the core never reads process.env); `hyperd`: see hyperdEnvironment. */
  env?: { HYPERD_PATH?: string; hyperd?: Record<string, string> };
  /** Mirrors every log line (the CLI prints them). */
  log?: (e: LogEntry) => void;
  /** Headless service: runs the alert command with the alert as JSON on stdin. */
  runAlertCommand?: (command: string, alert: Alert) => void;
  /** Status reports `demo: true` (the built-in demo against the emulators). */
  demo?: boolean;
  /**
   * How clients are built: `defaultFactories()` (the real ones) when absent. The Electron shell
   * passes `defaultFactories({ resourcesPath })` so the bundled hyperd is found; tests pass fakes.
   */
  factories?: ServiceFactories;
  engineOptions?: Partial<EngineOptions>;
  /** Scheduler timer (node-schedule by default). */
  timer?: TimerLike;
  /**
   * 'owner' (default): takes the data folder's lock (a second owner is refused), checks both
   * databases, recovers from a crash and may run syncs. 'reader' (read-only CLI commands): none of
   * that, so it never disturbs the process that owns the folder; runs are refused.
   */
  access?: 'owner' | 'reader';
  /** What the lock file says owns the folder ("serve", "sync", "desktop app"). */
  ownerName?: string;
  /** Log files the host writes (the desktop app's main-process log) to put in the support bundle. */
  supportLogFiles?: readonly string[];
}

/** Each log file goes into the support bundle up to its last 1 MiB (the newest lines). */
const BUNDLE_LOG_TAIL_BYTES = 1024 * 1024;

/** The last `max` bytes of a text file, or null when it cannot be read. */
function tailOf(path: string, max: number): string | null {
  try {
    const size = statSync(path).size;
    const fd = openSync(path, 'r');
    try {
      const length = Math.min(size, max);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      return (size > max ? `[… first ${size - max} bytes left out]\n` : '') + buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** The service: every contract operation plus lifecycle. */
export interface ConnectorService extends Omit<ConnectorApi, 'onEvent'> {
  onEvent(listener: (e: ServiceEvent) => void): () => void;
  startScheduler(): void;
  shutdown(): Promise<void>;
  /** Starts a run and waits for it (the CLI); refuses like syncNow when one is running. */
  runNow(req?: { streams?: StreamName[]; fullReload?: StreamName[]; trigger?: RunSummary['trigger'] }): Promise<RunDetail | { started: false; reason: string }>;
  /** Resolves when the run in progress (if any) has finished. */
  idle(): Promise<void>;
  /**
   * The audit export a page of rows at a time (the HTTP server and the CLI stream it; the whole
   * trail as one string would take gigabytes of memory). `exportAudit` joins the same lines.
   */
  auditCsv(q: AuditQuery): { fileName: string; lines: Iterable<string> };
}

interface CurrentRun {
  runId: string;
  startedAt: number;
  controller: AbortController;
  progress: Map<StreamName, StreamProgress>;
  done: Promise<RunDetail>;
  /** Intacct API transactions the run has used so far (0 until its client exists): the counter is live. */
  transactions: () => number;
}

/** A company's own field: custom, or a user-defined dimension. */
const own = (f: { field: string; isCustom: boolean }) => f.isCustom || /^GLDIM/.test(f.field);

/** Creates the service: opens the store and ledger in `dataDir` and marks runs a crash left 'running'. */
/** The secrets each side sends to its address. */
const SIDE_SECRETS: Record<'intacct' | 'tableau', readonly SecretName[]> = {
  intacct: ['intacctSenderPassword', 'intacctUserPassword'],
  tableau: ['tableauPatSecret', 'tableauConnectedAppSecret'],
};

/** The origin (scheme, host, port) a URL setting sends secrets to; '' when empty or unparsable. */
function originOf(url: string): string {
  try {
    return url.trim() ? new URL(url).origin : '';
  } catch {
    return url.trim();
  }
}

/** The sides whose address (Intacct endpoint, Tableau server) changed origin between two settings. */
export function endpointChanges(before: Settings, after: Settings): { side: 'intacct' | 'tableau'; label: string; from: string; to: string }[] {
  const out: { side: 'intacct' | 'tableau'; label: string; from: string; to: string }[] = [];
  const i = [originOf(before.intacct.endpoint), originOf(after.intacct.endpoint)] as const;
  if (i[0] !== i[1]) out.push({ side: 'intacct', label: 'The Sage Intacct endpoint', from: i[0], to: i[1] });
  const t = [originOf(before.tableau.serverUrl), originOf(after.tableau.serverUrl)] as const;
  if (t[0] !== t[1]) out.push({ side: 'tableau', label: 'The Tableau server address', from: t[0], to: t[1] });
  return out;
}

/** Why saveSettings refuses a changed alert command (shown next to the field). */
export const ALERT_COMMAND_REFUSED =
  'The alert command can only be set in settings.json in the data folder (by someone who can edit that file); it cannot be changed from the window or the API.';

/** A run's sign-in: `getAPISession` and reading the user's date and time format, before the first stream. */
const RUN_SIGN_IN_TRANSACTIONS = 2;

/**
 * API transactions a full load of `rows` records of a stream uses, as the engine reads it
 * (stream-sync.ts, intacct-reader.ts): one per page of `pageSize` rows (at least one), the pass
 * over rows with an empty WHENMODIFIED, then the tie-out count; exact, checked against real first
 * runs on the emulator (test/integration/sync.test.ts). A partitioned backfill (GL detail) reads
 * date partitions (plus one for rows without a date) and counts the read first; how the rows spread
 * over the dates decides how many partial pages there are, so for it this is an estimate, within
 * one page per partition.
 */
export function fullLoadTransactions(def: StreamDefinition, rows: number, partitions: number): number {
  if (!def.backfillDateColumn) return Math.max(1, Math.ceil(rows / def.pageSize)) + 2;
  return Math.ceil(rows / def.pageSize) + partitions + 4;
}

/**
 * 00:00 UTC on the 1st of the month holding `now`. Whether Intacct's billing month follows the
 * company's time zone is not documented (UNCONFIRMED): UTC is used and said in the UI.
 */
function monthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export async function createConnectorService(input: CoreDeps): Promise<ConnectorService> {
  const deps: CoreDeps & { factories: ServiceFactories } = { ...input, factories: input.factories ?? defaultFactories() };
  const { clock } = deps;
  const owner = (deps.access ?? 'owner') === 'owner';
  // Only this account may read the folder: it holds the audit trail and what Tableau holds.
  mkdirSync(deps.dataDir, { recursive: true, mode: 0o700 });
  const storePath = join(deps.dataDir, 'connector.sqlite');
  // Before schema 4 the ledger had a file of its own: imported into connector.sqlite once (store/import-ledger.ts).
  const legacyLedgerPath = join(deps.dataDir, 'ledger.sqlite');
  const lock: DataFolderLock | null = owner ? acquireDataFolderLock(deps.dataDir, deps.ownerName ?? 'ml-connector', clock.now()) : null;
  let store: Store;
  let ledger: Ledger;
  try {
    if (owner) {
      checkDatabaseFile(storePath);
      checkDatabaseFile(legacyLedgerPath);
    }
    try {
      store = openStore(storePath, { clock });
    } catch (err) {
      throw databaseOpenError(storePath, err);
    }
    try {
      if (owner) importLegacyLedger(store.database, legacyLedgerPath, clock.now());
    } catch (err) {
      store.close();
      throw databaseOpenError(legacyLedgerPath, err);
    }
    ledger = openLedger(store.database, { discardStaged: owner });
    if (owner && process.platform !== 'win32') {
      chmodSync(deps.dataDir, 0o700);
      for (const f of [storePath, `${storePath}-wal`, `${storePath}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    }
  } catch (err) {
    lock?.release();
    throw err;
  }
  const workDir = join(deps.dataDir, 'payloads');
  if (owner) {
    // Payloads a crash left behind are never re-sent (a restart re-reads from the checkpoint).
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
  }
  const dependentLog = openDependentRefreshLog(join(deps.dataDir, 'dependent-refreshes.json'));
  /** Finished runs' details by id (they never change once finished), for the stream cards. */
  const finishedDetails = new Map<string, RunDetail>();
  /** The newest finished runs with their per-stream results, newest first (at most `limit`). */
  const recentDetails = (limit: number): RunDetail[] => {
    const runs = store.listRuns(limit).filter((r) => r.outcome !== 'running');
    const keep = new Set(runs.map((r) => r.runId));
    for (const id of finishedDetails.keys()) if (!keep.has(id)) finishedDetails.delete(id);
    return runs.flatMap((r) => {
      let d = finishedDetails.get(r.runId);
      if (!d) {
        const got = store.getRun(r.runId);
        if (!got) return [];
        finishedDetails.set(r.runId, (d = got));
      }
      return [d];
    });
  };
  const listeners = new Set<(e: ServiceEvent) => void>();
  let current: CurrentRun | null = null;
  let scheduler: Scheduler | null = null;
  type PayloadWriter = { write: WritePayloadFn; stop(): Promise<void>; queryHyper?: QueryHyperFn };
  let writer: PayloadWriter | null = null;
  let writerStarting: Promise<PayloadWriter> | null = null;
  let lastError: ErrorInfo | null = null;
  /** Intacct sign-in details refused earlier: the schedule does not try them again (lock-out risk). */
  const refusals = createRefusalGuard(() => clock.now());
  let closed = false;
  let stopStaleCheck: (() => void) | null = null;
  // Each alert fact is raised once (F's gate); facts already true at startup are not raised again.
  const gate = createAlertGate();
  const alertKey = (a: Alert) => (a as Alert & { key?: string }).key ?? `${a.kind}:${a.runId ?? a.at}`;

  const emit = (e: ServiceEvent) => {
    for (const l of listeners) {
      try {
        l(e);
      } catch {
        // A broken listener (a closed SSE socket) must not break the run.
      }
    }
  };
  const log = (level: LogLevel, message: string, extra: { runId?: string; stream?: StreamName; service?: string } = {}) => {
    if (closed) return;
    const entry = store.appendLog({ at: clock.now(), level, message, ...extra });
    deps.log?.(entry);
    emit({ type: 'log', entry });
  };
  const interrupted = owner ? store.markInterruptedRuns(clock.now()) : 0;
  if (interrupted) log('warn', `${interrupted} run(s) were interrupted (the app stopped during a sync); their checkpoints were not advanced, the next run picks up from there.`);

  const onRequest = (e: RequestEvent) => {
    if (e.retryInMs !== undefined) {
      log('warn', `${e.service === 'intacct' ? 'Intacct' : 'Tableau'} ${e.operation}: ${e.message ?? e.outcome}; retrying in ${Math.round(e.retryInMs / 100) / 10} s (attempt ${e.attempt})`, { service: e.service });
    } else if (e.outcome !== 'ok') {
      log('debug', `${e.service} ${e.operation}: ${e.outcome} ${e.status}`, { service: e.service });
    }
  };

  const startWriter = async (): Promise<PayloadWriter> => {
    if (writer) return writer;
    writerStarting ??= deps.factories
      .startPayloadWriter({ dataDir: deps.dataDir, ...(deps.hyperdPath ? { hyperdPath: deps.hyperdPath } : {}), ...(deps.env ? { env: deps.env } : {}) })
      .then((w: PayloadWriter) => (writer = w))
      .finally(() => (writerStarting = null));
    return writerStarting;
  };

  const configured = async (s: Settings) => {
    const sides = configuredSides(s);
    const st = await secretStatus(deps.secrets, secretNames);
    return {
      intacct: sides.intacct && st.intacctSenderPassword && st.intacctUserPassword,
      tableau: sides.tableau && (s.tableau.auth === 'pat' ? st.tableauPatSecret : st.tableauConnectedAppSecret),
    };
  };

  const getStatus = async (): Promise<Status> => {
    const s = deps.settings.get();
    const conf = await configured(s);
    const lastRun = store.listRuns(1).find((r) => r.outcome !== 'running') ?? null;
    const recent = recentDetails(50);
    // Each card comes from the newest run that actually ran its stream, not from the newest run: a
    // run that failed early (bad password) skipped the rest, which says nothing about their last sync.
    const streams: StreamStatus[] = streamDefinitions.map((d) => {
      const st = store.getStreamState(d.name);
      const last = store.lastStreamRun(d.name);
      const outcome = last?.result.outcome;
      const r = last && outcome && outcome !== 'skipped' ? { ...last.result, outcome, runStartedAt: last.startedAt } : null;
      return {
        stream: d.name,
        label: d.label,
        enabled: s.streams.enabled[d.name],
        datasource: s.tableau.datasourceNames[d.name] || d.target.datasource,
        lastRunAt: r ? r.runStartedAt : null,
        lastOutcome: r ? r.outcome : null,
        lastRowsMoved: r ? r.rowsUpserted + r.rowsDeleted : null,
        lastDurationMs: r ? r.durationMs : null,
        checkpoint: st?.cursor?.whenModified ?? null,
        totalRowsInTableau: st?.datasourceId ? ledger.count(d.name) : null,
        ...streamFreshness(recent, d.name),
      };
    });
    const state: Status['state'] = current
      ? 'syncing'
      : !conf.intacct || !conf.tableau
        ? 'not-configured'
        : lastRun && (lastRun.outcome === 'failed' || lastRun.outcome === 'partial')
          ? 'error'
          : 'idle';
    return {
      state,
      demo: deps.demo ?? false,
      configured: conf,
      currentRun: current ? { runId: current.runId, startedAt: current.startedAt, progress: [...current.progress.values()] } : null,
      lastRun,
      nextRunAt: scheduler && !s.schedule.paused ? scheduler.nextRunAt() : null,
      schedulePaused: s.schedule.paused,
      streams,
      lastError: lastError ?? (lastRun?.outcome === 'failed' || lastRun?.outcome === 'partial' ? lastRun.error : null),
      // The run in progress is recorded when it ends; until then its client's count is added.
      apiTransactionsThisMonth: store.apiTransactionsSince(monthStart(clock.now())) + (current ? current.transactions() : 0),
      dependents: dependentLog.status(s.tableau.dependentDatasources),
      schedulerRunning: scheduler !== null,
    };
  };
  const pushStatus = async () => {
    if (closed) return;
    try {
      const status = await getStatus();
      if (!closed) emit({ type: 'status', status });
    } catch (err) {
      // The store closed while the status was being read (shutdown right after a save).
      if (!closed) throw err;
    }
  };

  /** Starts a run unless one is in progress; the returned promise settles when it ends. */
  const startRun = (
    trigger: RunSummary['trigger'],
    req: { streams?: StreamName[]; fullReload?: StreamName[] },
  ): { started: true; run: CurrentRun } | { started: false; reason: string; runId: string | null } => {
    if (closed) return { started: false, reason: 'The connector is shutting down.', runId: null };
    if (!owner) return { started: false, reason: 'This ml-connector only reads the data folder; the process that owns it runs the syncs.', runId: null };
    if (current) {
      log('info', `A ${trigger} run was not started: run ${current.runId} is still in progress.`);
      return { started: false, reason: 'A sync is already running.', runId: current.runId };
    }
    const runId = `${new Date(clock.now()).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
    const controller = new AbortController();
    const progress = new Map<StreamName, StreamProgress>();
    const run: CurrentRun = { runId, startedAt: clock.now(), controller, progress, done: null as unknown as Promise<RunDetail>, transactions: () => 0 };
    current = run;
    run.done = executeRun(run, trigger, req).finally(() => {
      if (current === run) current = null;
      void pushStatus();
    });
    void pushStatus();
    return { started: true, run };
  };

  const executeRun = async (run: CurrentRun, trigger: RunSummary['trigger'], req: { streams?: StreamName[]; fullReload?: StreamName[] }): Promise<RunDetail> => {
    const settings = deps.settings.get();
    let source: ReturnType<ServiceFactories['createSource']> | null = null;
    let target: ReturnType<ServiceFactories['createTarget']> | null = null;
    let detail: RunDetail;
    let lastLivePush = clock.now();
    try {
      // Both sides' settings are checked before either is used, and every gap is reported at once.
      const [creds, tabl] = await Promise.allSettled([intacctCredentials(settings, deps.secrets), tableauAuth(settings, deps.secrets)]);
      if (creds.status === 'rejected' && tabl.status === 'rejected') {
        throw new ServiceProblems([creds.reason, tabl.reason]);
      }
      if (creds.status === 'rejected') throw creds.reason;
      if (tabl.status === 'rejected') throw tabl.reason;
      const credentials = creds.value;
      const auth = tabl.value;
      const refusal = trigger === 'manual' || trigger === 'cli' ? null : refusals.refusalOf(credentials, settings.intacct.endpoint);
      if (refusal) {
        const when = `${new Date(refusal.at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
        throw new AuthError({
          service: 'intacct',
          code: 'CREDENTIALS_REFUSED',
          userMessage:
            `Sage Intacct refused these sign-in details at ${when} (${refusal.message}). Scheduled syncs do not try them again, ` +
            'so the user is not locked out: correct them in Settings, or press Sync now to try once more.',
        });
      }
      const common = clientDeps(settings);
      source = deps.factories.createSource({ ...common, credentials });
      const runSource = source;
      const startTx = runSource.transactions;
      run.transactions = () => runSource.transactions - startTx;
      target = deps.factories.createTarget({ ...common, auth });
      const w = await startWriter();
      detail = await runSync(
        {
          clock,
          settings,
          source,
          target: target.client,
          load: target.load,
          writePayload: w.write,
          store,
          ledger,
          workDir,
          ...(target.readBack ? { readBack: { tableau: target.readBack, ...(w.queryHyper ? { queryHyper: w.queryHyper } : {}) } } : {}),
          ...(deps.engineOptions ? { options: deps.engineOptions } : {}),
          onProgress: (runId, p) => {
            run.progress.set(p.stream, p);
            emit({ type: 'progress', runId, progress: p });
            // The API counter moves during the run: a status at most every 2 s carries it.
            if (clock.now() - lastLivePush >= 2_000) {
              lastLivePush = clock.now();
              void pushStatus();
            }
          },
          log: (level, message, extra) => log(level, message, extra),
        },
        { runId: run.runId, trigger, ...(req.streams ? { streams: req.streams } : {}), ...(req.fullReload ? { fullReload: req.fullReload } : {}), signal: run.controller.signal },
      );
      if (detail.dependents) dependentLog.record(detail.dependents);
      const intacctProblem = (detail.error?.problems ?? (detail.error ? [detail.error] : [])).find((e) => e.service === 'intacct');
      if (intacctProblem) refusals.note(credentials, settings.intacct.endpoint, intacctProblem);
      else if (detail.outcome === 'succeeded' || detail.outcome === 'partial') refusals.note(credentials, settings.intacct.endpoint, null);
    } catch (err) {
      // Failed before the engine could record the run (not configured, hyperd missing…).
      const info = err instanceof ServiceProblems ? combineProblems(err.errors.map((e) => errorInfo(e, { runId: run.runId }))) : errorInfo(err, { runId: run.runId });
      const now = clock.now();
      store.startRun({ runId: run.runId, trigger, startedAt: run.startedAt });
      const outcome = isAbortError(err) ? 'cancelled' : 'failed';
      store.finishRun(run.runId, { finishedAt: now, outcome, rowsMoved: 0, apiTransactions: 0, error: info, durationMs: now - run.startedAt });
      log('error', `Run failed: ${info.message}`, { runId: run.runId, service: info.service });
      detail = { runId: run.runId, trigger, startedAt: run.startedAt, finishedAt: now, outcome, rowsMoved: 0, durationMs: now - run.startedAt, apiTransactions: 0, error: info, streams: [], tieOut: null };
    } finally {
      // The store holds the run's count from here on: stop adding the live one.
      run.transactions = () => 0;
      source?.close();
      if (target) {
        try {
          await target.client.signOut();
        } catch {
          // Signing out is a courtesy; an expired token is already signed out.
        }
      }
    }
    lastError = detail.outcome === 'succeeded' || detail.outcome === 'cancelled' ? null : detail.error;
    const summary: RunSummary = { ...detail };
    delete (summary as Partial<RunDetail>).streams;
    delete (summary as Partial<RunDetail>).tieOut;
    emit({ type: 'run-finished', run: summary });
    raiseAlerts(settings, detail.runId);
    return detail;
  };

  const currentAlerts = (settings: Settings) =>
    deps.factories.evaluateAlerts({ runs: store.listRuns(50), lastSuccessAt: store.lastSuccessAt(), now: clock.now(), settings: settings.alerts });
  const raiseAlerts = (settings: Settings, runId?: string) => {
    try {
      const alerts = currentAlerts(settings);
      const fresh = new Set(gate.admit(alerts.map((a) => ({ ...a, key: alertKey(a) }))).map((a) => a.key));
      for (const alert of alerts.filter((a) => fresh.has(alertKey(a)))) {
        const a: Alert = { kind: alert.kind, message: alert.message, at: alert.at, ...(alert.runId ?? runId ? { runId: alert.runId ?? runId } : {}) };
        emit({ type: 'alert', alert: a });
        log(a.kind === 'run-succeeded' ? 'info' : 'warn', `Alert: ${a.message}`, runId ? { runId } : {});
        if (settings.alerts.command && deps.runAlertCommand) deps.runAlertCommand(settings.alerts.command, a);
      }
    } catch (err) {
      log('warn', `Alerts could not be evaluated: ${asConnectorError(err, 'local').userMessage}`);
    }
  };
  try {
    gate.seed(currentAlerts(deps.settings.get()).map((a) => ({ ...a, key: alertKey(a) })));
  } catch {
    // Evaluated again after the next run.
  }

  /** What every Intacct or Tableau client the service builds shares. */
  const clientDeps = (settings: Settings) => ({ settings, fetch: deps.fetch, clock, ...(deps.random ? { random: deps.random } : {}), onEvent: onRequest });

  /**
   * Runs `fn` with a fresh Intacct client for something a person asked for (not a run): its API use
   * is recorded, and its sign-in outcome goes to the refusal guard.
   */
  const withIntacctClient = async <T>(what: string, fn: (client: SourceClient, settings: Settings) => Promise<T>): Promise<T> => {
    const settings = deps.settings.get();
    const credentials = await intacctCredentials(settings, deps.secrets);
    const client = deps.factories.createSource({ ...clientDeps(settings), credentials });
    const startTx = client.transactions;
    try {
      const result = await fn(client, settings);
      refusals.note(credentials, settings.intacct.endpoint, null);
      return result;
    } catch (err) {
      const e = asConnectorError(err, 'intacct');
      refusals.note(credentials, settings.intacct.endpoint, { service: e.service, ...(e.code ? { code: e.code } : {}), message: e.userMessage });
      throw err;
    } finally {
      store.recordApiUsage(clock.now(), what, client.transactions - startTx);
      client.close();
    }
  };

  /**
   * Tests one side with the saved settings, or with a draft and typed secrets that are not saved
   * (issue #14 point 4: trying a password must not replace the stored one). A stored secret is only
   * used for a draft whose address (origin) is the one it was entered for, unless confirmed.
   */
  const testConnection = async (req: RequestOf<'testConnection'>): Promise<ConnectionTestResult> => {
    const { side } = req;
    const saved = deps.settings.get();
    let settings = saved;
    if (req.draft) {
      const checked = validateSettings(req.draft);
      if (!checked.ok) {
        const own = Object.entries(checked.errors).filter(([k]) => k.startsWith(`${side}.`) || SIDE_SECRETS[side].includes(k as SecretName));
        const list = (own.length ? own : Object.entries(checked.errors)).map(([k, v]) => `${k}: ${v}`).join('; ');
        return { ok: false, steps: [{ name: 'Settings', ok: false, message: `Fix these settings first: ${list}` }] };
      }
      settings = checked.settings;
    }
    const moved = new Set(req.confirmEndpointChange === true ? [] : endpointChanges(saved, settings).map((c) => c.side));
    const typed = req.secrets ?? {};
    const secrets: SecretStore = {
      get: async (name) => typed[name] || (moved.has(SIDE_SECRETS.intacct.includes(name) ? 'intacct' : 'tableau') ? null : await deps.secrets.get(name)),
      set: async () => undefined,
      delete: async () => undefined,
    };
    const common = clientDeps(settings);
    if (side === 'intacct') {
      let creds;
      try {
        creds = await intacctCredentials(settings, secrets);
      } catch (err) {
        return { ok: false, steps: [{ name: 'Settings', ok: false, message: asConnectorError(err, 'intacct').userMessage }] };
      }
      const client = deps.factories.createSource({ ...common, credentials: creds });
      const startTx = client.transactions;
      try {
        const result = await client.testConnection();
        if (result.ok) refusals.note(creds, settings.intacct.endpoint, null);
        return result;
      } catch (err) {
        return { ok: false, steps: [{ name: 'Sender credentials', ok: false, message: asConnectorError(err, 'intacct').userMessage }] };
      } finally {
        store.recordApiUsage(clock.now(), 'connection test', client.transactions - startTx);
        client.close();
      }
    }
    const steps: { name: string; ok: boolean; message: string }[] = [];
    let auth;
    try {
      auth = await tableauAuth(settings, secrets);
    } catch (err) {
      return { ok: false, steps: [{ name: 'Settings', ok: false, message: asConnectorError(err, 'tableau').userMessage }] };
    }
    let client: ReturnType<ServiceFactories['createTarget']>['client'];
    try {
      client = deps.factories.createTarget({ ...common, auth }).client;
    } catch (err) {
      return { ok: false, steps: [{ name: 'Server', ok: false, message: asConnectorError(err, 'tableau').userMessage }] };
    }
    const step = async (name: string, fn: () => Promise<string>) => {
      if (steps.some((s) => !s.ok)) return;
      try {
        steps.push({ name, ok: true, message: await fn() });
      } catch (err) {
        steps.push({ name, ok: false, message: asConnectorError(err, 'tableau').userMessage });
      }
    };
    await step('Server', async () => {
      const info = await client.serverInfo();
      const note = client.address?.note ? ` ${client.address.note}` : '';
      return `Tableau ${info.productVersion}, REST API ${info.restApiVersion}.${note}`;
    });
    let signedIn = false;
    await step('Sign in', async () => {
      await client.signIn();
      signedIn = true;
      return `Signed in to site "${client.address?.site || settings.tableau.site || 'Default'}".`;
    });
    await step('Project', async () => {
      const p = await client.findProject(settings.tableau.project, { create: false });
      if (p) return `Project "${p.name}" found.`;
      if (settings.tableau.createProject) return `Project "${settings.tableau.project}" does not exist yet; the first sync will create it.`;
      throw new ValidationError({ service: 'tableau', userMessage: `Project "${settings.tableau.project}" was not found. Create it, or allow the connector to create it.`, fields: { 'tableau.project': 'Not found' } });
    });
    if (settings.tableau.dependentDatasources.length) {
      // Every dependent data source must exist, or a run would load the data and leave the
      // dashboards built on it stale (issue #14 point 1).
      await step('Dependent data sources', async () => {
        const names = settings.tableau.dependentDatasources;
        const missing: string[] = [];
        for (const name of names) if (!(await client.findDatasource(name))) missing.push(name);
        if (missing.length) {
          throw new ValidationError({
            service: 'tableau',
            userMessage: `${missing.map((n) => `"${n}"`).join(', ')} ${missing.length === 1 ? 'was' : 'were'} not found on this site. Correct the name under Dependent data sources, or remove it.`,
            fields: { 'tableau.dependentDatasources': 'Not found' },
          });
        }
        return `${names.length === 1 ? `"${names[0]}" found` : `All ${names.length} found`}; each is refreshed after a run.`;
      });
    }
    if (signedIn) await client.signOut().catch(() => undefined);
    return { ok: steps.every((s) => s.ok), steps };
  };

  const service: ConnectorService = {
    getStatus,
    async syncNow(req) {
      const r = startRun('manual', req ?? {});
      if (!r.started) return { started: false, runId: r.runId, reason: r.reason };
      return { started: true, runId: r.run.runId };
    },
    async runNow(req = {}) {
      const r = startRun(req.trigger ?? 'cli', req);
      if (!r.started) return { started: false, reason: r.reason };
      return r.run.done;
    },
    async idle() {
      await current?.done;
    },
    async cancelSync() {
      if (!current) return { cancelled: false };
      log('warn', `Cancelling run ${current.runId}…`, { runId: current.runId });
      current.controller.abort(new CancelledError('The run was cancelled.'));
      return { cancelled: true };
    },
    async getSettings() {
      return deps.settings.get();
    },
    async saveSettings(request) {
      const { confirmEndpointChange, ...s } = (request ?? {}) as SaveSettingsRequest;
      const r = validateSettings(s);
      if (!r.ok) return r;
      // The alert command runs a program: it comes only from the settings file on disk, never from
      // the window or the served API (issue #12: the served token must not be a shell).
      if (r.settings.alerts.command !== deps.settings.get().alerts.command) {
        return { ok: false, errors: { 'alerts.command': ALERT_COMMAND_REFUSED } };
      }
      // A secret is bound to the address it was entered for: a changed address drops it unless confirmed.
      const before = deps.settings.get();
      const cleared: SecretName[] = [];
      for (const side of endpointChanges(before, r.settings)) {
        for (const name of SIDE_SECRETS[side.side]) {
          if ((await deps.secrets.get(name)) === null) continue;
          if (confirmEndpointChange === true) continue;
          await deps.secrets.delete(name);
          cleared.push(name);
        }
        log(
          'warn',
          confirmEndpointChange === true
            ? `${side.label} changed from ${side.from || '(none)'} to ${side.to}; the stored secrets are kept for it, as confirmed.`
            : `${side.label} changed from ${side.from || '(none)'} to ${side.to}; its stored secrets were removed (they were entered for the old address). Enter them again.`,
        );
      }
      deps.settings.set(r.settings);
      scheduler?.update(r.settings.schedule);
      log('info', 'Settings saved.');
      void pushStatus();
      return cleared.length ? { ...r, clearedSecrets: cleared } : r;
    },
    async setCredential({ name, value }) {
      if (!secretNames.includes(name)) throw new ValidationError({ userMessage: `Unknown credential "${String(name)}".` });
      if (!value) throw new ValidationError({ userMessage: 'The secret is empty.', fields: { [name]: 'Required' } });
      await deps.secrets.set(name, value);
      log('info', `Credential ${name} updated.`);
      void pushStatus();
      return { ok: true };
    },
    async clearCredential({ name }) {
      await deps.secrets.delete(name);
      log('info', `Credential ${name} removed.`);
      void pushStatus();
      return { ok: true };
    },
    getCredentialStatus: () => secretStatus(deps.secrets, secretNames),
    testConnection: (req) => testConnection(req),
    async listFields({ stream }) {
      // The fields of the stream's Intacct object, custom ones first, each marked if the stream already has it.
      return withIntacctClient(`field lookup (${stream})`, async (client, settings) => {
        const base = streamByName(stream);
        const def = withExtraFields(base, settings.streams.extraFields[stream]);
        const names = (d: StreamDefinition) => new Set(d.columns.map((c) => c.name.toUpperCase()));
        const standard = names(base);
        const have = names(def);
        const fields = await client.lookup(def.intacctObject);
        return fields
          .map((f) => {
            const column = columnNameOf(f.id).toUpperCase();
            return { field: f.id, label: f.label, intacctType: f.type, type: fieldTypeOf(f.type), isCustom: f.isCustom, standard: standard.has(column), inStream: have.has(column) };
          })
          // Custom fields and user-defined dimensions (GLDIM*, ISCUSTOM false in Intacct's lookup,
          // intacct-objects.md) first: they are what a company adds of its own.
          .sort((a, b) => Number(own(b)) - Number(own(a)) || a.field.localeCompare(b.field));
      });
    },
    async estimateFullLoad(req) {
      // One `count` per stream, with the filters and backfill window a full load would read.
      return withIntacctClient('full-load estimate', async (client, settings) => {
        const chosen = streamDefinitions.filter((d) => (req?.streams?.length ? req.streams.includes(d.name) : settings.streams.enabled[d.name]));
        const partitions = deps.engineOptions?.partitions ?? defaultEngineOptions.partitions;
        const startTx = client.transactions;
        const streams = [];
        for (const def of chosen) {
          const rows = await client.count(streamReadSpec(def, settings));
          streams.push({ stream: def.name, label: def.label, rows, apiTransactions: fullLoadTransactions(def, rows, partitions) + (streams.length ? 0 : RUN_SIGN_IN_TRANSACTIONS) });
        }
        // Counting used one transaction per stream, plus the sign-in; it is recorded as the client closes.
        const countingTransactions = client.transactions - startTx;
        return {
          streams,
          apiTransactions: streams.reduce((n, x) => n + x.apiTransactions, 0),
          countingTransactions,
          usedThisMonth: store.apiTransactionsSince(monthStart(clock.now())) + countingTransactions,
          monthlyAllowance: INCLUDED_API_TRANSACTIONS,
        };
      });
    },
    async listRuns(req) {
      return store.listRuns(req?.limit ?? 50);
    },
    async getRun({ runId }) {
      return store.getRun(runId);
    },
    async queryLogs(q) {
      return store.queryLogs(q ?? {});
    },
    async queryAudit(q) {
      return store.queryAudit(q);
    },
    auditCsv(q) {
      const what = q.runId ? `run-${q.runId}` : q.stream ? `stream-${q.stream}` : q.recordKey ? `record-${q.recordKey}` : 'all';
      return { fileName: `audit-${what.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv`, lines: store.iterateAuditCsv(q) };
    },
    async exportAudit(q) {
      const { fileName, lines } = service.auditCsv(q);
      let csv = '';
      for (const line of lines) csv += line;
      return { fileName, csv };
    },
    async getHistory(req) {
      return store.history(req?.limit ?? 30);
    },
    async previewSchedule({ schedule, count }) {
      // The request is only shape-checked at the door: validate the schedule like saveSettings does.
      const checked = validateSchedule(schedule);
      if (!checked.ok) throw new ValidationError({ userMessage: `The schedule is not valid: ${Object.entries(checked.errors).map(([k, v]) => `${k}: ${v}`).join('; ')}`, fields: checked.errors });
      return { runs: nextRuns(checked.schedule, clock.now(), count ?? 5), description: describeSchedule(checked.schedule) };
    },
    async setSchedulePaused({ paused }) {
      const s = deps.settings.get();
      s.schedule.paused = paused;
      deps.settings.set(s);
      scheduler?.update(s.schedule);
      log('info', paused ? 'Schedule paused.' : 'Schedule resumed.');
      const status = await getStatus();
      emit({ type: 'status', status });
      return status;
    },
    async exportSupportBundle() {
      const runs = store.listRuns(50);
      const files = {
        'README.txt': 'ml-connector support bundle: recent runs (with per-stream results and tie-outs), the log, the status and the settings. It holds no password, token or secret.\n',
        'status.json': JSON.stringify(await getStatus(), null, 2),
        'settings.json': JSON.stringify(deps.settings.get(), null, 2),
        'runs.json': JSON.stringify(runs.slice(0, 20).map((r) => store.getRun(r.runId) ?? r), null, 2),
        'log.json': JSON.stringify(store.queryLogs({ limit: 5000 }), null, 2),
      } as Record<string, string>;
      // The host's own log (the desktop app's main process) and hyperd's, newest part of each.
      let hyperdLogs: string[] = [];
      try {
        hyperdLogs = readdirSync(join(deps.dataDir, 'logs')).filter((f) => /\.log$/i.test(f)).map((f) => join(deps.dataDir, 'logs', f));
      } catch {
        // no hyperd logs yet
      }
      for (const path of [...(deps.supportLogFiles ?? []), ...hyperdLogs]) {
        const text = tailOf(path, BUNDLE_LOG_TAIL_BYTES);
        if (text !== null) files[`logs/${basename(path)}`] = text;
      }
      const now = clock.now();
      const { zip, redactions } = await buildSupportZip(files, await secretValues(deps.secrets, secretNames), new Date(now));
      if (redactions) log('warn', `Support bundle: ${redactions} secret occurrence(s) were redacted.`);
      return { fileName: `ml-connector-support-${new Date(now).toISOString().slice(0, 10)}.zip`, base64: zip.toString('base64') };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    startScheduler() {
      if (scheduler || closed || !owner) return;
      const s = deps.settings.get();
      scheduler = createScheduler({
        clock,
        schedule: s.schedule,
        lastRunAt: () => store.listRuns(1)[0]?.startedAt ?? null,
        onFire: (trigger) => {
          const r = startRun(trigger, {});
          if (!r.started) log('info', `Scheduled run skipped: ${r.reason}`);
        },
        ...(deps.timer ? { timer: deps.timer } : {}),
      });
      scheduler.start();
      // Stale data is a fact of time, not of a run: check it every five minutes too.
      stopStaleCheck = (deps.timer ?? nodeScheduleTimer()).every(5 * 60_000, () => raiseAlerts(deps.settings.get()));
      void pushStatus();
    },
    async shutdown() {
      if (closed) return;
      scheduler?.stop();
      scheduler = null;
      stopStaleCheck?.();
      if (current) {
        current.controller.abort(new CancelledError('The connector is shutting down.'));
        await current.done.catch(() => undefined);
      }
      closed = true;
      listeners.clear();
      if (writerStarting) await writerStarting.catch(() => undefined);
      await writer?.stop().catch(() => undefined);
      writer = null;
      store.close();
      ledger.close();
      lock?.release();
    },
  };
  return service;
}
