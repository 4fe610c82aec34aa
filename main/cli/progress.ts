/**
 * What `sync` and `demo` print while they work. On a terminal: one bar per table, redrawn in place,
 * sized to the terminal's width, with rows per second and the time left once Intacct's count is
 * known. Piped (a log file, cron, systemd): the service's log lines once each, plus a progress line
 * per table at most every `pipedEveryMs` while it reads, so a long run shows it is alive without
 * repeating what the log already says.
 */
import type { LogEntry, StreamName, StreamProgress } from '../../shared/types';
import { formatCount, formatRate, formatTimeLeft } from '../../shared/format';

export interface ProgressOutput {
  /** A terminal (bars redrawn in place) or not (lines). */
  tty: boolean;
  /** The terminal's width now (it may be resized during a run). */
  columns(): number;
  now(): number;
  write(text: string): void;
  labelOf(stream: StreamName): string;
  pipedEveryMs?: number;
}

export interface Tracked {
  p: StreamProgress;
  /** When the stream started reading, for its rate. */
  readingSince: number | null;
  lastPipedAt: number;
}

const n = formatCount;

// The service ends every run with a summary log line; the CLI prints its own summary on stdout (for
// scripts), so the log's copy would be the same sentence twice (run-sync.ts, "Run <outcome>: …").
const RUN_SUMMARY = /^Run (succeeded|failed|partial|partly succeeded|cancelled): /;

/** Rows per second and seconds left of a stream that is reading, when they can be known. */
function pace(t: Tracked, now: number): { rate: number | null; left: number | null } {
  if (t.readingSince === null || t.p.phase !== 'reading') return { rate: null, left: null };
  const seconds = (now - t.readingSince) / 1000;
  if (seconds < 1 || t.p.rowsDone === 0) return { rate: null, left: null };
  const rate = t.p.rowsDone / seconds;
  const left = t.p.rowsExpected !== null && t.p.rowsExpected >= t.p.rowsDone ? (t.p.rowsExpected - t.p.rowsDone) / rate : null;
  return { rate, left };
}

function paceText(t: Tracked, now: number): string[] {
  const { rate, left } = pace(t, now);
  return [...(rate !== null ? [formatRate(rate)] : []), ...(left !== null ? [`${formatTimeLeft(left * 1000)} left`] : [])];
}

const rowsText = (p: StreamProgress) => `${n(p.rowsDone)}${p.rowsExpected !== null ? ` / ${n(p.rowsExpected)}` : ''}`;

const clip = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`);

/** Column widths shared by every bar, so names and bars line up and do not jump. */
export function barLayout(labels: readonly string[], columns: number): { max: number; name: number; bar: number } {
  // A line that fills the last column wraps on some terminals, and the cursor-up redraw would then
  // climb one line short: stay one short of the width.
  const max = Math.max(30, columns - 1);
  const name = Math.min(Math.max(8, ...labels.map((l) => l.length)), columns >= 100 ? 24 : 16);
  const bar = Math.max(6, Math.min(30, max - name - 4 - 34));
  return { max, name, bar };
}

/**
 * One bar line within the layout. The tail says the phase and the rows, then rows per second and
 * the time left; what does not fit goes in this order: the row counts become a percentage, the rate
 * goes, then the time left.
 */
export function barLine(label: string, t: Tracked, now: number, layout: { max: number; name: number; bar: number }): string {
  const p = t.p;
  const frac = p.rowsExpected ? Math.min(1, p.rowsDone / p.rowsExpected) : p.phase === 'done' ? 1 : 0;
  const { rate, left } = pace(t, now);
  const rateText = rate !== null ? [formatRate(rate)] : [];
  const leftText = left !== null ? [`${formatTimeLeft(left * 1000)} left`] : [];
  const rows = p.rowsDone || p.rowsExpected ? [rowsText(p)] : [];
  const percent = p.rowsExpected ? [`${Math.floor(frac * 100)}%`] : p.rowsDone ? [n(p.rowsDone)] : [];
  const tails = [
    [p.phase, ...rows, ...rateText, ...leftText],
    [p.phase, ...percent, ...rateText, ...leftText],
    [p.phase, ...percent, ...leftText],
    [p.phase, ...percent],
  ].map((parts) => parts.join(' · '));
  const room = layout.max - layout.name - layout.bar - 4;
  const tail = tails.find((x) => x.length <= room) ?? clip(tails[3]!, room);
  const filled = Math.round(frac * layout.bar);
  return `${clip(label, layout.name).padEnd(layout.name)} [${'#'.repeat(filled)}${'-'.repeat(layout.bar - filled)}] ${tail}`;
}

export function createProgressPrinter(out: ProgressOutput) {
  const state = new Map<StreamName, Tracked>();
  const pipedEveryMs = out.pipedEveryMs ?? 30_000;
  let drawn = 0;
  let lastDraw = 0;

  const draw = (force: boolean) => {
    const now = out.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    let text = drawn ? `\x1b[${drawn}A` : '';
    // The stream at work first, so it stays in view on a short terminal.
    const rows = [...state.values()].sort(
      (a, b) => Number(b.p.phase !== 'done' && b.p.phase !== 'skipped') - Number(a.p.phase !== 'done' && a.p.phase !== 'skipped'),
    );
    const layout = barLayout(
      rows.map((t) => out.labelOf(t.p.stream)),
      out.columns(),
    );
    for (const t of rows) text += `\x1b[2K${barLine(out.labelOf(t.p.stream), t, now, layout)}\n`;
    drawn = state.size;
    out.write(text);
  };

  const line = (text: string) => {
    if (out.tty && drawn) {
      // Print above the bars, then redraw them.
      out.write(`\x1b[${drawn}A\x1b[0J${text}\n`);
      drawn = 0;
      draw(true);
    } else {
      out.write(`${text}\n`);
    }
  };

  return {
    progress(p: StreamProgress) {
      const now = out.now();
      const before = state.get(p.stream);
      const t: Tracked = before ?? { p, readingSince: null, lastPipedAt: now };
      t.p = p;
      if (p.phase === 'reading' && t.readingSince === null) t.readingSince = now;
      state.set(p.stream, t);
      if (out.tty) {
        draw(p.phase === 'done' || p.phase === 'failed' || before?.p.phase !== p.phase);
      } else if (p.phase === 'reading' && now - t.lastPipedAt >= pipedEveryMs) {
        t.lastPipedAt = now;
        line([`${out.labelOf(p.stream)}: reading ${rowsText(p)} rows`, ...paceText(t, now)].join(' · '));
      }
    },
    log(e: LogEntry) {
      if (e.level === 'debug' || RUN_SUMMARY.test(e.message)) return;
      line(`${e.level === 'info' ? '' : `${e.level.toUpperCase()}: `}${e.message}`);
    },
  };
}
