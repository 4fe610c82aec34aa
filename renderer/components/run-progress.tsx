/**
 * The whole run at a glance (issue #14 point 9): one bar, rows per second and the time left,
 * from the same figures as the tray's percentage (shared/run-progress.ts).
 */
import type { Status } from '../../shared/types';
import { runPace } from '../../shared/run-progress';
import { formatCount, formatRate, formatTimeLeft } from '../../shared/format';
import { useNow } from '../use-now';

export function RunProgress({ run, streamCount }: { run: NonNullable<Status['currentRun']>; streamCount: number }) {
  // Rows per second and time left move every second, not only when a status arrives.
  const now = useNow(1000);
  const pace = runPace(run.progress, run.startedAt, now, streamCount);
  const pct = pace.fraction === null ? null : Math.round(pace.fraction * 100);
  const parts = [
    ...(pct !== null ? [`${pct}%`] : []),
    `${formatCount(pace.rowsDone)} rows read`,
    ...(pace.rowsPerSecond !== null ? [formatRate(pace.rowsPerSecond)] : []),
    ...(pace.msLeft !== null ? [`about ${formatTimeLeft(pace.msLeft)} left`] : []),
  ];
  return (
    <div className="run-progress" data-testid="run-progress">
      <div
        className={`progress-track${pct === null ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label="The whole sync"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={parts.join(', ')}
      >
        <div className="progress-fill" style={pct === null ? undefined : { width: `${pct}%` }} />
      </div>
      <p className="run-progress-text">{parts.join(' · ')}</p>
    </div>
  );
}
