/**
 * History: rows moved and durations over time, the runs, and the audit trail by record key.
 */
import { Fragment, useEffect, useState } from 'react';
import type { AuditEntry, AuditQuery, HistoryPoint, RunSummary, StreamName } from '../../shared/types';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';
import { downloadFile } from '../components/download';
import { SelectField } from '../components/fields';
import { HistoryChart } from '../components/history-chart';
import { RunDetail } from '../components/run-detail';
import { formatClock, formatCount, formatDateTime, formatDuration } from '../../shared/format';
import { streamLabels, streamNames } from '../streams';

const AUDIT_LIMIT = 200;

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
                  <th scope="col" className="num">Rows</th>
                  <th scope="col" className="num">Time</th>
                  <th scope="col" className="num">API calls</th>
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

/** The audit trail search and CSV export. */
function AuditTrail({ runs }: { runs: RunSummary[] }) {
  const api = useApi();
  const [recordKey, setRecordKey] = useState('');
  const [stream, setStream] = useState<StreamName | ''>('');
  const [runId, setRunId] = useState('');
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const query = (): AuditQuery => ({
    ...(recordKey.trim() ? { recordKey: recordKey.trim() } : {}),
    ...(stream ? { stream } : {}),
    ...(runId ? { runId } : {}),
  });

  const search = async () => {
    setBusy(true);
    try {
      setEntries(await api.queryAudit({ ...query(), limit: AUDIT_LIMIT }));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const exportCsv = async () => {
    try {
      const file = await api.exportAudit(query());
      downloadFile(file.fileName, file.csv, 'text/csv');
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  useEffect(() => {
    void search();
    // Only the first load is automatic; later searches run on submit.
  }, []);

  return (
    <section className="card" aria-labelledby="h-audit">
      <h2 id="h-audit">Audit trail</h2>
      <p className="section-intro">Every record extracted and loaded: the run, the action taken in Tableau, the batch and the result.</p>
      <form
        className="filters"
        role="search"
        aria-label="Search the audit trail"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <div className="field field-search">
          <label htmlFor="audit-key">Record key</label>
          <input id="audit-key" type="search" value={recordKey} placeholder="e.g. 1042" onChange={(e) => setRecordKey(e.target.value)} />
        </div>
        <SelectField path="audit.stream" label="Stream" value={stream} options={[{ value: '' as const, label: 'All streams' }, ...streamNames.map((s) => ({ value: s, label: streamLabels[s] }))]} onChange={setStream} />
        <SelectField path="audit.run" label="Run" value={runId} options={[{ value: '', label: 'All runs' }, ...runs.map((r) => ({ value: r.runId, label: formatDateTime(r.startedAt) }))]} onChange={setRunId} />
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Search
          </button>
          <button type="button" className="btn" onClick={exportCsv} data-testid="export-audit">
            Export CSV
          </button>
        </div>
      </form>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
      {entries == null ? null : entries.length === 0 ? (
        <p className="empty">No audit entries match.</p>
      ) : (
        <div className="table-wrap">
          <table className="audit-table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Stream</th>
                <th scope="col">Key</th>
                <th scope="col">Action</th>
                <th scope="col">Modified in Intacct</th>
                <th scope="col">Result</th>
                <th scope="col">Batch</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e, i) => (
                <tr key={`${e.runId}-${e.stream}-${e.recordKey}-${i}`}>
                  <td className="nowrap">{formatClock(e.at)}</td>
                  <td>{streamLabels[e.stream] ?? e.stream}</td>
                  <td className="mono">{e.recordKey}</td>
                  <td>{e.action}</td>
                  <td className="nowrap">{e.whenModified ?? '—'}</td>
                  <td>
                    <span className={`badge badge-${e.result}`}>{e.result}</span>
                  </td>
                  <td className="mono small" title={e.jobId ? `Job ${e.jobId}` : undefined}>
                    {e.requestId ? e.requestId.slice(0, 8) : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length === AUDIT_LIMIT ? <p className="muted small">Showing the newest {formatCount(AUDIT_LIMIT)} entries; narrow the search or export CSV for all.</p> : null}
        </div>
      )}
    </section>
  );
}
