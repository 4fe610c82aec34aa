/**
 * A small SVG chart builder for the model pictures in the README (scripts/model-charts.ts): one
 * category axis (months, buckets, bins), series drawn as bars (side by side or stacked) or lines.
 * Pure: data in, SVG text out, so it is tested without a browser (test/unit/scripts/model-charts-svg.test.ts).
 */

export interface Series {
  name: string;
  /** One value per category; null: no point (a line skips it, a bar is not drawn). */
  values: readonly (number | null)[];
  kind: 'bar' | 'line';
}

export interface Chart {
  title: string;
  /** What the values are, shown beside the axis (e.g. "USD", "bills"). */
  unit: string;
  categories: readonly string[];
  series: readonly Series[];
  /** Bars stack per category instead of standing side by side. */
  stacked?: boolean;
}

/** Okabe–Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/), then grey and wine for a 9th and 10th series. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000', '#999999', '#882255'] as const;

const W = 880;
const H = 420;
const M = { top: 48, right: 24, bottom: 112, left: 96 };

/** Escapes text for SVG content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `s`, cut to `n` characters with an ellipsis (legend entries have a fixed width). */
export function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** A round step (1, 2 or 5 × 10^n) giving about `ticks` intervals over `span`. */
export function niceStep(span: number, ticks = 5): number {
  if (!(span > 0)) return 1;
  const raw = span / ticks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
}

/** 1234567 → "1.2M", 12345 → "12k", 12.5 → "12.5". */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(0)}k`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}

/** The value range the axis must show: every point, every stack's top and bottom, and zero. */
export function valueRange(chart: Chart): [number, number] {
  let lo = 0;
  let hi = 0;
  chart.categories.forEach((_, i) => {
    let pos = 0;
    let neg = 0;
    for (const s of chart.series) {
      const v = s.values[i];
      if (v === null || v === undefined) continue;
      if (s.kind === 'bar' && chart.stacked) {
        if (v >= 0) pos += v;
        else neg += v;
      } else {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    lo = Math.min(lo, neg);
    hi = Math.max(hi, pos);
  });
  return [lo, hi];
}

/** The chart as a standalone `<svg>` element. */
export function chartSvg(chart: Chart): string {
  for (const s of chart.series)
    if (s.values.length !== chart.categories.length)
      throw new RangeError(`Series "${s.name}" has ${s.values.length} values for ${chart.categories.length} categories.`);
  const [lo0, hi0] = valueRange(chart);
  const step = niceStep(hi0 - lo0 || 1);
  const lo = Math.floor(lo0 / step) * step;
  const hi = Math.ceil(hi0 / step) * step || step;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const y = (v: number) => M.top + ((hi - v) / (hi - lo)) * plotH;
  const n = Math.max(chart.categories.length, 1);
  const band = plotW / n;
  const cx = (i: number) => M.left + band * (i + 0.5);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${M.left}" y="24" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>`);
  out.push(`<text x="16" y="${M.top - 12}" fill="#555">${escapeXml(chart.unit)}</text>`);
  for (let v = lo; v <= hi + step / 2; v += step) {
    const yy = y(v).toFixed(1);
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}" stroke="${Math.abs(v) < step / 2 ? '#333' : '#ddd'}"/>`);
    out.push(`<text x="${M.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle" fill="#333">${formatTick(v)}</text>`);
  }
  const every = Math.ceil(n / 16); // at most 16 labels, so months stay readable
  chart.categories.forEach((c, i) => {
    if (i % every) return;
    const x = cx(i).toFixed(1);
    out.push(`<text x="${x}" y="${H - M.bottom + 16}" text-anchor="end" transform="rotate(-40 ${x} ${H - M.bottom + 16})" fill="#333">${escapeXml(c)}</text>`);
  });
  const bars = chart.series.filter((s) => s.kind === 'bar');
  const barW = chart.stacked ? band * 0.7 : (band * 0.8) / Math.max(bars.length, 1);
  const base = chart.categories.map(() => ({ pos: 0, neg: 0 }));
  bars.forEach((s) => {
    const colour = PALETTE[chart.series.indexOf(s) % PALETTE.length];
    const k = bars.indexOf(s);
    s.values.forEach((v, i) => {
      if (v === null || v === 0) return;
      const b = base[i]!;
      let from = 0;
      if (chart.stacked) {
        from = v > 0 ? b.pos : b.neg;
        if (v > 0) b.pos += v;
        else b.neg += v;
      }
      const x = chart.stacked ? cx(i) - barW / 2 : M.left + band * i + band * 0.1 + k * barW;
      const top = Math.min(y(from), y(from + v));
      const h = Math.abs(y(from + v) - y(from));
      out.push(`<rect class="bar" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"/>`);
    });
  });
  chart.series.forEach((s, si) => {
    if (s.kind !== 'line') return;
    const colour = PALETTE[si % PALETTE.length];
    const runs: string[][] = [[]];
    s.values.forEach((v, i) => {
      if (v === null) runs.push([]);
      else runs[runs.length - 1]!.push(`${cx(i).toFixed(1)},${y(v).toFixed(1)}`);
    });
    for (const r of runs.filter((p) => p.length)) out.push(`<polyline points="${r.join(' ')}" fill="none" stroke="${colour}" stroke-width="2.5"/>`);
  });
  chart.series.forEach((s, si) => {
    const lx = M.left + (si % 3) * 260;
    const rows = Math.ceil(chart.series.length / 3);
    const ly = H - 14 - (rows - 1 - Math.floor(si / 3)) * 16;
    const colour = PALETTE[si % PALETTE.length];
    const mark =
      s.kind === 'line'
        ? `<line x1="${lx}" x2="${lx + 14}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`
        : `<rect x="${lx}" y="${ly - 6}" width="14" height="12" fill="${colour}"/>`;
    out.push(`${mark}<text x="${lx + 20}" y="${ly}" dominant-baseline="middle">${escapeXml(truncate(s.name, 36))}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
