/**
 * The run lifecycle: one run at a time (a request or a scheduled fire that finds one running is
 * refused and logged), started, executed through the engine (sync/run-sync.ts) with both sides'
 * clients, cancelled through its AbortController, and recorded even when it fails before the
 * engine could record it. Each run signs out of Tableau when it ends; hyperd (the payload writer)
 * is started by the first run and stopped at shutdown.
 */
import { randomBytes } from 'node:crypto';
import { AuthError, CancelledError, isAbortError } from '../errors';
import { runSync, errorInfo, combineProblems } from '../sync/run-sync';
import { describeUnexpected } from '../api/error-envelope';
import type { ReplicaSource } from '../models/model-ports';
import { modelsDir } from '../models/run-models';
import type { ConnectorApi } from '../../../shared/ipc-contract';
import type { RunDetail, RunSummary, Settings, StreamName, StreamProgress } from '../../../shared/types';
import { intacctCredentials, tableauAuth, type PayloadWriter, type ServiceFactories } from './runtime';
import { transactionCounter } from './api-usage';
import { tapAuditLabels } from './audit-labels-tap';
import type { CurrentRun, ServiceContext } from './service-context';
import { formatUtcMinute } from '../../../shared/format';
import { replicaSourceOf, type HyperReplica } from '../replica';
import { syncedDefinitions } from '../streams/definitions';

/** Both sides' settings are incomplete: every gap is reported at once. */
class ServiceProblems extends Error {
  constructor(readonly errors: readonly unknown[]) {
    super('Both sides are not set up.');
  }
}

/** Without a replica port the models have nothing current to be built from (run-models.ts skips them). */
const NO_REPLICA: ReplicaSource = { path: () => null, asOf: () => null };

/** What a run is asked to do: which streams (default: the enabled ones) and which to reload in full. */
export interface RunRequest {
  streams?: StreamName[];
  fullReload?: StreamName[];
  /** Rebuild the finance models in full. */
  fullModels?: boolean;
}

export type StartResult = { started: true; run: CurrentRun } | { started: false; reason: string; runId: string | null };

export interface ServiceRuns {
  /** The contract's run operations, plus the CLI's runNow and idle (see ConnectorService). */
  operations: Pick<ConnectorApi, 'syncNow' | 'cancelSync'> & {
    runNow(req?: RunRequest & { trigger?: RunSummary['trigger'] }): Promise<RunDetail | { started: false; reason: string }>;
    idle(): Promise<void>;
  };
  /** Starts a run unless one is in progress (the scheduler's way in). */
  startRun(trigger: RunSummary['trigger'], req: RunRequest): StartResult;
  /** Stops the payload writer (hyperd), waiting for one being started: shutdown, after the run ended. */
  stopWriter(): Promise<void>;
  /** The local replica on the writer's hyperd (started if need be); null when the writer keeps none. */
  replica(): Promise<HyperReplica | null>;
}

export function createRuns(ctx: ServiceContext, hooks: { pushStatus(): Promise<void>; raiseAlerts(settings: Settings, runId?: string): void }): ServiceRuns {
  const { deps, clock, owner, store, ledger, workDir, dependentLog, reloads, state, emit, log, refusals, clientDeps } = ctx;
  const { pushStatus, raiseAlerts } = hooks;
  let writer: PayloadWriter | null = null;
  let writerStarting: Promise<PayloadWriter> | null = null;

  const startWriter = async (): Promise<PayloadWriter> => {
    if (writer) return writer;
    writerStarting ??= deps.factories
      .startPayloadWriter({ dataDir: deps.dataDir, ...(deps.hyperdPath ? { hyperdPath: deps.hyperdPath } : {}), ...(deps.env ? { env: deps.env } : {}) })
      .then((w: PayloadWriter) => (writer = w))
      .finally(() => (writerStarting = null));
    return writerStarting;
  };

  /** Starts a run unless one is in progress; the returned promise settles when it ends. */
  const startRun = (trigger: RunSummary['trigger'], req: RunRequest): StartResult => {
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

  const executeRun = async (run: CurrentRun, trigger: RunSummary['trigger'], req: RunRequest): Promise<RunDetail> => {
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
        const when = formatUtcMinute(refusal.at);
        throw new AuthError({
          service: 'intacct',
          code: 'CREDENTIALS_REFUSED',
          userMessage:
            `Sage Intacct refused these sign-in details at ${when} (${refusal.message}). Scheduled syncs do not try them again, ` +
            'so the user is not locked out: correct them in Settings, or press Sync now to try once more.',
        });
      }
      // Reloads asked in Settings ("Reload in full…") join the ones this request asks for.
      const fullReload = [...new Set([...(req.fullReload ?? []), ...reloads.pending()])];
      const common = clientDeps(settings);
      source = deps.factories.createSource({ ...common, credentials });
      const runSource = source;
      // The audit trail's search words (document, vendor, journal) come from the rows read.
      const tapped = tapAuditLabels(runSource, store);
      run.transactions = transactionCounter(runSource);
      target = deps.factories.createTarget({ ...common, auth });
      const w = await startWriter();
      detail = await runSync(
        {
          clock,
          settings,
          source: tapped.source,
          target: target.client,
          load: target.load,
          writePayload: w.write,
          store: tapped.store,
          ledger,
          ...(w.replica ? { replica: w.replica } : {}),
          workDir,
          ...(target.readBack ? { readBack: { tableau: target.readBack, ...(w.queryHyper ? { queryHyper: w.queryHyper } : {}) } } : {}),
          ...(deps.engineOptions ? { options: deps.engineOptions } : {}),
          ...(w.sql
            ? {
                models: {
                  replica: deps.replica ?? (w.replica ? replicaSourceOf(w.replica, syncedDefinitions(settings)) : NO_REPLICA),
                  engine: w.sql,
                  dir: modelsDir(deps.dataDir),
                },
              }
            : {}),
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
        {
          runId: run.runId,
          trigger,
          ...(req.streams ? { streams: req.streams } : {}),
          ...(fullReload.length ? { fullReload } : {}),
          ...(req.fullModels ? { fullModels: true } : {}),
          signal: run.controller.signal,
        },
      );
      reloads.fulfilled(detail.streams);
      if (detail.dependents) dependentLog.record(detail.dependents);
      const intacctProblem = (detail.error?.problems ?? (detail.error ? [detail.error] : [])).find((e) => e.service === 'intacct');
      if (intacctProblem) refusals.note(credentials, settings.intacct.endpoint, intacctProblem);
      else if (detail.outcome === 'succeeded' || detail.outcome === 'partial') refusals.note(credentials, settings.intacct.endpoint, null);
    } catch (err) {
      // Failed before the engine could record the run (not configured, hyperd missing…).
      const unexpected = (reference: string, e: unknown) => log('error', describeUnexpected(reference, e), { runId: run.runId });
      const info =
        err instanceof ServiceProblems
          ? combineProblems(err.errors.map((e) => errorInfo(e, { runId: run.runId }, unexpected)))
          : errorInfo(err, { runId: run.runId }, unexpected);
      const now = clock.now();
      store.startRun({ runId: run.runId, trigger, startedAt: run.startedAt });
      const outcome = isAbortError(err) ? 'cancelled' : 'failed';
      store.finishRun(run.runId, { finishedAt: now, outcome, rowsMoved: 0, apiTransactions: 0, error: info, durationMs: now - run.startedAt });
      log('error', `Run failed: ${info.message}`, { runId: run.runId, service: info.service });
      detail = {
        runId: run.runId,
        trigger,
        startedAt: run.startedAt,
        finishedAt: now,
        outcome,
        rowsMoved: 0,
        durationMs: now - run.startedAt,
        apiTransactions: 0,
        error: info,
        streams: [],
        tieOut: null,
      };
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
    delete (summary as Partial<RunDetail>).models;
    emit({ type: 'run-finished', run: summary });
    raiseAlerts(settings, detail.runId);
    return detail;
  };

  return {
    operations: {
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
    },
    startRun,
    replica: async () => (state.closed ? null : ((await startWriter()).replica ?? null)),
    async stopWriter() {
      if (writerStarting) await writerStarting.catch(() => undefined);
      await writer?.stop().catch(() => undefined);
      writer = null;
    },
  };
}
