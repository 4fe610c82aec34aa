/**
 * When a schedule fires: a pure function of the schedule and a start instant.
 *
 * Presets are read in wall-clock time in `schedule.timezone` (see local-time.ts for the DST rules):
 * - daily: once a day at `time` (optionally Monday–Friday only);
 * - hourly: at local times that are multiples of `everyHours` after midnight (00:00, 04:00, …),
 *   realigned every midnight, so "every 5 hours" is 00, 05, 10, 15, 20 each day; optionally
 *   Monday–Friday only. On a fall-back day the repeated hour fires once, on a spring-forward day
 *   the missing hour fires at the end of the gap (and merges with the next slot if they coincide);
 * - close: on the first `closeBusinessDays` business days of each month, hourly as above every
 *   `closeEveryHours`; on every other day (weekends included) daily at `time`.
 */
import { ValidationError } from '../errors';
import type { LocalDate } from './local-time';
import type { SchedulePreset, Settings } from '../../../shared/types';
import { addDays, businessDayOfMonth, isBusinessDay, localDateOf, parseTime, wallTimeToUtc, zoneOf } from './local-time';
import { scheduleErrors } from './validate-schedule';
import type { IANAZone } from 'luxon';

/** A generous bound on days scanned, so a malformed preset can never loop forever. */
const maxDaysScanned = 3 * 366;

function hourlySlots(zone: IANAZone, d: LocalDate, everyHours: number): number[] {
  const out: number[] = [];
  for (let h = 0; h < 24; h += everyHours) out.push(wallTimeToUtc(zone, d, h, 0));
  return out;
}

function dailySlot(zone: IANAZone, d: LocalDate, time: string): number[] {
  const t = parseTime(time);
  return t ? [wallTimeToUtc(zone, d, t[0], t[1])] : [];
}

/** The instants a preset fires on one local day, ascending and without duplicates. */
export function fireTimesOnDay(preset: SchedulePreset, zone: IANAZone, d: LocalDate): number[] {
  let times: number[];
  switch (preset.kind) {
    case 'manual':
      times = [];
      break;
    case 'daily':
      times = preset.businessDaysOnly && !isBusinessDay(d) ? [] : dailySlot(zone, d, preset.time);
      break;
    case 'hourly':
      times = preset.businessDaysOnly && !isBusinessDay(d) ? [] : hourlySlots(zone, d, preset.everyHours);
      break;
    case 'close': {
      const n = businessDayOfMonth(d);
      times = n >= 1 && n <= preset.closeBusinessDays ? hourlySlots(zone, d, preset.closeEveryHours) : dailySlot(zone, d, preset.time);
      break;
    }
  }
  return [...new Set(times)].sort((a, b) => a - b);
}

/**
 * The next `count` instants (UTC ms, strictly after `fromMs`) the schedule fires. Empty for a
 * manual or paused schedule. Throws ValidationError for an invalid schedule (bad zone or time).
 */
export function nextRuns(schedule: Settings['schedule'], fromMs: number, count: number): number[] {
  if (schedule.paused || schedule.preset.kind === 'manual' || count <= 0) return [];
  const errors = scheduleErrors(schedule);
  if (Object.keys(errors).length) {
    throw new ValidationError({ userMessage: `The schedule is not valid: ${Object.values(errors).join(' ')}`, fields: errors });
  }
  const zone = zoneOf(schedule.timezone)!;
  const out: number[] = [];
  // Start a day early: a slot late on the previous local date can still be after fromMs only if the
  // zone's date lags, which a one-day margin always covers.
  let day = addDays(localDateOf(zone, fromMs), -1);
  for (let i = 0; i < maxDaysScanned && out.length < count; i++, day = addDays(day, 1)) {
    for (const t of fireTimesOnDay(schedule.preset, zone, day)) {
      if (t > fromMs && (out.length === 0 || t > out[out.length - 1]!)) out.push(t);
      if (out.length === count) break;
    }
  }
  return out;
}
