/**
 * One sync run over every selected stream (issue #4 "Streams and runs").
 *
 * Order: sign in to Tableau and find the project (a wrong token or project fails the run before
 * anything is read), then each enabled stream in definition order (small master data first, GL
 * detail last), then the refresh of the dependent data sources, then the tie-out. A stream that
 * fails for a transient reason does not stop the others (the run ends 'partial'); a configuration
 * failure (bad credentials, missing permission, wrong project) stops the run at once, because every
 * later stream would fail the same way, and a user cancel stops it where it is.
 */
import type { Clock } from '../clock';
import { ApiError, CancelledError, ConnectorError, asConnectorError, isAbortError } from '../errors';
import { syncedDefinitions } from '../streams/definitions';
import { describeUnexpected, toEnvelope } from '../api/error-envelope';
import type {
  DependentRefresh,
  ErrorInfo,
  LogLevel,
  RunDetail,
  RunSummary,
  Settings,
  StreamName,
  StreamProgress,
  StreamRunResult,
  TieOut,
} from '../../../shared/types';
import type { Ledger } from './ledger';
import { noReplica, type LoadFn, type ReplicaPort, type SourcePort, type StorePort, type TargetPort, type WritePayloadFn } from './ports';
import { defaultEngineOptions, syncStream, type EngineOptions, type StreamSyncOutcome } from './stream-sync';
import type { QueryHyperFn, TableauReadBackPort } from './tableau-tie-out';
import { buildTieOut, describeTieOut, tieOutAgainstTableau } from './tie-out';
import type { ModelStageDeps } from '../models/model-ports';
import { modelsError, runModelStage } from '../models/model-stage';
import type { ModelsRun } from '../../../shared/models';

/** What a run needs from the outside (all injected). */
export interface RunDeps {
  clock: Clock;
  settings: Settings;
  source: SourcePort;
  /** `waitForJob`: follows a dependent refresh's job to its end (absent: the refresh counts once queued). */
  target: TargetPort & { waitForJob?(jobId: string, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown> };
  load: LoadFn;
  writePayload: WritePayloadFn;
  store: StorePort;
  ledger: Ledger;
  /** The local replica (main/core/replica/); absent: none is kept. */
  replica?: ReplicaPort;
  /** Folder for payload files (emptied of a run's files as they are loaded). */
  workDir: string;
  /** How the tie-out reads Tableau back (VDS, or a download queried with hyperd); absent = the ledger. */
  readBack?: { tableau: TableauReadBackPort; queryHyper?: QueryHyperFn };
  options?: Partial<EngineOptions>;
  /** The finance models' stage (issue 15); absent: no models are built or recorded. */
  models?: ModelStageDeps;
  onProgress?: (runId: string, p: StreamProgress) => void;
  log?: (level: LogLevel, message: string, extra?: { runId?: string; stream?: StreamName; service?: string }) => void;
}

/** What to run. */
export interface RunRequest {
  runId: string;
  trigger: RunSummary['trigger'];
  /** Streams to sync (default: every enabled stream). */
  streams?: readonly StreamName[];
  /** Streams to reload in full (their data sources are republished). */
  fullReload?: readonly StreamName[];
  /** Rebuild the finance models in full (also implied by any full reload). */
  fullModels?: boolean;
  signal?: AbortSignal;
}

/**
 * The run record's description of a failure: the one envelope IPC and HTTP use too
 * (core/api/error-envelope.ts), with where it happened. An unexpected error is recorded with a
 * generic message and a reference; `onUnexpected` gets its detail with that reference, for the log.
 */
export function errorInfo(
  err: unknown,
  extra: { stream?: StreamName; runId?: string } = {},
  onUnexpected?: (reference: string, err: unknown) => void,
): ErrorInfo {
  const { fields: _fields, ...info } = toEnvelope(err, onUnexpected ? { onUnexpected } : {});
  return { ...info, ...extra };
}

/** More than one side failed its check before reading. */
class PreflightProblems extends Error {
  constructor(readonly errors: readonly unknown[]) {
    super('Several problems were found before reading.');
  }
}

/** One error for several problems: the first leads, all are listed in `problems`, each with its own message. */
export function combineProblems(problems: readonly ErrorInfo[]): ErrorInfo {
  const [first, ...rest] = problems;
  if (!first) throw new Error('combineProblems needs at least one problem');
  if (!rest.length) return first;
  return {
    ...first,
    message: `${problems.length} problems were found before reading: ${problems.map((p) => p.message).join(' Also: ')}`,
    problems: [...problems],
  };
}

/** Runs the sync and records it in the store; resolves with the run's detail (never rejects for a sync failure). */
export async function runSync(deps: RunDeps, req: RunRequest): Promise<RunDetail> {
  const { clock, settings, store } = deps;
  const options: EngineOptions = { ...defaultEngineOptions, ...deps.options };
  const signal = req.signal ?? new AbortController().signal;
  const startedAt = clock.now();
  const runId = req.runId;
  const log = (level: LogLevel, message: string, stream?: StreamName, service?: string) =>
    deps.log?.(level, message, { runId, ...(stream ? { stream } : {}), ...(service ? { service } : {}) });
  /** Logs an unexpected error's detail with the reference its record shows (errorInfo). */
  const unexpected = (stream?: StreamName) => (reference: string, err: unknown) => log('error', describeUnexpected(reference, err), stream);
  const txStart = deps.source.transactions;
  store.startRun({ runId, trigger: req.trigger, startedAt });

  // Each stream with the fields the user added to it (Settings › Streams).
  const selected = syncedDefinitions(settings, req.streams);
  const results: StreamRunResult[] = [];
  const ties: ({ stream: StreamName } & NonNullable<StreamSyncOutcome['tieOut']>)[] = [];
  let runError: ErrorInfo | null = null;
  let cancelled = false;
  // A configuration failure (bad credentials, missing permission) stops the run: every later stream would fail alike.
  let fatal = false;
  log('info', `Run started (${req.trigger}): ${selected.map((d) => d.label).join(', ') || 'no tables enabled'}`);

  let projectId: string | null = null;
  // The sign-in and preference check before the first stream are counted with that stream, as the
  // full-load estimate prices them (connector-service.ts RUN_SIGN_IN_TRANSACTIONS).
  let preflightTransactions = 0;
  try {
    if (signal.aborted) throw new CancelledError();
    // Both sides are checked before anything is read, and every problem is reported at once: a
    // user who fixes the Tableau token must not learn about the Intacct password only on the next
    // run (issue #14 point 3).
    const problems: unknown[] = [];
    await deps.target.signIn().catch((err: unknown) => problems.push(err));
    if (!signal.aborted) await deps.source.prepare?.(signal).catch((err: unknown) => problems.push(err));
    preflightTransactions = deps.source.transactions - txStart;
    if (problems.length)
      throw problems.length === 1 || problems.some(isAbortError) ? (problems.find(isAbortError) ?? problems[0]) : new PreflightProblems(problems);
    const project = await deps.target.findProject(settings.tableau.project, { create: settings.tableau.createProject });
    if (!project) {
      throw new ApiError({
        service: 'tableau',
        kind: 'config',
        code: 'PROJECT_NOT_FOUND',
        userMessage: `Tableau project "${settings.tableau.project}" was not found. Create it in Tableau or allow the connector to create it (Settings › Tableau).`,
      });
    }
    projectId = project.id;
  } catch (err) {
    cancelled = isAbortError(err) || signal.aborted;
    runError =
      err instanceof PreflightProblems
        ? combineProblems(err.errors.map((e) => errorInfo(e, { runId }, unexpected())))
        : errorInfo(err, { runId }, unexpected());
    log(cancelled ? 'warn' : 'error', cancelled ? 'Run cancelled.' : `Run failed before reading: ${runError.message}`, undefined, runError.service);
  }

  if (projectId) {
    for (const def of selected) {
      if (signal.aborted) {
        cancelled = true;
        results.push(skipped(def.name, 'cancelled'));
        continue;
      }
      if (fatal) {
        results.push(skipped(def.name, 'skipped'));
        continue;
      }
      const started = clock.now();
      try {
        const out = await syncStream({
          runId,
          until: startedAt,
          def,
          settings,
          datasourceName: settings.tableau.datasourceNames[def.name] || def.target.datasource,
          projectId,
          fullReload: req.fullReload?.includes(def.name) ?? false,
          source: deps.source,
          load: deps.load,
          writePayload: deps.writePayload,
          store,
          ledger: deps.ledger,
          replica: deps.replica ?? noReplica,
          clock,
          workDir: deps.workDir,
          signal,
          options,
          onProgress: (p) => deps.onProgress?.(runId, p),
          log: (level, message) => log(level, message, def.name),
        });
        if (results.length === 0 && preflightTransactions) out.result = { ...out.result, apiTransactions: out.result.apiTransactions + preflightTransactions };
        results.push(out.result);
        store.saveStreamResult(runId, out.result);
        if (out.tieOut) ties.push({ stream: def.name, ...out.tieOut });
        log(
          'info',
          `${def.label}: ${out.result.rowsRead} read, ${out.result.rowsUpserted} loaded, ${out.result.rowsDeleted} deleted${out.result.fullLoad ? ' (full load)' : ''}`,
          def.name,
        );
      } catch (err) {
        const wasCancel = isAbortError(err) || signal.aborted;
        const info = errorInfo(err, { stream: def.name, runId }, unexpected(def.name));
        const result: StreamRunResult = {
          ...skipped(def.name, wasCancel ? 'cancelled' : 'failed'),
          durationMs: clock.now() - started,
          ...(wasCancel ? {} : { error: info }),
        };
        results.push(result);
        store.saveStreamResult(runId, result);
        deps.onProgress?.(runId, { stream: def.name, phase: wasCancel ? 'cancelled' : 'failed', rowsDone: 0, rowsExpected: null, message: info.message });
        if (wasCancel) {
          cancelled = true;
          log('warn', `${def.label}: cancelled; its checkpoint did not move.`, def.name);
        } else {
          runError ??= info;
          fatal = err instanceof ConnectorError && err.kind === 'config';
          log('error', `${def.label} failed: ${info.message}`, def.name, info.service);
        }
      }
    }
  }

  const succeeded = results.filter((r) => r.outcome === 'succeeded').length;
  // The finance models, before the dependent refreshes: a dependent data source may be built on them.
  let models: ModelsRun | undefined;
  if (deps.models && projectId && succeeded > 0 && !cancelled) {
    const stage = await runModelStage(deps.models, {
      runId,
      settings: settings.models,
      timezone: settings.schedule.timezone,
      startedAt,
      projectId,
      full: Boolean(req.fullModels) || Boolean(req.fullReload?.length),
      clock,
      load: deps.load,
      datasourceExists: async (name, project) => (await deps.target.findDatasource(name, project)) !== null,
      signal,
      log: (level, message) => log(level, message, undefined, 'hyper'),
    });
    cancelled ||= stage.cancelled;
    models = stage.models;
    if (models) {
      store.saveModels(runId, models);
      if (!cancelled) runError ??= modelsError(models, runId);
    }
  }
  let dependents: DependentRefresh[] | undefined;
  if (projectId && succeeded > 0 && !cancelled && settings.tableau.dependentDatasources.length) {
    // The loaded streams show 'refreshing' while the data sources built on them are refreshed.
    const loaded = results.filter((r) => r.outcome === 'succeeded');
    const show = (phase: StreamProgress['phase']) =>
      loaded.forEach((r) =>
        deps.onProgress?.(runId, {
          stream: r.stream,
          phase,
          rowsDone: r.rowsRead,
          rowsExpected: r.rowsRead,
          ...(phase === 'refreshing' ? { message: 'refreshing dependent data sources' } : {}),
        }),
      );
    show('refreshing');
    dependents = await refreshDependents(deps, runId, signal, log);
    show('done');
    // A dependent data source that was not refreshed means dashboards built on it show old
    // figures: never "succeeded" (issue #14 point 1). The loaded streams did succeed: 'partial'.
    const bad = dependents.filter((d) => d.result !== 'succeeded');
    if (bad.length && !signal.aborted) runError ??= dependentError(bad, runId);
  }

  let tieOut: TieOut | null = null;
  if (ties.length) {
    try {
      tieOut = await tieOutAgainstTableau(ties, {
        defs: selected,
        datasourceId: (s) => store.getStreamState(s)?.datasourceId ?? null,
        ledgerSums: (s) => deps.ledger.sums(s),
        ...(deps.readBack && !cancelled ? { readBack: { ...deps.readBack, workDir: deps.workDir, signal } } : {}),
        log: (level, message) => log(level, message, undefined, 'tableau'),
      });
    } catch {
      tieOut = buildTieOut(ties); // cancelled while reading Tableau back: the ledger's figures
    }
    store.saveTieOut(runId, tieOut);
    log(tieOut.ok ? 'info' : 'warn', describeTieOut(tieOut));
  }

  const outcome: RunSummary['outcome'] = cancelled ? 'cancelled' : runError === null ? 'succeeded' : succeeded > 0 ? 'partial' : 'failed';
  const finishedAt = clock.now();
  const rowsMoved = results.reduce((n, r) => n + r.rowsUpserted + r.rowsDeleted, 0);
  const apiTransactions = deps.source.transactions - txStart;
  const error = cancelled ? errorInfo(new CancelledError(), { runId }) : runError;
  store.finishRun(runId, { finishedAt, outcome, rowsMoved, apiTransactions, error, durationMs: finishedAt - startedAt });
  log(
    outcome === 'succeeded' ? 'info' : outcome === 'cancelled' ? 'warn' : 'error',
    `Run ${outcome}: ${rowsMoved} rows moved in ${Math.round((finishedAt - startedAt) / 100) / 10} s, ${apiTransactions} Intacct API transactions`,
  );
  return {
    runId,
    trigger: req.trigger,
    startedAt,
    finishedAt,
    outcome,
    rowsMoved,
    durationMs: finishedAt - startedAt,
    apiTransactions,
    error,
    streams: results,
    tieOut,
    ...(dependents ? { dependents } : {}),
    ...(models ? { models } : {}),
  };
}

function skipped(stream: StreamName, outcome: StreamRunResult['outcome']): StreamRunResult {
  return { stream, outcome, rowsRead: 0, rowsUpserted: 0, rowsDeleted: 0, durationMs: 0, fullLoad: false, apiTransactions: 0 };
}

/** How long a run follows a dependent refresh job before reporting it unfinished (a failure, never success). */
export const DEPENDENT_REFRESH_TIMEOUT_MS = 15 * 60_000;

/** The run's error for dependent data sources that were not refreshed: names each one and what to do. */
export function dependentError(bad: readonly DependentRefresh[], runId: string): ErrorInfo {
  const missing = bad.filter((d) => d.result === 'not-found').map((d) => `"${d.name}"`);
  const failed = bad.filter((d) => d.result === 'failed');
  const parts: string[] = [];
  if (missing.length) parts.push(`${missing.join(', ')} ${missing.length === 1 ? 'was' : 'were'} not found in Tableau`);
  for (const d of failed) parts.push(`the refresh of "${d.name}" failed${d.message ? ` (${d.message})` : ''}`);
  const text = parts.join('; ');
  return {
    message:
      `The data was loaded, but dependent data sources were not refreshed: ${text.charAt(0).toUpperCase()}${text.slice(1)}. ` +
      'Dashboards built on them show older figures. Correct the names in Settings › Tableau › Dependent data sources, or check the refresh in Tableau.',
    service: 'tableau',
    code: 'DEPENDENT_REFRESH_FAILED',
    kind: missing.length ? 'config' : 'transient',
    runId,
  };
}

/**
 * Refreshes the data sources whose extracts depend on the loaded data (settings, by name) and
 * follows each job to its end. The loaded data sources themselves need no refresh: publish and
 * PATCH already changed their data (tableau-rest.md §8 item 4). "Already queued" (409093) is
 * reported by the client as null: a refresh is on its way, counted as succeeded (nothing to follow).
 */
async function refreshDependents(
  deps: RunDeps,
  runId: string,
  signal: AbortSignal,
  log: (level: LogLevel, message: string, stream?: StreamName, service?: string) => void,
): Promise<DependentRefresh[]> {
  const out: DependentRefresh[] = [];
  for (const name of deps.settings.tableau.dependentDatasources) {
    if (signal.aborted) break;
    const at = deps.clock.now();
    let jobId: string | undefined;
    try {
      const ds = await deps.target.findDatasource(name);
      if (!ds) {
        log('warn', `Dependent data source "${name}" was not found in Tableau; nothing refreshed.`, undefined, 'tableau');
        out.push({ name, runId, at, result: 'not-found', message: 'No data source of this name in Tableau.' });
        continue;
      }
      const job = await deps.target.refreshDatasource(ds.id);
      if (!job) {
        log('info', `Refresh of "${name}" was already queued.`, undefined, 'tableau');
        out.push({ name, runId, at, result: 'succeeded', message: 'A refresh was already queued in Tableau.' });
        continue;
      }
      jobId = job.id;
      log('info', `Refresh of "${name}" started (job ${job.id}).`, undefined, 'tableau');
      if (deps.target.waitForJob) await deps.target.waitForJob(job.id, { signal, timeoutMs: DEPENDENT_REFRESH_TIMEOUT_MS });
      log('info', `Refresh of "${name}" finished (job ${job.id}).`, undefined, 'tableau');
      out.push({ name, runId, at, result: 'succeeded', jobId: job.id });
    } catch (err) {
      if (isAbortError(err)) break;
      const e = asConnectorError(err, 'tableau');
      log('warn', `Could not refresh "${name}": ${e.userMessage}`, undefined, 'tableau');
      out.push({ name, runId, at, result: 'failed', message: e.userMessage, ...(jobId ? { jobId } : {}) });
    }
  }
  return out;
}
