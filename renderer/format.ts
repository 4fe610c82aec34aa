/**
 * Display formatting for times, durations and counts, in the user's locale and time zone.
 */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** "Nov 24, 2026, 9:15 AM", or an em dash when there is no time. */
export function formatDateTime(ms: number | null | undefined, timeZone?: string): string {
  if (ms == null) return '—';
  if (!timeZone) return dateTime.format(ms);
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(ms);
  } catch {
    return dateTime.format(ms);
  }
}

/** "Mon, Nov 24, 06:00" in a given zone, for schedule previews. */
export function formatScheduleTime(ms: number, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' };
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone }).format(ms);
  } catch {
    return new Intl.DateTimeFormat(undefined, options).format(ms);
  }
}

/** "HH:MM:SS" for log lines. */
export function formatClock(ms: number): string {
  return new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(ms);
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

/** "850 ms", "12.4 s", "3 min 05 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.floor(ms / 60_000);
  const sec = Math.round((ms % 60_000) / 1000);
  if (min < 60) return `${min} min ${String(sec).padStart(2, '0')} s`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** "12,345" */
export function formatCount(n: number | null | undefined): string {
  return n == null ? '—' : integer.format(n);
}

/** "14:17" today, "Nov 24, 14:17" another day: a short absolute time for freshness lines. */
export function formatWhen(ms: number, now: number = Date.now()): string {
  const sameDay = new Date(ms).toDateString() === new Date(now).toDateString();
  const options: Intl.DateTimeFormatOptions = sameDay ? { hour: '2-digit', minute: '2-digit', hour12: false } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false };
  return new Intl.DateTimeFormat(undefined, options).format(ms);
}
