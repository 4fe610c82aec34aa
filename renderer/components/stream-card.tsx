/**
 * One stream on the Status page: what the last run did and, during a run, live progress.
 */
import type { StreamProgress, StreamStatus } from '../../shared/types';
import { formatCount, formatDateTime, formatDuration, formatRelative } from '../../shared/format';
import { freshnessText } from '../../shared/freshness';
import { ProgressBar } from './progress-bar';

const outcomeText = { succeeded: 'Succeeded', failed: 'Failed', cancelled: 'Cancelled', 'not-run': 'Not run' } as const;

/** Phases in which the current run is still to finish the stream. */
const LIVE_PHASES: ReadonlySet<StreamProgress['phase']> = new Set(['queued', 'reading', 'writing', 'uploading', 'applying', 'refreshing', 'reconciling']);

interface StreamCardProps {
  stream: StreamStatus;
  progress: StreamProgress | null;
  nextRunAt: number | null;
  now: number;
}

/** A card with the stream's figures. */
export function StreamCard({ stream, progress, nextRunAt, now }: StreamCardProps) {
  const headingId = `card-${stream.stream}`;
  return (
    <section className={`card stream-card${stream.enabled ? '' : ' card-off'}`} aria-labelledby={headingId} data-testid={`stream-${stream.stream}`}>
      <header className="card-header">
        <h2 id={headingId}>{stream.label}</h2>
        {!stream.enabled ? (
          <span className="badge">Off</span>
        ) : progress && LIVE_PHASES.has(progress.phase) ? (
          // The run in progress is working on it: the last attempt's outcome would contradict the bar below.
          <span className="badge badge-running" data-testid={`badge-${stream.stream}`}>
            {progress.phase === 'queued' ? 'Waiting' : 'Syncing'}
          </span>
        ) : stream.lastAttempt ? (
          <span className={`badge badge-${stream.lastAttempt.outcome}`} data-testid={`badge-${stream.stream}`}>
            {outcomeText[stream.lastAttempt.outcome]}
          </span>
        ) : stream.lastOutcome ? (
          <span className={`badge badge-${stream.lastOutcome}`} data-testid={`badge-${stream.stream}`}>
            {outcomeText[stream.lastOutcome]}
          </span>
        ) : (
          <span className="badge">Not synced yet</span>
        )}
      </header>
      <p className="datasource" title="Tableau data source">
        <span className="sr-only">Tableau data source: </span>
        {stream.datasource}
      </p>
      {stream.enabled || stream.dataAsOf != null ? (
        <p className="freshness" data-testid={`freshness-${stream.stream}`} title={stream.lastAttempt?.message ?? formatDateTime(stream.dataAsOf ?? null)}>
          {freshnessText(stream, now)}
        </p>
      ) : null}
      {progress ? <ProgressBar progress={progress} label={stream.label} /> : null}
      <dl className="figures">
        <div>
          <dt>Last run</dt>
          <dd title={formatDateTime(stream.lastRunAt)}>{stream.lastRunAt == null ? 'Never' : formatRelative(stream.lastRunAt, now)}</dd>
        </div>
        <div>
          <dt>Rows moved</dt>
          <dd data-testid={`rows-${stream.stream}`}>{formatCount(stream.lastRowsMoved)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(stream.lastDurationMs)}</dd>
        </div>
        <div>
          <dt>Next run</dt>
          <dd title={formatDateTime(nextRunAt)}>{!stream.enabled ? '—' : nextRunAt == null ? 'Manual' : formatRelative(nextRunAt, now)}</dd>
        </div>
        {stream.totalRowsInTableau != null ? (
          <div>
            <dt>In Tableau</dt>
            <dd>{formatCount(stream.totalRowsInTableau)}</dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}
