/**
 * What the service's use cases share (issue #13, "the service split by use case"): the host's
 * deps, the two databases, the log and the event stream, how clients are built, and the few facts
 * that change while the service lives (the run in progress, the scheduler, the last error,
 * shutting down). `connector-service.ts` opens the stores and builds this once; each use case
 * (`runs.ts`, `status.ts`, `alerts.ts`, …) is a small factory that takes it, as gitify keeps one
 * handler file per concern (https://github.com/gitify-app/gitify/tree/main/src/main/handlers).
 */
import type { Clock } from '../clock';
import type { FetchLike } from '../http/transport';
import type { RequestEvent } from '../http/request-events';
import type { Scheduler, TimerLike } from '../schedule';
import type { Store } from '../store/types';
import type { Ledger } from '../sync/ledger';
import type { EngineOptions } from '../sync/stream-sync';
import type { ReplicaSource } from '../models/model-ports';
import type { Alert, ErrorInfo, LogEntry, LogLevel, RunDetail, SecretStorage, ServiceEvent, Settings, StreamName, StreamProgress } from '../../../shared/types';
import type { ClientArgs, ServiceFactories } from './runtime';
import type { SecretStore, SettingsStore } from './stores';
import type { DependentRefreshLog } from './dependent-refreshes';
import type { ReloadRequests } from './reload-requests';
import { createRefusalGuard, type RefusalGuard } from './refused-credentials';

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
  /**
   * The local replica the finance models are built from (main/core/replica/, issue 15). Absent: no
   * replica, so every run records its models as skipped with that reason.
   */
  replica?: ReplicaSource;
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
  /** The host's own facts for About and the support bundle: the app's version, the OS, the runtime ("Node 20.19.1"). */
  host?: { appVersion: string; os: string; runtime: string };
  /** Where secrets are kept, for Status (the headless CLI says: keychain or memory, and its variables). */
  secretStorage?: SecretStorage;
  /** Log files the host writes (the desktop app's main-process log) to put in the support bundle. */
  supportLogFiles?: readonly string[];
}

/** The run in progress. */
export interface CurrentRun {
  runId: string;
  startedAt: number;
  controller: AbortController;
  progress: Map<StreamName, StreamProgress>;
  done: Promise<RunDetail>;
  /** Intacct API transactions the run has used so far (0 until its client exists): the counter is live. */
  transactions: () => number;
}

/** What changes while the service lives. Written only where each field says. */
export interface ServiceState {
  /** The single run in progress (runs never overlap); runs.ts sets and clears it. */
  current: CurrentRun | null;
  /** Set by startScheduler, cleared by shutdown (connector-service.ts). */
  scheduler: Scheduler | null;
  /** The newest run's error unless it succeeded or was cancelled; runs.ts sets it. */
  lastError: ErrorInfo | null;
  /** Set by shutdown: nothing is logged, pushed or started after it. */
  closed: boolean;
}

export type LogFn = (level: LogLevel, message: string, extra?: { runId?: string; stream?: StreamName; service?: string }) => void;

export interface ServiceContext {
  deps: CoreDeps & { factories: ServiceFactories };
  clock: Clock;
  /** This process owns the data folder (may run syncs); see CoreDeps.access. */
  owner: boolean;
  store: Store;
  ledger: Ledger;
  /** Where a run writes its payload files. */
  workDir: string;
  dependentLog: DependentRefreshLog;
  /** Tables to reload in full at the next run that runs them (reload-requests.ts). */
  reloads: ReloadRequests;
  state: ServiceState;
  /** Who receives `emit`ted events (onEvent adds, shutdown clears). */
  listeners: Set<(e: ServiceEvent) => void>;
  emit(e: ServiceEvent): void;
  /** Appends to the store's log, mirrors to the host and emits it (nothing once closed). */
  log: LogFn;
  /** Intacct sign-in details refused earlier: the schedule does not try them again (lock-out risk). */
  refusals: RefusalGuard;
  /** What every Intacct or Tableau client the service builds shares. */
  clientDeps(settings: Settings): ClientArgs;
}

/** Builds the context over the opened stores (connector-service.ts opens them). */
export function createServiceContext(
  parts: Pick<ServiceContext, 'deps' | 'owner' | 'store' | 'ledger' | 'workDir' | 'dependentLog' | 'reloads'>,
): ServiceContext {
  const { deps, store } = parts;
  const { clock } = deps;
  const state: ServiceState = { current: null, scheduler: null, lastError: null, closed: false };
  const listeners = new Set<(e: ServiceEvent) => void>();
  const emit = (e: ServiceEvent) => {
    for (const l of listeners) {
      try {
        l(e);
      } catch {
        // A broken listener (a closed SSE socket) must not break the run.
      }
    }
  };
  const log: LogFn = (level, message, extra = {}) => {
    if (state.closed) return;
    const entry = store.appendLog({ at: clock.now(), level, message, ...extra });
    deps.log?.(entry);
    emit({ type: 'log', entry });
  };
  const onRequest = (e: RequestEvent) => {
    if (e.retryInMs !== undefined) {
      log(
        'warn',
        `${e.service === 'intacct' ? 'Intacct' : 'Tableau'} ${e.operation}: ${e.message ?? e.outcome}; retrying in ${Math.round(e.retryInMs / 100) / 10} s (attempt ${e.attempt})`,
        { service: e.service },
      );
    } else if (e.outcome !== 'ok') {
      log('debug', `${e.service} ${e.operation}: ${e.outcome} ${e.status}`, { service: e.service });
    }
  };
  return {
    ...parts,
    clock,
    state,
    listeners,
    emit,
    log,
    refusals: createRefusalGuard(() => clock.now()),
    clientDeps: (settings) => ({ settings, fetch: deps.fetch, clock, ...(deps.random ? { random: deps.random } : {}), onEvent: onRequest }),
  };
}
