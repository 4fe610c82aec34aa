/**
 * Live service status: fetched once, then kept current from pushed events. Progress events update
 * the current run's per-stream progress between status events, so bars move smoothly; when a run
 * ends its final progress stays on screen for a few seconds, so the user sees the bars complete
 * rather than vanish.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ConnectorApi } from '../shared/ipc-contract';
import type { ServiceEvent, Status, StreamProgress } from '../shared/types';
import { errorMessage } from './api/api-error';
import { isConnectionAware } from './api/http-client';

/** How long the bars of a finished run stay visible. */
export const FINISHED_PROGRESS_MS = 10_000;

export interface RunProgress {
  runId: string;
  progress: StreamProgress[];
}

export interface LiveState {
  status: Status | null;
  /** The last run's final progress, shown briefly after it ended. */
  finished: (RunProgress & { at: number }) | null;
}

export interface ServiceStatus extends LiveState {
  /** Set when the status could not be loaded (service down, not signed in). */
  loadError: string | null;
  /** False while the page has lost the service (served mode: the event stream dropped). */
  connected: boolean;
  refresh: () => Promise<void>;
}

function upsertProgress(list: readonly StreamProgress[], p: StreamProgress, order: readonly string[]): StreamProgress[] {
  const next = list.filter((x) => x.stream !== p.stream);
  next.push(p);
  next.sort((a, b) => order.indexOf(a.stream) - order.indexOf(b.stream));
  return next;
}

/** Applies one pushed event (or a fetched status) to what the page shows. */
export function applyEvent(state: LiveState, event: ServiceEvent, now: number): LiveState {
  const { status, finished } = state;
  switch (event.type) {
    case 'status': {
      const ended = status?.currentRun && !event.status.currentRun ? { runId: status.currentRun.runId, progress: status.currentRun.progress, at: now } : null;
      return { status: event.status, finished: event.status.currentRun ? null : (ended ?? finished) };
    }
    case 'progress': {
      if (!status) return state;
      const order = status.streams.map((s) => s.stream);
      // A progress line that arrives just after the run's final status still completes its bar.
      if (finished && finished.runId === event.runId)
        return { status, finished: { ...finished, progress: upsertProgress(finished.progress, event.progress, order) } };
      const run = status.currentRun ?? { runId: event.runId, startedAt: now, progress: [] };
      if (run.runId !== event.runId) return state;
      return { status: { ...status, state: 'syncing', currentRun: { ...run, progress: upsertProgress(run.progress, event.progress, order) } }, finished: null };
    }
    default:
      return state;
  }
}

/** Subscribes to the service's events for as long as the component is mounted. */
export function useServiceStatus(api: ConnectorApi): ServiceStatus {
  const [state, setState] = useState<LiveState>({ status: null, finished: null });
  const [loadError, setLoadError] = useState<string | null>(null);
  const [connected, setConnected] = useState(true);

  useEffect(() => (isConnectionAware(api) ? api.onConnection(setConnected) : undefined), [api]);

  const refresh = useCallback(async () => {
    try {
      const status = await api.getStatus();
      setState((s) => applyEvent(s, { type: 'status', status }, Date.now()));
      setLoadError(null);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }, [api]);

  useEffect(() => {
    const unsubscribe = api.onEvent((event) => {
      if (event.type === 'run-finished') void refresh();
      else setState((s) => applyEvent(s, event, Date.now()));
    });
    void refresh();
    return unsubscribe;
  }, [api, refresh]);

  const finishedAt = state.finished?.at;
  useEffect(() => {
    if (finishedAt === undefined) return;
    const timer = window.setTimeout(() => setState((s) => (s.finished?.at === finishedAt ? { ...s, finished: null } : s)), FINISHED_PROGRESS_MS);
    return () => window.clearTimeout(timer);
  }, [finishedAt]);

  return { ...state, loadError, connected, refresh };
}
