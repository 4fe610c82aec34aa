/**
 * The audit trail on History: search by record key, document number, vendor and journal (issue
 * #14), by table and by run (each run named with its UTC start, outcome and seconds), and the CSV
 * export. Times are UTC and say so: the trail is evidence, compared with Intacct's and Tableau's
 * own logs, which a local time would make ambiguous.
 */
import { useEffect, useState } from 'react';
import type { AuditEntry, AuditQuery, RunSummary, StreamName } from '../../shared/types';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';
import { formatCount } from '../../shared/format';
import { streamLabels, streamNames } from '../streams';
import { downloadFile } from './download';
import { SelectField } from './fields';

const AUDIT_LIMIT = 200;

/** "2026-12-03 17:05:09 UTC". */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const outcomeWords: Record<RunSummary['outcome'], string> = {
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  partial: 'partly succeeded',
};

/** A run as the picker names it: "2026-12-03 17:05 UTC · succeeded · 12 s". */
export function runChoiceLabel(r: RunSummary): string {
  const seconds = r.durationMs == null ? null : Math.max(0, Math.round(r.durationMs / 1000));
  return `${formatUtc(r.startedAt).replace(/:\d\d UTC$/, ' UTC')} · ${outcomeWords[r.outcome]}${seconds === null ? '' : ` · ${formatCount(seconds)} s`}`;
}

const searchFields = [
  { key: 'recordKey', label: 'Record key', placeholder: 'e.g. 1042' },
  { key: 'document', label: 'Document number', placeholder: 'e.g. BILL-1042' },
  { key: 'vendor', label: 'Vendor', placeholder: 'ID or name' },
  { key: 'journal', label: 'Journal', placeholder: 'e.g. GJ' },
] as const;
type SearchKey = (typeof searchFields)[number]['key'];

/** The audit trail search and CSV export. */
export function AuditTrail({ runs }: { runs: RunSummary[] }) {
  const api = useApi();
  const [words, setWords] = useState<Record<SearchKey, string>>({ recordKey: '', document: '', vendor: '', journal: '' });
  const [stream, setStream] = useState<StreamName | ''>('');
  const [runId, setRunId] = useState('');
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const query = (): AuditQuery => ({
    ...Object.fromEntries(searchFields.map((f) => [f.key, words[f.key].trim()]).filter(([, v]) => v)),
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
      <p className="section-intro">Every record extracted and loaded: the run, the action taken in Tableau, the batch and the result. Times are UTC.</p>
      <form
        className="filters"
        role="search"
        aria-label="Search the audit trail"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        {searchFields.map((f) => (
          <div className="field field-search" key={f.key}>
            <label htmlFor={`audit-${f.key}`}>{f.label}</label>
            <input
              id={`audit-${f.key}`}
              type="search"
              value={words[f.key]}
              placeholder={f.placeholder}
              onChange={(e) => setWords((w) => ({ ...w, [f.key]: e.target.value }))}
            />
          </div>
        ))}
        <SelectField
          path="audit.stream"
          label="Table"
          value={stream}
          options={[{ value: '' as const, label: 'All tables' }, ...streamNames.map((s) => ({ value: s, label: streamLabels[s] }))]}
          onChange={setStream}
        />
        <SelectField
          path="audit.run"
          label="Run"
          value={runId}
          options={[{ value: '', label: 'All runs' }, ...runs.map((r) => ({ value: r.runId, label: runChoiceLabel(r) }))]}
          onChange={setRunId}
        />
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
                <th scope="col">Time (UTC)</th>
                <th scope="col">Table</th>
                <th scope="col">Key</th>
                <th scope="col">Document · vendor · journal</th>
                <th scope="col">Action</th>
                <th scope="col">Modified in Intacct (UTC)</th>
                <th scope="col">Result</th>
                <th scope="col">Batch</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e, i) => (
                <tr key={`${e.runId}-${e.stream}-${e.recordKey}-${i}`}>
                  <td className="nowrap">{formatUtc(e.at).replace(' UTC', '')}</td>
                  <td>{streamLabels[e.stream] ?? e.stream}</td>
                  <td className="mono">{e.recordKey}</td>
                  <td className="small" data-testid="audit-words">
                    {[e.document, e.vendor, e.journal].filter(Boolean).join(' · ') || '—'}
                  </td>
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
          {entries.length === AUDIT_LIMIT ? (
            <p className="muted small">Showing the first {formatCount(AUDIT_LIMIT)} entries; narrow the search or export CSV for all.</p>
          ) : null}
        </div>
      )}
    </section>
  );
}
