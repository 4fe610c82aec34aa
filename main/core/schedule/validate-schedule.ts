/**
 * Field-level checks of a schedule, for settings validation and as the guard of `nextRuns`.
 */
import type { FieldErrors, Settings } from '../../../shared/types';
import { parseTime, zoneOf } from './local-time';

/** Errors keyed by dotted settings path (e.g. 'schedule.preset.time'); empty when valid. */
export function scheduleErrors(schedule: Settings['schedule']): FieldErrors {
  const errors: FieldErrors = {};
  if (!zoneOf(schedule.timezone)) errors['schedule.timezone'] = `"${schedule.timezone}" is not a time zone. Use a name like America/New_York or Europe/London.`;
  const p = schedule.preset;
  const hours = (v: number, path: string) => {
    if (!Number.isInteger(v) || v < 1 || v > 24) errors[path] = 'Enter a whole number of hours from 1 to 24.';
  };
  switch (p.kind) {
    case 'manual':
      break;
    case 'daily':
      if (!parseTime(p.time)) errors['schedule.preset.time'] = 'Enter a time as HH:MM, 24-hour clock (e.g. 06:00).';
      break;
    case 'hourly':
      hours(p.everyHours, 'schedule.preset.everyHours');
      break;
    case 'close':
      if (!parseTime(p.time)) errors['schedule.preset.time'] = 'Enter a time as HH:MM, 24-hour clock (e.g. 06:00).';
      hours(p.closeEveryHours, 'schedule.preset.closeEveryHours');
      if (!Number.isInteger(p.closeBusinessDays) || p.closeBusinessDays < 1 || p.closeBusinessDays > 20) {
        errors['schedule.preset.closeBusinessDays'] = 'Enter a whole number of business days from 1 to 20.';
      }
      break;
    default:
      errors['schedule.preset'] = 'Unknown schedule type.';
  }
  return errors;
}
