/**
 * One run's per-stream results and tie-out, shown under its row in the runs table.
 */
import { useEffect, useState } from 'react';
import type { RunDetail as RunDetailData } from '../../shared/types';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';
import { formatCount, formatDuration } from '../../shared/format';
import { hrefOf } from '../route';
import { streamLabels } from '../streams';
import { AccountingChecksLine } from './models-panel';

/** Loads and shows getRun(runId). */
export function RunDetail({ runId }: { runId: string }) {
  const api = useApi();
  const [detail, setDetail] = useState<RunDetailData | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.getRun({ runId }).then(setDetail, (err: unknown) => setError(errorMessage(err)));
  }, [api, runId]);

  if (error) return <p className="inline-error">{error}</p>;
  if (detail === undefined) return <p className="muted">Loading…</p>;
  if (detail === null) return <p className="muted">This run is no longer in the history.</p>;
  const tie = detail.tieOut;
  return (
    <div className="run-detail">
      <table className="compact">
        <thead>
          <tr>
            <th scope="col">Stream</th>
            <th scope="col">Outcome</th>
            <th scope="col" className="num">
              Read
            </th>
            <th scope="col" className="num">
              Upserted
            </th>
            <th scope="col" className="num">
              Deleted
            </th>
            <th scope="col" className="num">
              Time
            </th>
          </tr>
        </thead>
        <tbody>
          {detail.streams.map((s) => (
            <tr key={s.stream}>
              <th scope="row">
                {streamLabels[s.stream] ?? s.stream}
                {s.fullLoad ? <span className="tag">full load</span> : null}
              </th>
              <td>
                <span className={`badge badge-${s.outcome}`}>{s.outcome}</span>
                {s.error ? <div className="cell-error">{s.error.message}</div> : null}
              </td>
              <td className="num">{formatCount(s.rowsRead)}</td>
              <td className="num">{formatCount(s.rowsUpserted)}</td>
              <td className="num">{formatCount(s.rowsDeleted)}</td>
              <td className="num">{formatDuration(s.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {tie ? (
        <p className={tie.ok ? 'tie ok' : 'tie failed'}>
          {tie.ok
            ? `Tie-out: Tableau matches Intacct for ${tie.counts.length} streams (counts${tie.counts.some((c) => c.stream === 'gl_detail') ? ' and GL amounts per account and period' : ''}).`
            : `Tie-out warning: ${tie.differences.length} difference(s), e.g. ${tie.differences
                .slice(0, 3)
                .map(
                  (d) =>
                    `${streamLabels[d.stream] ?? d.stream}${d.account ? ` ${d.account}` : ''}${d.period ? ` ${d.period}` : ''}: Intacct ${d.intacct} vs Tableau ${d.tableau}`,
                )
                .join('; ')}`}
        </p>
      ) : null}
      {detail.models ? <AccountingChecksLine checks={detail.models.accountingChecks} /> : null}
      <a href={hrefOf('logs', { runId })}>Log lines of this run</a>
    </div>
  );
}
