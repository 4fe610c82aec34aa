/**
 * One stream on the Status page: what the last run did and, during a run, live progress.
 */
import type { StreamProgress, StreamStatus } from '../../shared/types';
import { formatCount, formatDateTime, formatDuration, formatRelative } from '../format';
import { ProgressBar } from './progress-bar';

const outcomeText = { succeeded: 'Succeeded', failed: 'Failed', cancelled: 'Cancelled' } as const;

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
        ) : stream.lastOutcome ? (
          <span className={`badge badge-${stream.lastOutcome}`}>{outcomeText[stream.lastOutcome]}</span>
        ) : (
          <span className="badge">Not synced yet</span>
        )}
      </header>
      <p className="datasource" title="Tableau data source">
        <span className="sr-only">Tableau data source: </span>
        {stream.datasource}
      </p>
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
