/**
 * The banner for the latest failure: what failed, what to do, and a link to that run's log lines.
 */
import type { ErrorInfo } from '../../shared/types';
import { hrefOf } from '../route';
import { streamLabels } from '../streams';

const serviceNames: Record<ErrorInfo['service'], string> = {
  intacct: 'Sage Intacct',
  tableau: 'Tableau',
  hyper: 'The extract writer (Hyper)',
  local: 'ml-connector',
};

/** What a finance user can do next, by the side that failed. */
function nextStep(error: ErrorInfo): string {
  if (error.code === 'DEPENDENT_REFRESH_FAILED') return 'Correct the dependent data sources in Settings › Tableau and run “Test connection”, then Sync now again.';
  switch (error.service) {
    case 'intacct':
      return 'Check the Intacct sign-in in Settings and run “Test connection”, then Sync now again.';
    case 'tableau':
      return 'Check the Tableau settings and run “Test connection”, then Sync now again.';
    case 'hyper':
      return 'Sync now again; if it keeps failing, export a support bundle from Logs.';
    case 'local':
      return 'See the log lines for details; if it keeps failing, export a support bundle from Logs.';
  }
}

/** An alert banner; renders nothing without an error. `partial`: the run loaded data but not all of it (or its refreshes). */
export function ErrorBanner({ error, partial = false }: { error: ErrorInfo | null; partial?: boolean }) {
  if (!error) return null;
  const where = error.stream ? ` (${streamLabels[error.stream] ?? error.stream})` : '';
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <div className="banner-icon" aria-hidden="true">!</div>
      <div className="banner-body">
        <p className="banner-title">
          {partial ? 'The last sync partly succeeded: ' : null}
          {error.code === 'DEPENDENT_REFRESH_FAILED' ? `${partial ? 'd' : 'D'}ependent data sources were not refreshed` : `${serviceNames[error.service]} failed${where}`}
          {error.code ? <span className="code"> · {error.code}</span> : null}
        </p>
        <p className="banner-message">{error.message}</p>
        <p className="banner-next">{nextStep(error)}</p>
        <p className="banner-links">
          {error.runId ? <a href={hrefOf('logs', { runId: error.runId })}>View the log lines of this run</a> : <a href={hrefOf('logs', { level: 'error' })}>View error log lines</a>}
          {error.service === 'intacct' || error.service === 'tableau' ? <a href={hrefOf('settings')}>Open Settings</a> : null}
        </p>
      </div>
    </div>
  );
}
