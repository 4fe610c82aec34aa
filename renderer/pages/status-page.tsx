/**
 * Status: Sync now / Cancel, the last and next run, the Intacct API transactions used this month,
 * the latest error, and one card per stream.
 */
import { useEffect, useState } from 'react';
import { INCLUDED_API_TRANSACTIONS, type ErrorInfo, type Status } from '../../shared/types';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';
import { ErrorBanner } from '../components/error-banner';
import { ModelsPanel } from '../components/models-panel';
import { RunProgress } from '../components/run-progress';
import { StreamCard } from '../components/stream-card';
import { formatCount, formatDateTime, formatDuration, formatRelative, formatWhen } from '../../shared/format';
import { DemoBanner } from '../components/demo-banner';
import { FirstRunGuide } from './first-run-guide';
import { hrefOf } from '../route';
import type { ServiceStatus } from '../use-service-status';
import { useNow } from '../use-now';

const outcomeText: Record<NonNullable<Status['lastRun']>['outcome'], string> = {
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  partial: 'partly succeeded',
};

/** The error to show: the service's latest one, else the last run's. */
function currentError(status: Status): ErrorInfo | null {
  if (status.lastError) return status.lastError;
  const run = status.lastRun;
  if (run && (run.outcome === 'failed' || run.outcome === 'partial') && run.error) return { ...run.error, runId: run.error.runId ?? run.runId };
  return null;
}

/** Above this share of the included transactions the line turns into a warning. */
const USAGE_WARNING_SHARE = 0.8;

/** "Intacct API transactions this month: 1,234 of 100,000 included", a warning when close to or past it. */
function ApiUsageLine({ used }: { used: number }) {
  const high = used > INCLUDED_API_TRANSACTIONS * USAGE_WARNING_SHARE;
  return (
    <p className={`api-usage${high ? ' api-usage-high' : ''}`} data-testid="api-usage">
      {high ? (
        <span className="api-usage-icon" aria-hidden="true">
          ⚠{' '}
        </span>
      ) : null}
      Intacct API transactions this month: <span data-testid="api-usage-count">{formatCount(used)}</span> of {formatCount(INCLUDED_API_TRANSACTIONS)} included
      {high ? ': more is billed by Sage' : ''}
    </p>
  );
}

const dependentResultText = { succeeded: 'Refreshed', failed: 'Refresh failed', 'not-found': 'Not found in Tableau' } as const;

/** Each dependent data source with its last refresh time and the refresh job's result. */
function DependentsPanel({ dependents, now }: { dependents: NonNullable<Status['dependents']>; now: number }) {
  return (
    <section className="card" aria-labelledby="dependents-heading" data-testid="dependents">
      <h2 id="dependents-heading">Dependent data sources</h2>
      <ul className="dependents-list">
        {dependents.map((d) => (
          <li key={d.name} data-testid="dependent" data-result={d.last?.result ?? 'never'}>
            <span className="dep-name">{d.name}</span>
            {d.last ? (
              <>
                <span className={`badge badge-${d.last.result === 'succeeded' ? 'succeeded' : 'failed'}`}>{dependentResultText[d.last.result]}</span>
                <span className="dep-when" title={formatDateTime(d.last.at)}>
                  {formatWhen(d.last.at, now)}
                  {d.last.jobId ? ` · job ${d.last.jobId}` : ''}
                </span>
                {d.last.result !== 'succeeded' && d.last.message ? <span className="dep-message">{d.last.message}</span> : null}
              </>
            ) : (
              <span className="badge">Not refreshed yet</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

const ACTIVE_PHASES = new Set(['reading', 'writing', 'uploading', 'applying', 'refreshing', 'reconciling']);

/**
 * During a run the stream being worked on comes first (issue #14 point 9: in a tray-size window it
 * was far down the page), then the ones still to do, then the rest in their usual order.
 */
function runningFirst(streams: Status['streams'], progress: Map<string, { phase: string }>, syncing: boolean): Status['streams'] {
  if (!syncing) return streams;
  const rank = (s: Status['streams'][number]) => {
    const phase = progress.get(s.stream)?.phase;
    return phase && ACTIVE_PHASES.has(phase) ? 0 : phase === 'queued' ? 1 : 2;
  };
  return [...streams]
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i)
    .map(({ s }) => s);
}

/** The Status page. */
export function StatusPage({ service }: { service: ServiceStatus }) {
  const api = useApi();
  const now = useNow();
  const [notice, setNotice] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState<'sync' | 'cancel' | 'pause' | null>(null);
  const status = service.status;
  // The guide opens by itself on a new installation (not in the demo, which is set up already).
  const [guide, setGuide] = useState<'closed' | 'first-run' | 'from-demo' | null>(null);
  const fresh = status ? status.state === 'not-configured' && !status.demo : null;
  useEffect(() => {
    if (fresh !== null) setGuide((g) => g ?? (fresh ? 'first-run' : 'closed'));
  }, [fresh]);

  if (!status) {
    return (
      <>
        <h1 tabIndex={-1}>Status</h1>
        {service.loadError ? null : <p className="muted">Loading…</p>}
      </>
    );
  }

  const syncing = status.state === 'syncing' || status.currentRun != null;
  const progressByStream = new Map((status.currentRun?.progress ?? service.finished?.progress ?? []).map((p) => [p.stream, p]));
  const error = syncing ? null : currentError(status);
  const enabledCount = status.streams.filter((s) => s.enabled).length;
  const doneCount = status.currentRun?.progress.filter((p) => ['done', 'skipped', 'failed', 'cancelled'].includes(p.phase)).length ?? 0;

  const syncNow = async () => {
    setBusy('sync');
    setNotice(null);
    try {
      const result = await api.syncNow();
      if (!result.started) setNotice({ kind: 'info', text: result.reason ?? 'A sync did not start.' });
      await service.refresh();
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusy(null);
    }
  };
  const cancel = async () => {
    setBusy('cancel');
    try {
      const result = await api.cancelSync();
      if (!result.cancelled) setNotice({ kind: 'info', text: 'There was no sync to cancel.' });
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusy(null);
    }
  };
  const togglePause = async () => {
    setBusy('pause');
    try {
      await api.setSchedulePaused({ paused: !status.schedulePaused });
      await service.refresh();
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusy(null);
    }
  };

  const lastRun = status.lastRun;
  return (
    <>
      <h1 tabIndex={-1}>Status</h1>
      {status.demo && guide !== 'from-demo' ? <DemoBanner onConnectOwn={() => setGuide('from-demo')} /> : null}
      {guide === 'first-run' || guide === 'from-demo' ? <FirstRunGuide fromDemo={guide === 'from-demo'} onClose={() => setGuide('closed')} /> : null}
      {status.state === 'not-configured' && guide === 'closed' ? (
        <div className="banner banner-info" role="note" data-testid="not-set-up">
          <div className="banner-body">
            <p className="banner-title">Connect Sage Intacct and Tableau to start syncing</p>
            <p>
              {!status.configured.intacct ? 'The Intacct sign-in is not set. ' : ''}
              {!status.configured.tableau ? 'The Tableau sign-in is not set. ' : ''}
              <button type="button" className="btn-link" onClick={() => setGuide('first-run')}>
                Open the guided setup
              </button>{' '}
              or <a href={hrefOf('settings')}>open Settings</a>
            </p>
          </div>
        </div>
      ) : null}
      <ErrorBanner error={error} partial={!syncing && lastRun?.outcome === 'partial'} />

      <section className="card sync-panel" aria-label="Sync">
        <div className="sync-actions">
          <button
            type="button"
            className="btn btn-primary btn-large"
            onClick={syncNow}
            disabled={syncing || busy === 'sync' || status.state === 'not-configured'}
            aria-describedby="sync-summary"
            data-testid="sync-now"
          >
            {syncing ? (
              <>
                <span className="spinner" aria-hidden="true" /> Syncing…
              </>
            ) : busy === 'sync' ? (
              'Starting…'
            ) : (
              'Sync now'
            )}
          </button>
          {syncing ? (
            <button type="button" className="btn" onClick={cancel} disabled={busy === 'cancel'}>
              {busy === 'cancel' ? 'Cancelling…' : 'Cancel'}
            </button>
          ) : null}
        </div>
        <div id="sync-summary" className="sync-summary" aria-live="polite">
          {syncing && status.currentRun ? (
            <>
              <p>
                <strong>Sync in progress</strong> · started {formatRelative(status.currentRun.startedAt, now)} · {doneCount} of {enabledCount} streams done
              </p>
              <RunProgress run={status.currentRun} streamCount={enabledCount} />
            </>
          ) : lastRun ? (
            <p>
              <strong>Last sync</strong> {formatDateTime(lastRun.startedAt)} ({formatRelative(lastRun.startedAt, now)}) · {outcomeText[lastRun.outcome]} ·{' '}
              {formatCount(lastRun.rowsMoved)} rows in {formatDuration(lastRun.durationMs)}
            </p>
          ) : (
            <p>
              <strong>No sync yet.</strong> The first sync of each stream is a full load.
              {status.state === 'not-configured' ? ' Sync now is off until Sage Intacct and Tableau are both set up.' : ''}
            </p>
          )}
          <p>
            <strong>Next sync</strong>{' '}
            {status.schedulePaused
              ? 'paused'
              : status.schedulerRunning === false && status.demo
                ? 'only when you click Sync now (the demo does not run its schedule)'
                : status.nextRunAt == null
                  ? 'only when you click Sync now'
                  : `${formatDateTime(status.nextRunAt)} (${formatRelative(status.nextRunAt, now)})`}
            {' · '}
            <button type="button" className="btn-link" onClick={togglePause} disabled={busy === 'pause'}>
              {status.schedulePaused ? 'Resume schedule' : 'Pause schedule'}
            </button>
          </p>
        </div>
        {notice ? (
          <p className={notice.kind === 'error' ? 'inline-error' : 'inline-note'} role={notice.kind === 'error' ? 'alert' : 'status'}>
            {notice.text}
          </p>
        ) : null}
        <ApiUsageLine used={status.apiTransactionsThisMonth} />
      </section>
      {status.dependents?.length ? <DependentsPanel dependents={status.dependents} now={now} /> : null}

      <div className="card-grid">
        {runningFirst(status.streams, progressByStream, syncing).map((s) => (
          <StreamCard
            key={s.stream}
            stream={s}
            progress={progressByStream.get(s.stream) ?? null}
            nextRunAt={status.schedulePaused ? null : status.nextRunAt}
            now={now}
          />
        ))}
      </div>
      {status.models ? <ModelsPanel run={status.models} /> : null}
      <p className="note">
        Loaded data sources need no extract refresh; the dependent data sources listed in <a href={hrefOf('settings')}>Settings</a> are refreshed after each
        run.
      </p>
    </>
  );
}
