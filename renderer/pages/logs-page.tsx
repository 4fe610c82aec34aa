/**
 * Logs: filter by level, stream and run, search, follow new lines live, and export a support bundle.
 */
import { useCallback, useEffect, useState } from 'react';
import type { LogEntry, LogLevel, LogQuery, RunSummary, StreamName } from '../../shared/types';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';
import { SelectField } from '../components/fields';
import { base64ToBytes, downloadFile } from '../components/download';
import { formatClock, formatDateTime } from '../../shared/format';
import { streamLabels, streamNames } from '../streams';
import { useDebounced } from '../use-debounced';

const PAGE = 200;
const levelNo: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const levelOptions: readonly { value: LogLevel | ''; label: string }[] = [
  { value: '', label: 'All levels' },
  { value: 'info', label: 'Info and above' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'error', label: 'Errors only' },
];

/** Whether a pushed line belongs in the current view (same rules as the store's queryLogs). */
export function matchesQuery(e: LogEntry, q: LogQuery): boolean {
  if (q.level && levelNo[e.level] < levelNo[q.level]) return false;
  if (q.runId && e.runId !== q.runId) return false;
  if (q.stream && e.stream !== q.stream) return false;
  if (q.search && !e.message.toLowerCase().includes(q.search.toLowerCase())) return false;
  return true;
}

const isLevel = (v: string | null): v is LogLevel => v === 'debug' || v === 'info' || v === 'warn' || v === 'error';
const isStream = (v: string | null): v is StreamName => v != null && streamNames.includes(v as StreamName);

/** The Logs page; `params` may preset `runId`, `level`, `stream` and `search`. */
export function LogsPage({ params }: { params: URLSearchParams }) {
  const api = useApi();
  const [level, setLevel] = useState<LogLevel | ''>(() => (isLevel(params.get('level')) ? (params.get('level') as LogLevel) : ''));
  const [stream, setStream] = useState<StreamName | ''>(() => (isStream(params.get('stream')) ? (params.get('stream') as StreamName) : ''));
  const [runId, setRunId] = useState(() => params.get('runId') ?? '');
  const [search, setSearch] = useState(() => params.get('search') ?? '');
  const debouncedSearch = useDebounced(search);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [entries, setEntries] = useState<LogEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportNote, setExportNote] = useState<string | null>(null);

  const query: LogQuery = {
    ...(level ? { level } : {}),
    ...(stream ? { stream } : {}),
    ...(runId ? { runId } : {}),
    ...(debouncedSearch.trim() ? { search: debouncedSearch.trim() } : {}),
  };
  const queryKey = JSON.stringify(query);

  useEffect(() => {
    api.listRuns({ limit: 50 }).then(setRuns, () => undefined);
  }, [api]);

  useEffect(() => {
    let live = true;
    const q = JSON.parse(queryKey) as LogQuery;
    api.queryLogs({ ...q, limit: PAGE }).then(
      (list) => {
        if (!live) return;
        setEntries(list);
        setMore(list.length === PAGE);
        setError(null);
      },
      (err: unknown) => live && setError(errorMessage(err)),
    );
    const unsubscribe = api.onEvent((event) => {
      if (event.type === 'log' && matchesQuery(event.entry, q))
        setEntries((list) => (list && !list.some((e) => e.id === event.entry.id) ? [event.entry, ...list] : list));
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api, queryKey]);

  const loadOlder = useCallback(async () => {
    const last = entries?.[entries.length - 1];
    if (!last) return;
    try {
      const older = await api.queryLogs({ ...(JSON.parse(queryKey) as LogQuery), limit: PAGE, beforeId: last.id });
      setEntries((list) => [...(list ?? []), ...older]);
      setMore(older.length === PAGE);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [api, entries, queryKey]);

  const exportBundle = async () => {
    setExporting(true);
    setExportNote(null);
    try {
      const bundle = await api.exportSupportBundle();
      downloadFile(bundle.fileName, base64ToBytes(bundle.base64), 'application/zip');
      setExportNote(`Saved ${bundle.fileName}. It holds the logs and recent runs, and no passwords or tokens.`);
    } catch (err) {
      setExportNote(errorMessage(err));
    } finally {
      setExporting(false);
    }
  };

  const runOptions = [{ value: '', label: 'All runs' }, ...runs.map((r) => ({ value: r.runId, label: `${formatDateTime(r.startedAt)} · ${r.outcome}` }))];
  if (runId && !runs.some((r) => r.runId === runId)) runOptions.push({ value: runId, label: `Run ${runId.slice(0, 8)}` });

  return (
    <>
      <div className="page-title">
        <h1 tabIndex={-1}>Logs</h1>
        <button type="button" className="btn" onClick={exportBundle} disabled={exporting} data-testid="export-bundle">
          {exporting ? 'Exporting…' : 'Export support bundle'}
        </button>
      </div>
      {exportNote ? (
        <p className="inline-note" role="status">
          {exportNote}
        </p>
      ) : null}
      <div className="filters card" role="search" aria-label="Filter log lines">
        <SelectField path="logs.level" label="Level" value={level} options={levelOptions} onChange={setLevel} />
        <SelectField
          path="logs.stream"
          label="Stream"
          value={stream}
          options={[{ value: '' as const, label: 'All streams' }, ...streamNames.map((s) => ({ value: s, label: streamLabels[s] }))]}
          onChange={setStream}
        />
        <SelectField path="logs.run" label="Run" value={runId} options={runOptions} onChange={setRunId} />
        <div className="field field-search">
          <label htmlFor="log-search">Search</label>
          <input id="log-search" type="search" value={search} placeholder="e.g. timeout, APBILL" onChange={(e) => setSearch(e.target.value)} />
        </div>
      </div>
      {error ? (
        <p className="inline-error" role="alert">
          {error}
        </p>
      ) : null}
      {entries == null ? (
        <p className="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p className="empty">No log lines match these filters.</p>
      ) : (
        <div className="table-wrap">
          <table className="log-table" data-testid="log-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Level</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} className={`level-${e.level}`}>
                  <td className="nowrap">
                    <time dateTime={new Date(e.at).toISOString()}>{formatClock(e.at)}</time>
                  </td>
                  <td>
                    <span className={`level level-${e.level}`}>{e.level}</span>
                  </td>
                  <td className="message">
                    {e.message}
                    {e.stream && !e.message.startsWith(streamLabels[e.stream] ?? e.stream) ? (
                      <span className="tag">{streamLabels[e.stream] ?? e.stream}</span>
                    ) : null}
                    {e.service ? <span className="tag">{e.service}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more ? (
        <button type="button" className="btn" onClick={loadOlder}>
          Load older lines
        </button>
      ) : null}
    </>
  );
}
