/**
 * Rows moved (bars, left axis) and run duration (line, right axis) per run, as plain SVG.
 */
import type { HistoryPoint } from '../../shared/types';
import { formatAxisTime, formatCompact, formatCount, formatDateTime, formatDuration, localZoneName } from '../../shared/format';

const W = 640;
const H = 220;
const PAD = { top: 16, right: 48, bottom: 30, left: 52 };

/** A round axis maximum ≥ `max` whose quarters are round too (1, 1.2, 2, 2.5, 4, 5, 8 × 10^n). */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 1.2, 2, 2.5, 4, 5, 8, 10]) if (m * exp >= max) return m * exp;
  return 10 * exp;
}

/** The chart; `points` in any order. */
export function HistoryChart({ points }: { points: readonly HistoryPoint[] }) {
  const runs = [...points].sort((a, b) => a.startedAt - b.startedAt);
  if (runs.length === 0) return <p className="empty">No runs yet: the chart fills in after the first sync.</p>;

  const rowsMax = niceMax(Math.max(...runs.map((r) => r.rowsMoved)));
  const secMax = niceMax(Math.max(...runs.map((r) => r.durationMs / 1000)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / runs.length;
  const barW = Math.max(2, Math.min(28, slot * 0.6));
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  const yRows = (v: number) => PAD.top + plotH - (v / rowsMax) * plotH;
  const ySec = (v: number) => PAD.top + plotH - (v / secMax) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const labelEvery = Math.max(1, Math.ceil(runs.length / 5));
  const line = runs.map((r, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${ySec(r.durationMs / 1000).toFixed(1)}`).join(' ');
  const total = runs.reduce((n, r) => n + r.rowsMoved, 0);
  // Runs within one hour (a first day of use, a test) are told apart by the time of day.
  const spanMs = (runs[runs.length - 1]?.startedAt ?? 0) - (runs[0]?.startedAt ?? 0);
  const tickLabel = (t: number) => formatAxisTime(t, spanMs);

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${runs.length} runs from ${formatDateTime(runs[0]?.startedAt)} to ${formatDateTime(runs[runs.length - 1]?.startedAt)}, ${formatCount(total)} rows moved in all.`}
        data-testid="history-chart"
      >
        {ticks.map((t) => (
          <g key={t}>
            <line className="grid" x1={PAD.left} x2={W - PAD.right} y1={yRows(t * rowsMax)} y2={yRows(t * rowsMax)} />
            <text className="axis axis-left" x={PAD.left - 6} y={yRows(t * rowsMax) + 4} textAnchor="end">
              {formatCompact(t * rowsMax)}
            </text>
            <text className="axis axis-right" x={W - PAD.right + 6} y={ySec(t * secMax) + 4}>
              {formatDuration(t * secMax * 1000)
                .replace(' min ', 'm')
                .replace(' s', 's')
                .replace(' ms', 'ms')}
            </text>
          </g>
        ))}
        {runs.map((r, i) => {
          // A failed run that moved nothing still gets a visible sliver in its colour.
          const y = Math.min(yRows(r.rowsMoved), PAD.top + plotH - (r.outcome !== 'succeeded' ? 3 : 0));
          return (
            <g key={r.runId}>
              <rect
                className={`bar bar-${r.outcome}`}
                x={x(i) - barW / 2}
                y={y}
                width={barW}
                height={Math.max(r.rowsMoved > 0 || r.outcome !== 'succeeded' ? 3 : 0, PAD.top + plotH - y)}
                rx={2}
              >
                <title>{`${formatDateTime(r.startedAt)}: ${formatCount(r.rowsMoved)} rows, ${formatDuration(r.durationMs)}, ${r.outcome}`}</title>
              </rect>
              {i % labelEvery === 0 ? (
                <text className="axis" x={x(i)} y={H - 10} textAnchor="middle">
                  {tickLabel(r.startedAt)}
                </text>
              ) : null}
            </g>
          );
        })}
        <path className="duration-line" d={line} fill="none" />
        {runs.map((r, i) => (
          <circle key={r.runId} className="duration-dot" cx={x(i)} cy={ySec(r.durationMs / 1000)} r={3}>
            <title>{`${formatDateTime(r.startedAt)}: ${formatDuration(r.durationMs)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="legend">
        <span className="legend-item">
          <span className="swatch swatch-bar" aria-hidden="true" /> Rows moved (left axis)
        </span>
        <span className="legend-item">
          <span className="swatch swatch-line" aria-hidden="true" /> Duration (right axis)
        </span>
        <span className="legend-item">
          <span className="swatch swatch-failed" aria-hidden="true" /> Failed run
        </span>
        <span className="legend-item">Times in {localZoneName(runs[runs.length - 1]?.startedAt)}</span>
      </figcaption>
    </figure>
  );
}
