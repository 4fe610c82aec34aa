/**
 * What the window's status page shows: whether each side is configured, the run in progress with
 * its live progress, each stream's card (from the newest run that ran it), the next scheduled run,
 * the API transactions of the month and the dependent data sources' last refreshes. `pushStatus`
 * sends it as an event whenever one of those changes.
 */
import { streamDefinitions } from '../streams/definitions';
import { secretNames, type ErrorInfo, type RunDetail, type Settings, type Status, type StreamStatus } from '../../../shared/types';
import { secretStatus } from './runtime';
import { configuredSides } from './settings';
import { streamFreshness } from './stream-freshness';
import type { AboutSource } from './about';
import type { ApiUsage } from './api-usage';
import type { ServiceContext } from './service-context';

export interface ServiceStatus {
  getStatus(): Promise<Status>;
  /** Emits the status (nothing once the service is closed). */
  pushStatus(): Promise<void>;
}

/**
 * An error that only said "not set up yet" (runtime.ts throws it with code NOT_CONFIGURED). Once
 * both sides are set up it is no longer true, so it must not stay on screen as the latest error
 * (issue #14, "the stale 'not configured' banner clears when settings change").
 */
export function isSetupGap(e: ErrorInfo | null | undefined): boolean {
  if (!e) return false;
  const all = e.problems?.length ? e.problems : [e];
  return all.every((p) => p.code === 'NOT_CONFIGURED');
}

export function createStatus(ctx: ServiceContext, usage: Pick<ApiUsage, 'usedThisMonth'>, aboutSource?: Pick<AboutSource, 'about'>): ServiceStatus {
  const { deps, store, ledger, dependentLog, emit } = ctx;
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
    const { current, scheduler } = ctx.state;
    const setUp = conf.intacct && conf.tableau;
    const lastRun = store.listRuns(1).find((r) => r.outcome !== 'running') ?? null;
    const about = aboutSource ? await aboutSource.about() : null;
    const stale = (e: ErrorInfo | null) => (setUp && isSetupGap(e) ? null : e);
    const failedRun = lastRun !== null && (lastRun.outcome === 'failed' || lastRun.outcome === 'partial') && !(setUp && isSetupGap(lastRun.error));
    const runError = failedRun ? lastRun.error : null;
    const lastError = stale(ctx.state.lastError) ?? runError;
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
    const state: Status['state'] = current ? 'syncing' : !conf.intacct || !conf.tableau ? 'not-configured' : failedRun ? 'error' : 'idle';
    return {
      state,
      demo: deps.demo ?? false,
      configured: conf,
      currentRun: current ? { runId: current.runId, startedAt: current.startedAt, progress: [...current.progress.values()] } : null,
      lastRun,
      // Nothing is scheduled before both sides are set up (connector-service.ts skips those fires).
      nextRunAt: scheduler && setUp && !s.schedule.paused ? scheduler.nextRunAt() : null,
      schedulePaused: s.schedule.paused,
      streams,
      lastError,
      // The run in progress is recorded when it ends; until then its client's count is added.
      apiTransactionsThisMonth: usage.usedThisMonth() + (current ? current.transactions() : 0),
      dependents: dependentLog.status(s.tableau.dependentDatasources),
      models: store.lastModels(),
      schedulerRunning: scheduler !== null,
      ...(deps.secretStorage ? { secretStorage: deps.secretStorage } : {}),
      ...(about ? { about } : {}),
      pendingReloads: ctx.reloads.pending(),
    };
  };
  const pushStatus = async () => {
    if (ctx.state.closed) return;
    try {
      const status = await getStatus();
      if (!ctx.state.closed) emit({ type: 'status', status });
    } catch (err) {
      // The store closed while the status was being read (shutdown right after a save).
      if (!ctx.state.closed) throw err;
    }
  };
  return { getStatus, pushStatus };
}
