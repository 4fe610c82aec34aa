/**
 * Wall-clock arithmetic in an IANA zone, with explicit DST rules.
 *
 * A schedule is written in local wall-clock time ("06:00 in New York"), but a timer needs an instant.
 * Twice a year a wall time does not map to exactly one instant:
 * - spring forward (the time does not exist, e.g. 02:30 on 2026-03-08 in New York): the run fires at
 *   the same distance past the start of the gap, i.e. one hour later on the clock (03:30 EDT) — once;
 * - fall back (the time happens twice, e.g. 01:30 on 2026-11-01): the run fires at the first
 *   occurrence only (01:30 EDT), never again at 01:30 EST.
 */
import { IANAZone } from 'luxon';

/** A calendar date (no time, no zone). */
export interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** The zone, or null if `name` is not a valid IANA zone (luxon ships the tz database via Intl). */
export function zoneOf(name: string): IANAZone | null {
  return IANAZone.isValidZone(name) ? IANAZone.create(name) : null;
}

/** The local calendar date of an instant in `zone`. */
export function localDateOf(zone: IANAZone, ms: number): LocalDate {
  const shifted = new Date(ms + zone.offset(ms) * 60_000);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** The calendar date `days` after `d`. */
export function addDays(d: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day) + days * dayMs);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(d: LocalDate): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

/** Monday to Friday (public holidays are not known to the app). */
export function isBusinessDay(d: LocalDate): boolean {
  const w = weekdayOf(d);
  return w >= 1 && w <= 5;
}

/** 1 for the first business day of the month, 2 for the second…; 0 if `d` is not a business day. */
export function businessDayOfMonth(d: LocalDate): number {
  if (!isBusinessDay(d)) return 0;
  let n = 0;
  for (let day = 1; day <= d.day; day++) if (isBusinessDay({ ...d, day })) n++;
  return n;
}

/**
 * The instant a local wall time happens in `zone`, with the DST rules above. Assumes at most one
 * offset change within a day either side, which holds for every zone in the tz database.
 */
export function wallTimeToUtc(zone: IANAZone, d: LocalDate, hour: number, minute: number): number {
  const naive = Date.UTC(d.year, d.month - 1, d.day, hour, minute);
  const before = zone.offset(naive - dayMs);
  const offsets = new Set([before, zone.offset(naive), zone.offset(naive + dayMs)]);
  let best: number | null = null;
  for (const o of offsets) {
    const candidate = naive - o * 60_000;
    if (zone.offset(candidate) === o && (best === null || candidate < best)) best = candidate;
  }
  // No instant shows this wall time (a spring-forward gap): read it with the offset in force before
  // the gap, which lands the same distance past the gap's end.
  return best ?? naive - before * 60_000;
}

/** "HH:MM" → [hour, minute], or null when malformed or out of range. */
export function parseTime(text: string): [number, number] | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export { hourMs, dayMs };
