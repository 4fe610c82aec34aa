/**
 * History: rows moved and durations over time, the runs, and the audit trail by record key.
 */
import { Fragment, useEffect, useState } from 'react';
import type { HistoryPoint, RunSummary } from '../../shared/types';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';
import { HistoryChart } from '../components/history-chart';
import { RunDetail } from '../components/run-detail';
import { formatCount, formatDateTime, formatDuration } from '../../shared/format';
import { AuditTrail } from '../components/audit-trail';

/** The History page. */
export function HistoryPage() {
  const api = useApi();
  const [points, setPoints] = useState<HistoryPoint[] | null>(null);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const load = () =>
      Promise.all([api.getHistory({ limit: 60 }), api.listRuns({ limit: 30 })]).then(
        ([h, r]) => {
          setPoints(h);
          setRuns(r);
        },
        (err: unknown) => setError(errorMessage(err)),
      );
    void load();
    return api.onEvent((event) => {
      if (event.type === 'run-finished') void load();
    });
  }, [api]);

  return (
    <>
      <h1 tabIndex={-1}>History</h1>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
      <section className="card" aria-labelledby="h-chart">
        <h2 id="h-chart">Rows moved and run time</h2>
        {points ? <HistoryChart points={points} /> : <p className="muted">Loading…</p>}
      </section>

      <section className="card" aria-labelledby="h-runs">
        <h2 id="h-runs">Runs</h2>
        {runs == null ? (
          <p className="muted">Loading…</p>
        ) : runs.length === 0 ? (
          <p className="empty">No runs yet.</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="runs-table">
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Outcome</th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  <th scope="col" className="num">
                    Time
                  </th>
                  <th scope="col" className="num">
                    API calls
                  </th>
                  <th scope="col">
                    <span className="sr-only">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <Fragment key={r.runId}>
                    <tr>
                      <td className="nowrap">{formatDateTime(r.startedAt)}</td>
                      <td>{r.trigger}</td>
                      <td>
                        <span className={`badge badge-${r.outcome}`}>{r.outcome}</span>
                        {r.error ? <div className="cell-error">{r.error.message}</div> : null}
                      </td>
                      <td className="num">{formatCount(r.rowsMoved)}</td>
                      <td className="num">{formatDuration(r.durationMs)}</td>
                      <td className="num">{formatCount(r.apiTransactions)}</td>
                      <td>
                        <button type="button" className="btn-link" aria-expanded={open === r.runId} onClick={() => setOpen(open === r.runId ? null : r.runId)}>
                          {open === r.runId ? 'Hide' : 'Details'}
                        </button>
                      </td>
                    </tr>
                    {open === r.runId ? (
                      <tr className="detail-row">
                        <td colSpan={7}>
                          <RunDetail runId={r.runId} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <AuditTrail runs={runs ?? []} />
    </>
  );
}
