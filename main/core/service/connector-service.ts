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
import { AuthError, CancelledError, ValidationError, isAbortError } from '../errors';
import { describeSchedule, nextRuns, createScheduler, nodeScheduleTimer } from '../schedule';
import { checkDatabaseFile, databaseOpenError, openStore } from '../store';
import { acquireDataFolderLock, type DataFolderLock } from './data-folder-lock';
import type { Store } from '../store/types';
import { openLedger, type Ledger } from '../sync/ledger';
import { runSync, errorInfo, combineProblems } from '../sync/run-sync';

/** Both sides' settings are incomplete: every gap is reported at once. */
class ServiceProblems extends Error {
  constructor(readonly errors: readonly unknown[]) {
    super('Both sides are not set up.');
  }
}
import type { WritePayloadFn } from '../sync/ports';
import type { QueryHyperFn } from '../sync/tableau-tie-out';
import type { ConnectorApi } from '../../../shared/ipc-contract';
import {
  secretNames,
  type AuditQuery,
  type RunDetail,
  type RunSummary,
  type SaveSettingsRequest,
  type SecretName,
  type ServiceEvent,
  type StreamName,
  type StreamProgress,
} from '../../../shared/types';
import { intacctCredentials, secretStatus, secretValues, tableauAuth, type ServiceFactories } from './runtime';
import { validateSchedule, validateSettings } from './settings';
import { buildSupportZip } from './support-bundle';
import { defaultFactories } from './default-factories';
import { openDependentRefreshLog } from './dependent-refreshes';
import { createAlerts } from './alerts';
import { createApiUsage } from './api-usage';
import { createCatalog, fullLoadTransactions } from './catalog';
import { SIDE_SECRETS, createDiagnostics, endpointChanges } from './diagnostics';
import { createStatus } from './status';
import { createServiceContext, type CoreDeps, type CurrentRun } from './service-context';

export type { CoreDeps };
export { endpointChanges, fullLoadTransactions };

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

/** Creates the service: opens the store and ledger in `dataDir` and marks runs a crash left 'running'. */
/** Why saveSettings refuses a changed alert command (shown next to the field). */
export const ALERT_COMMAND_REFUSED =
  'The alert command can only be set in settings.json in the data folder (by someone who can edit that file); it cannot be changed from the window or the API.';

export async function createConnectorService(input: CoreDeps): Promise<ConnectorService> {
  const deps: CoreDeps & { factories: ServiceFactories } = { ...input, factories: input.factories ?? defaultFactories() };
  const { clock } = deps;
  const owner = (deps.access ?? 'owner') === 'owner';
  // Only this account may read the folder: it holds the audit trail and what Tableau holds.
  mkdirSync(deps.dataDir, { recursive: true, mode: 0o700 });
  const storePath = join(deps.dataDir, 'connector.sqlite');
  const ledgerPath = join(deps.dataDir, 'ledger.sqlite');
  const lock: DataFolderLock | null = owner ? acquireDataFolderLock(deps.dataDir, deps.ownerName ?? 'ml-connector', clock.now()) : null;
  let store: Store;
  let ledger: Ledger;
  try {
    if (owner) {
      checkDatabaseFile(storePath);
      checkDatabaseFile(ledgerPath);
    }
    try {
      store = openStore(storePath, { clock });
    } catch (err) {
      throw databaseOpenError(storePath, err);
    }
    try {
      ledger = openLedger(ledgerPath, { discardStaged: owner });
    } catch (err) {
      store.close();
      throw databaseOpenError(ledgerPath, err);
    }
    if (owner && process.platform !== 'win32') {
      chmodSync(deps.dataDir, 0o700);
      for (const f of [storePath, `${storePath}-wal`, `${storePath}-shm`, ledgerPath, `${ledgerPath}-wal`, `${ledgerPath}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
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
  const ctx = createServiceContext({ deps, owner, store, ledger, workDir, dependentLog });
  const { state, listeners, emit, log, refusals, clientDeps } = ctx;
  type PayloadWriter = { write: WritePayloadFn; stop(): Promise<void>; queryHyper?: QueryHyperFn };
  let writer: PayloadWriter | null = null;
  let writerStarting: Promise<PayloadWriter> | null = null;
  let stopStaleCheck: (() => void) | null = null;

  const interrupted = owner ? store.markInterruptedRuns(clock.now()) : 0;
  if (interrupted) log('warn', `${interrupted} run(s) were interrupted (the app stopped during a sync); their checkpoints were not advanced, the next run picks up from there.`);
  const { raiseAlerts } = createAlerts(ctx);
  const usage = createApiUsage(ctx);
  const catalog = createCatalog(ctx, usage);
  const diagnostics = createDiagnostics(ctx, usage);
  const { getStatus, pushStatus } = createStatus(ctx, usage);

  const startWriter = async (): Promise<PayloadWriter> => {
    if (writer) return writer;
    writerStarting ??= deps.factories
      .startPayloadWriter({ dataDir: deps.dataDir, ...(deps.hyperdPath ? { hyperdPath: deps.hyperdPath } : {}), ...(deps.env ? { env: deps.env } : {}) })
      .then((w: PayloadWriter) => (writer = w))
      .finally(() => (writerStarting = null));
    return writerStarting;
  };

  /** Starts a run unless one is in progress; the returned promise settles when it ends. */
  const startRun = (
    trigger: RunSummary['trigger'],
    req: { streams?: StreamName[]; fullReload?: StreamName[] },
  ): { started: true; run: CurrentRun } | { started: false; reason: string; runId: string | null } => {
    if (state.closed) return { started: false, reason: 'The connector is shutting down.', runId: null };
    if (!owner) return { started: false, reason: 'This ml-connector only reads the data folder; the process that owns it runs the syncs.', runId: null };
    if (state.current) {
      log('info', `A ${trigger} run was not started: run ${state.current.runId} is still in progress.`);
      return { started: false, reason: 'A sync is already running.', runId: state.current.runId };
    }
    const runId = `${new Date(clock.now()).toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
    const controller = new AbortController();
    const progress = new Map<StreamName, StreamProgress>();
    const run: CurrentRun = { runId, startedAt: clock.now(), controller, progress, done: null as unknown as Promise<RunDetail>, transactions: () => 0 };
    state.current = run;
    run.done = executeRun(run, trigger, req).finally(() => {
      if (state.current === run) state.current = null;
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
    state.lastError = detail.outcome === 'succeeded' || detail.outcome === 'cancelled' ? null : detail.error;
    const summary: RunSummary = { ...detail };
    delete (summary as Partial<RunDetail>).streams;
    delete (summary as Partial<RunDetail>).tieOut;
    emit({ type: 'run-finished', run: summary });
    raiseAlerts(settings, detail.runId);
    return detail;
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
      await state.current?.done;
    },
    async cancelSync() {
      if (!state.current) return { cancelled: false };
      log('warn', `Cancelling run ${state.current.runId}…`, { runId: state.current.runId });
      state.current.controller.abort(new CancelledError('The run was cancelled.'));
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
      state.scheduler?.update(r.settings.schedule);
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
    ...diagnostics,
    ...catalog,
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
      state.scheduler?.update(s.schedule);
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
      if (state.scheduler || state.closed || !owner) return;
      const s = deps.settings.get();
      state.scheduler = createScheduler({
        clock,
        schedule: s.schedule,
        lastRunAt: () => store.listRuns(1)[0]?.startedAt ?? null,
        onFire: (trigger) => {
          const r = startRun(trigger, {});
          if (!r.started) log('info', `Scheduled run skipped: ${r.reason}`);
        },
        ...(deps.timer ? { timer: deps.timer } : {}),
      });
      state.scheduler.start();
      // Stale data is a fact of time, not of a run: check it every five minutes too.
      stopStaleCheck = (deps.timer ?? nodeScheduleTimer()).every(5 * 60_000, () => raiseAlerts(deps.settings.get()));
      void pushStatus();
    },
    async shutdown() {
      if (state.closed) return;
      state.scheduler?.stop();
      state.scheduler = null;
      stopStaleCheck?.();
      if (state.current) {
        state.current.controller.abort(new CancelledError('The connector is shutting down.'));
        await state.current.done.catch(() => undefined);
      }
      state.closed = true;
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
