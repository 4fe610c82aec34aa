/**
 * One stream's progress during a run: phase, rows done of rows expected, and a bar.
 */
import type { StreamProgress, SyncPhase } from '../../shared/types';
import { formatCount } from '../../shared/format';

export const phaseLabels: Record<SyncPhase, string> = {
  queued: 'Queued',
  reading: 'Reading Intacct',
  writing: 'Writing extract',
  uploading: 'Uploading',
  applying: 'Applying in Tableau',
  refreshing: 'Refreshing',
  reconciling: 'Tying out',
  done: 'Done',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};

const finished: ReadonlySet<SyncPhase> = new Set(['done', 'failed', 'skipped', 'cancelled']);

/** Fraction 0..1 of the stream's work, or null when it cannot be known yet. */
export function progressFraction(p: StreamProgress): number | null {
  if (finished.has(p.phase)) return 1;
  if (p.phase === 'queued') return 0;
  if (p.rowsExpected == null) return null;
  if (p.rowsExpected === 0 || p.rowsDone > p.rowsExpected) return p.phase === 'reading' ? null : 1;
  return Math.min(1, p.rowsDone / p.rowsExpected);
}

/** A labelled progress bar (indeterminate until the expected row count is known). */
export function ProgressBar({ progress, label }: { progress: StreamProgress; label: string }) {
  const fraction = progressFraction(progress);
  const pct = fraction == null ? null : Math.round(fraction * 100);
  // "x / y" only while it means something: an estimate the stream has overtaken, or a finished
  // stream, shows the rows actually done.
  // A finished stream says what it checked and what changed: "22 rows" beside "Rows moved 0" read
  // as a contradiction (issue #14 point 9).
  const rows =
    progress.phase === 'done' && progress.rowsChanged !== undefined
      ? `${formatCount(progress.rowsDone)} checked · ${formatCount(progress.rowsChanged)} changed`
      : progress.rowsExpected == null || finished.has(progress.phase) || progress.rowsDone > progress.rowsExpected
        ? `${formatCount(progress.rowsDone)} rows`
        : `${formatCount(progress.rowsDone)} / ${formatCount(progress.rowsExpected)} rows`;
  return (
    <div className={`progress phase-${progress.phase}`} data-testid={`progress-${progress.stream}`} data-phase={progress.phase}>
      <div className="progress-text">
        <span className="progress-phase">{phaseLabels[progress.phase]}</span>
        <span className="progress-rows">{rows}</span>
      </div>
      <div
        className={`progress-track${pct == null ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={`${label}: ${phaseLabels[progress.phase]}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={`${phaseLabels[progress.phase]}, ${rows}`}
      >
        <div className="progress-fill" style={pct == null ? undefined : { width: `${pct}%` }} />
      </div>
      {progress.message ? <p className="progress-message">{progress.message}</p> : null}
    </div>
  );
}
