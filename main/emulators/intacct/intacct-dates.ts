/**
 * Intacct's date and datetime text forms, for the emulator.
 *
 * Responses carry dates as `MM/DD/YYYY` and datetimes as `MM/DD/YYYY HH:MM:SS` with no offset
 * (intacct-xml.md §4.4); only `sessiontimestamp`/`sessiontimeout` are ISO 8601 with an offset (§3.2).
 * The emulator stores datetimes in UTC and shows them in the API user's GMT offset, the reading of
 * §4.4 (UNCONFIRMED there; the safe choice is to make the zone visible and configurable).
 */

const DAY_MS = 86_400_000;

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** `MM/DD/YYYY HH:MM:SS` for a UTC instant shown at `offsetMinutes` east of GMT. */
export function formatDateTime(ms: number, offsetMinutes = 0): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  return (
    pad2(d.getUTCMonth() + 1) +
    '/' +
    pad2(d.getUTCDate()) +
    '/' +
    d.getUTCFullYear() +
    ' ' +
    pad2(d.getUTCHours()) +
    ':' +
    pad2(d.getUTCMinutes()) +
    ':' +
    pad2(d.getUTCSeconds())
  );
}

/** `MM/DD/YYYY` for the UTC calendar day containing `ms`. */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return pad2(d.getUTCMonth() + 1) + '/' + pad2(d.getUTCDate()) + '/' + d.getUTCFullYear();
}

const DATE_TIME_RE = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2}):(\d{2}))?$/;

/**
 * Parses `MM/DD/YYYY[ HH:MM:SS]` read at `offsetMinutes` east of GMT into UTC ms; null if the text
 * is not in Intacct's form (ISO values in filters are UNCONFIRMED, §4.4, so they are refused).
 */
export function parseDateTime(text: string, offsetMinutes = 0): number | null {
  const m = DATE_TIME_RE.exec(text.trim());
  if (!m) return null;
  const [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(year, month - 1, day, h, mi, s);
  if (new Date(ms).getUTCDate() !== day) return null;
  return ms - offsetMinutes * 60_000;
}

/** Parses `MM/DD/YYYY` (a datetime's time part is ignored) into the UTC ms of that day's midnight. */
export function parseDate(text: string): number | null {
  const ms = parseDateTime(text, 0);
  return ms === null ? null : Math.floor(ms / DAY_MS) * DAY_MS;
}

/** ISO 8601 with an explicit offset, like `2023-04-25T00:50:25+00:00` (session timestamps, §3.2). */
export function formatIsoWithOffset(ms: number, offsetMinutes = 0): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    d.getUTCFullYear() +
    '-' +
    pad2(d.getUTCMonth() + 1) +
    '-' +
    pad2(d.getUTCDate()) +
    'T' +
    pad2(d.getUTCHours()) +
    ':' +
    pad2(d.getUTCMinutes()) +
    ':' +
    pad2(d.getUTCSeconds()) +
    sign +
    pad2(Math.floor(abs / 60)) +
    ':' +
    pad2(abs % 60)
  );
}

/** `+09:30` / `-05:00` (readUserFormatting's `gmtoffset`) → minutes east of GMT. */
export function parseGmtOffset(text: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) throw new RangeError(`GMT offset must look like +hh:mm or -hh:mm, got "${text}"`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** Minutes east of GMT → `+hh:mm`. */
export function formatGmtOffset(offsetMinutes: number): string {
  const abs = Math.abs(offsetMinutes);
  return (offsetMinutes < 0 ? '-' : '+') + pad2(Math.floor(abs / 60)) + ':' + pad2(abs % 60);
}

export { DAY_MS };
