/**
 * The banner for the latest failure: every problem found, each with what failed and the next step
 * chosen by the error (with a link to the field to fix), raw codes in a details disclosure, and a
 * link to that run's log lines.
 */
import type { ErrorInfo } from '../../shared/types';
import { nextStepOf } from '../next-step';
import { hrefOf } from '../route';
import { streamLabels } from '../streams';

const serviceNames: Record<ErrorInfo['service'], string> = {
  intacct: 'Sage Intacct',
  tableau: 'Tableau',
  hyper: 'The extract writer (Hyper)',
  local: 'ml-connector',
};

function titleOf(error: ErrorInfo): string {
  if (error.code === 'DEPENDENT_REFRESH_FAILED') return 'Dependent data sources were not refreshed';
  const where = error.stream ? ` (${streamLabels[error.stream] ?? error.stream})` : '';
  return `${serviceNames[error.service]} failed${where}`;
}

/** One problem: what failed, the message, the next step and its link. */
function Problem({ error, heading }: { error: ErrorInfo; heading: string }) {
  const next = nextStepOf(error);
  return (
    <div className="banner-problem" data-testid="banner-problem">
      <p className="banner-title">{heading}</p>
      <p className="banner-message">{error.message}</p>
      <p className="banner-next" data-testid="banner-next">
        {next.text}
        {next.link ? (
          <>
            {' '}
            <a href={next.link.href}>{next.link.label}</a>
          </>
        ) : null}
      </p>
      {error.code || error.kind ? (
        <details className="banner-details">
          <summary>Details</summary>
          <p className="code">
            {serviceNames[error.service]}
            {error.code ? ` · code ${error.code}` : ''}
            {error.kind
              ? ` · ${error.kind === 'config' ? 'a setting must change' : error.kind === 'transient' ? 'temporary, try again later' : 'system error'}`
              : ''}
          </p>
        </details>
      ) : null}
    </div>
  );
}

/** An alert banner; renders nothing without an error. `partial`: the run loaded some data but not everything. */
export function ErrorBanner({ error, partial = false }: { error: ErrorInfo | null; partial?: boolean }) {
  if (!error) return null;
  const problems = error.problems?.length ? error.problems : [error];
  const lead = partial ? 'The last sync partly succeeded: ' : '';
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <div className="banner-icon" aria-hidden="true">
        !
      </div>
      <div className="banner-body">
        {problems.length > 1 ? (
          <p className="banner-title">
            {lead}
            {problems.length} problems were found; fix them all before the next sync
          </p>
        ) : null}
        {problems.map((p, i) => (
          <Problem
            key={i}
            error={p}
            heading={
              problems.length > 1
                ? titleOf(p)
                : `${lead}${partial && p.code === 'DEPENDENT_REFRESH_FAILED' ? 'dependent data sources were not refreshed' : titleOf(p)}`
            }
          />
        ))}
        <p className="banner-links">
          {error.runId ? (
            <a href={hrefOf('logs', { runId: error.runId })}>View the log lines of this run</a>
          ) : (
            <a href={hrefOf('logs', { level: 'error' })}>View error log lines</a>
          )}
        </p>
      </div>
    </div>
  );
}
