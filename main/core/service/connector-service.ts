/**
 * The core service: one object with every operation of shared/ipc-contract.ts, used by the Electron
 * main process (IPC), the headless server (HTTP+SSE) and the CLI (issue #4 "One service, three
 * front doors").
 *
 * This file is the wiring (issue #13, the split by use case): it opens the data folder (its lock,
 * the store and the ledger, all in this one place), builds the ServiceContext the use cases share
 * (service-context.ts) and joins them, each in its own file: runs.ts (the run lifecycle), status.ts,
 * alerts.ts, diagnostics.ts (both connection tests), catalog.ts (fields, full-load estimate),
 * api-usage.ts, settings-operations.ts, records.ts (runs, log, audit trail) and support-bundle.ts.
 * The scheduler and shutdown stay here: shutdown stops the scheduler, cancels the run and waits for
 * it (each run signs out of Tableau as it ends) and for alerts on their way, stops hyperd and closes
 * the stores. Secrets are
 * write-only: they go into the SecretStore and only "is it set" comes back.
 */
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CancelledError } from '../errors';
import { createScheduler, nodeScheduleTimer } from '../schedule';
import { checkDatabaseFile, databaseOpenError, importLegacyLedger, openStore } from '../store';
import type { Store } from '../store/types';
import { openLedger, type Ledger } from '../sync/ledger';
import type { ConnectorApi } from '../../../shared/ipc-contract';
import type { AuditQuery, RunDetail, RunSummary, ServiceEvent, StreamName } from '../../../shared/types';
import { acquireDataFolderLock, type DataFolderLock } from './data-folder-lock';
import { defaultFactories } from './default-factories';
import { openDependentRefreshLog } from './dependent-refreshes';
import { openReloadRequests } from './reload-requests';
import { streamByName, streamDefinitions } from '../streams/definitions';
import { createDemoReset } from './demo-reset';
import type { ServiceFactories } from './runtime';
import type { HyperReplica } from '../replica';
import { createServiceContext, type CoreDeps } from './service-context';
import { createAlerts } from './alerts';
import { createAlertDelivery } from './alert-delivery';
import { createApiUsage } from './api-usage';
import { createCatalog, fullLoadTransactions } from './catalog';
import { createDiagnostics, endpointChanges } from './diagnostics';
import { createRecords } from './records';
import { createRuns } from './runs';
import { ALERT_COMMAND_REFUSED, createSettingsOperations } from './settings-operations';
import { createAbout } from './about';
import { createStatus } from './status';
import { createSupportBundle } from './support-bundle';

export type { CoreDeps };
export { ALERT_COMMAND_REFUSED, endpointChanges, fullLoadTransactions };

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
   * The local replica of the synced streams (main/core/replica/): `status(defs)` says whether each
   * table is current and as of when; models read it. Starts hyperd if no run has yet; null when
   * the service keeps no replica (a payload writer without one) or is shut down.
   */
  replica(): Promise<HyperReplica | null>;
  /**
   * The audit export a page of rows at a time (the HTTP server and the CLI stream it; the whole
   * trail as one string would take gigabytes of memory). `exportAudit` joins the same lines.
   */
  auditCsv(q: AuditQuery): { fileName: string; lines: Iterable<string> };
}

/** Creates the service: opens the store and ledger in `dataDir` and marks runs a crash left 'running'. */
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
  const reloads = openReloadRequests(join(deps.dataDir, 'reload-requests.json'), (name): name is StreamName => streamDefinitions.some((d) => d.name === name));
  const ctx = createServiceContext({ deps, owner, store, ledger, workDir, dependentLog, reloads });
  const { state, listeners, log } = ctx;
  let stopStaleCheck: (() => void) | null = null;

  const interrupted = owner ? store.markInterruptedRuns(clock.now()) : 0;
  if (interrupted)
    log(
      'warn',
      `${interrupted} run(s) were interrupted (the app stopped during a sync); their checkpoints were not advanced, the next run picks up from there.`,
    );
  // Email and Teams/Slack delivery of raised alerts, and "Send test alert" (alert-delivery.ts).
  const delivery = createAlertDelivery({
    clock,
    fetch: deps.fetch,
    secrets: deps.secrets,
    log: (level, message, extra) => log(level, message, extra),
    ...(deps.random ? { random: deps.random } : {}),
  });
  const { raiseAlerts } = createAlerts(ctx, delivery);
  // Status is built from the usage; the usage tells Status when a count changed (late-bound).
  let pushStatusNow: () => void = () => undefined;
  const usage = createApiUsage(ctx, () => pushStatusNow());
  const catalog = createCatalog(ctx, usage);
  const diagnostics = createDiagnostics(ctx, usage);
  const about = createAbout(ctx);
  const { getStatus, pushStatus } = createStatus(ctx, usage, about);
  pushStatusNow = () => void pushStatus().catch(() => undefined);
  const runs = createRuns(ctx, { pushStatus, raiseAlerts });
  const supportBundle = createSupportBundle(ctx, getStatus, about);
  const settingsOperations = createSettingsOperations(ctx, { getStatus, pushStatus });
  const records = createRecords(ctx);
  const demoReset = await createDemoReset(ctx, runs, pushStatus);

  const service: ConnectorService = {
    getStatus,
    ...supportBundle,
    ...runs.operations,
    ...settingsOperations,
    ...records,
    ...diagnostics,
    ...catalog,
    sendTestAlert: (req) => delivery.sendTest(req, deps.settings.get()),
    replica: () => runs.replica(),
    ...demoReset,
    async requestFullReload({ stream }) {
      reloads.ask(stream);
      log('info', `${streamByName(stream).label} will be reloaded in full at the next run, as asked.`, { stream });
      void pushStatus();
      return { pending: reloads.pending() };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    startScheduler() {
      if (state.scheduler || state.closed || !owner) return;
      const skipIfRefused = (r: ReturnType<typeof runs.startRun>) => {
        if (!r.started) log('info', `Scheduled run skipped: ${r.reason}`);
      };
      const s = deps.settings.get();
      state.scheduler = createScheduler({
        clock,
        schedule: s.schedule,
        lastRunAt: () => store.listRuns(1)[0]?.startedAt ?? null,
        onFire: (trigger) => {
          // No schedule before both sides are set up (issue #14, first run): a fire then would only
          // record a failed run, raise an alert and leave a stale "not set up" error on screen.
          // A run in progress refuses the fire at once (and logs it), as before.
          if (state.current) return skipIfRefused(runs.startRun(trigger, {}));
          void getStatus().then((st) => {
            if (st.state === 'not-configured') {
              log('info', 'Scheduled run skipped: Sage Intacct and Tableau are not both set up yet.');
              return;
            }
            skipIfRefused(runs.startRun(trigger, {}));
          });
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
      // An alert the last run raised is still on its way (the CLI exits right after shutdown).
      await delivery.idle();
      state.closed = true;
      listeners.clear();
      await runs.stopWriter();
      store.close();
      ledger.close();
      lock?.release();
    },
  };
  return service;
}
