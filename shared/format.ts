/**
 * The one formatter for numbers, dates, times and durations (issue #14 "One formatter for numbers,
 * dates and times everywhere (UI, logs, CLI, chart), with the time zone on absolute times"). The
 * window, the tray, the CLI and the chart all print through these functions, so a run's time reads
 * the same in every place. Plain `Intl`, no DOM or Node API: both processes import it.
 *
 * Absolute times carry their zone ("Dec 3, 2026, 4:52 PM UTC"): a controller comparing a sync with
 * a close deadline, or a support engineer reading a bundle from another office, must not guess it.
 */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

// dateStyle/timeStyle cannot be combined with timeZoneName, so the fields are spelled out.
const dateTimeOptions: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
};

/** Formats in `timeZone` when it is a zone this runtime knows, else in the local zone. */
function inZone(ms: number, options: Intl.DateTimeFormatOptions, timeZone?: string): string {
  if (timeZone) {
    try {
      return new Intl.DateTimeFormat(undefined, { ...options, timeZone }).format(ms);
    } catch {
      // An unknown zone name (a setting typed by hand): the local zone, still labelled.
    }
  }
  return new Intl.DateTimeFormat(undefined, options).format(ms);
}

/** "Dec 3, 2026, 4:52 PM UTC", or an em dash when there is no time. */
export function formatDateTime(ms: number | null | undefined, timeZone?: string): string {
  if (ms == null) return '—';
  return inZone(ms, dateTimeOptions, timeZone);
}

/** "Mon, Dec 7, 06:00 EST" in a given zone, for schedule previews. */
export function formatScheduleTime(ms: number, timeZone: string): string {
  return inZone(ms, { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }, timeZone);
}

/** "Dec 3, 16:52:58 UTC" for log lines in the window. */
export function formatClock(ms: number): string {
  return inZone(ms, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZoneName: 'short' });
}

/** "14:17 UTC" today, "Nov 24, 14:17 UTC" another day: a short absolute time for freshness lines. */
export function formatWhen(ms: number, now: number = Date.now()): string {
  const sameDay = new Date(ms).toDateString() === new Date(now).toDateString();
  const options: Intl.DateTimeFormatOptions = sameDay
    ? { hour: '2-digit', minute: '2-digit', hour12: false }
    : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false };
  return inZone(ms, { ...options, timeZoneName: 'short' });
}

/** A chart axis label: "16:52:58" within an hour, "Dec 3, 16:52" across days (the caption names the zone). */
export function formatAxisTime(ms: number, spanMs: number): string {
  return spanMs < 3_600_000
    ? inZone(ms, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
    : inZone(ms, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
}

/** The local zone's short name ("UTC", "EST"), for captions of times printed without it. */
export function localZoneName(at: number = Date.now()): string {
  return new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/**
 * A machine-readable instant for log files, CLI log lines and the support bundle: ISO 8601 in UTC
 * ("2026-12-03T16:52:58.094Z"), which sorts and parses and states its zone.
 */
export function formatLogTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** "2026-12-03 16:52 UTC": a time inside a sentence read anywhere (alerts, refusals, lock notes). */
export function formatUtcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "5 min ago" / "in 2 h" relative to now. */
export function formatRelative(ms: number | null | undefined, now: number = Date.now()): string {
  if (ms == null) return '';
  const diff = ms - now;
  const abs = Math.abs(diff);
  let text: string;
  if (abs < 45_000) return 'just now';
  if (abs < 3_600_000) text = `${Math.round(abs / 60_000)} min`;
  else if (abs < 86_400_000) text = `${Math.round(abs / 3_600_000)} h`;
  else text = `${Math.round(abs / 86_400_000)} d`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

/** Whole minutes and seconds, or hours and minutes: the common tail of both duration forms. */
function longDuration(totalSeconds: number): string {
  const min = Math.floor(totalSeconds / 60);
  const sec = totalSeconds % 60;
  if (min < 60) return `${min} min ${String(sec).padStart(2, '0')} s`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** How long something took: "850 ms", "12.4 s", "3 min 05 s", "1 h 06 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return longDuration(Math.round(ms / 1000));
}

/**
 * How long something will still take, an estimate: whole seconds (tenths would claim a precision
 * the estimate does not have), the same words as formatDuration: "45 s", "1 min 15 s".
 */
export function formatTimeLeft(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : longDuration(s);
}

/** "12,345", or an em dash when unknown. */
export function formatCount(n: number | null | undefined): string {
  return n == null ? '—' : integer.format(n);
}

/** "1.2K", "3.4M": chart axes. */
export function formatCompact(n: number): string {
  return compact.format(n);
}

/** "1,234 rows/s". */
export function formatRate(rowsPerSecond: number): string {
  return `${integer.format(Math.round(rowsPerSecond))} rows/s`;
}
