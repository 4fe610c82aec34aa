/**
 * The finance models of the newest run that built them (issue 15), beside the raw tables on
 * Status: each model's data source, rows, whether it was rebuilt incrementally or in full, its time,
 * the fiscal year start the GL models used and where it came from, and the accounting checks: a
 * break is a warning naming the periods, accounts and amounts.
 */
import type { AccountingChecks, ModelsRun } from '../../shared/models';
import { formatCount, formatDuration } from '../../shared/format';

const outcomeBadge = { published: 'succeeded', failed: 'failed', skipped: 'cancelled' } as const;

/** "Accounting checks: all hold" or a warning with each break (also used next to a run's tie-out). */
export function AccountingChecksLine({ checks }: { checks: AccountingChecks | null }) {
  if (!checks) return null;
  const breaks = checks.checks.flatMap((c) => c.breaks.map((b) => ({ check: c.label, ...b })));
  const notRun = checks.checks.filter((c) => c.ok === null);
  return (
    <div className={checks.ok ? 'tie ok' : 'tie failed'} data-testid="accounting-checks" data-ok={String(checks.ok)} role={checks.ok ? undefined : 'alert'}>
      {checks.ok ? (
        <p>
          Accounting checks:{' '}
          {checks.checks
            .filter((c) => c.ok)
            .map((c) => c.label.toLowerCase())
            .join('; ') || 'none ran'}
          .
        </p>
      ) : (
        <>
          <p>
            <strong>Accounting check warning:</strong> {breaks.length} break{breaks.length === 1 ? '' : 's'}.
          </p>
          <ul>
            {breaks.slice(0, 10).map((b, i) => (
              <li key={i} data-testid="accounting-break" data-period={b.period} data-accounts={b.accounts.join(',')}>
                {b.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {notRun.map((c) => (
        <p key={c.check} className="muted">
          Not checked: {c.label.toLowerCase()} ({c.message}).
        </p>
      ))}
    </div>
  );
}

/** The models table and checks. */
export function ModelsPanel({ run }: { run: ModelsRun }) {
  return (
    <section className="card" aria-labelledby="models-heading" data-testid="models">
      <h2 id="models-heading">Finance models</h2>
      {run.skippedReason ? <p className="muted">{run.skippedReason}</p> : null}
      {/* Scrolls by itself in a tray-size window rather than widening the page. */}
      <div className="models-table">
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Data source</th>
              <th scope="col">Outcome</th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col">Built</th>
              <th scope="col" className="num">
                Time
              </th>
            </tr>
          </thead>
          <tbody>
            {run.models.map((m) => (
              <tr key={m.model} data-testid="model" data-model={m.model} data-outcome={m.outcome}>
                <th scope="row">{m.label}</th>
                <td>{m.datasource}</td>
                <td>
                  <span className={`badge badge-${outcomeBadge[m.outcome]}`}>{m.outcome}</span>
                  {m.message ? <div className="cell-error">{m.message}</div> : null}
                </td>
                <td className="num">{m.rows === null ? '—' : formatCount(m.rows)}</td>
                <td>
                  {m.mode === null
                    ? '—'
                    : m.mode === 'incremental' && m.periods
                      ? `incremental (${m.periods.length} month${m.periods.length === 1 ? '' : 's'})`
                      : m.mode}
                </td>
                <td className="num">{formatDuration(Math.round(m.seconds * 1000))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {run.fiscalYear ? (
        <p
          className={run.fiscalYear.source === 'default' || run.fiscalYear.startMonth === null ? 'tie failed' : 'muted'}
          data-testid="fiscal-year"
          data-source={run.fiscalYear.source}
          data-month={run.fiscalYear.startMonth ?? ''}
        >
          Fiscal year starts in: {run.fiscalYear.note}
        </p>
      ) : null}
      <AccountingChecksLine checks={run.accountingChecks} />
    </section>
  );
}
