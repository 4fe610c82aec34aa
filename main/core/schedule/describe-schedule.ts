/**
 * A schedule in words a finance user reads at a glance.
 */
import type { SchedulePreset, Settings } from '../../../shared/types';

const everyHours = (n: number) => (n === 1 ? 'Every hour' : `Every ${n} hours`);

function describePreset(p: SchedulePreset): string {
  switch (p.kind) {
    case 'manual':
      return 'Manual only: runs when you choose Sync now';
    case 'daily':
      return `${p.businessDaysOnly ? 'Every business day' : 'Every day'} at ${p.time}`;
    case 'hourly':
      return `${everyHours(p.everyHours)}${p.everyHours === 1 ? '' : ' from midnight'}${p.businessDaysOnly ? ' on business days' : ''}`;
    case 'close': {
      const days = p.closeBusinessDays === 1 ? 'the first business day' : `the first ${p.closeBusinessDays} business days`;
      return `${everyHours(p.closeEveryHours)} on ${days} of each month, otherwise every day at ${p.time}`;
    }
  }
}

/**
 * E.g. "Every business day at 06:00 (America/New_York)"; a paused schedule says so first.
 * Business days are Monday to Friday (public holidays are not known to the app).
 */
export function describeSchedule(schedule: Settings['schedule']): string {
  const text = describePreset(schedule.preset);
  const withZone = schedule.preset.kind === 'manual' ? text : `${text} (${schedule.timezone})`;
  return schedule.paused && schedule.preset.kind !== 'manual' ? `Paused. When resumed: ${withZone}` : withZone;
}
