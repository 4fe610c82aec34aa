/**
 * Schedules (docs/architecture.md): when runs fire, in words, and the timer that fires them.
 */
export { nextRuns, fireTimesOnDay } from './next-runs';
export { describeSchedule } from './describe-schedule';
export { scheduleErrors } from './validate-schedule';
export { createScheduler, nodeScheduleTimer, type Scheduler, type SchedulerOptions, type TimerLike, type FireTrigger } from './scheduler';
export { wallTimeToUtc, isBusinessDay, businessDayOfMonth, type LocalDate } from './local-time';
