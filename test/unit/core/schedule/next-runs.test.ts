import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { ValidationError } from '../../../../main/core/errors';
import { nextRuns, scheduleErrors } from '../../../../main/core/schedule/index';
import type { SchedulePreset, Settings } from '../../../../shared/types';

const ny = 'America/New_York';
const sched = (preset: SchedulePreset, timezone = ny, paused = false): Settings['schedule'] => ({ preset, timezone, paused });
/** Local ISO with offset: shows both the wall time and which side of a DST change it is on. */
const local = (zone: string) => (t: number) => DateTime.fromMillis(t, { zone }).toISO({ suppressMilliseconds: true });
const at = (iso: string, zone = ny) => DateTime.fromISO(iso, { zone }).toMillis();

describe('nextRuns', () => {
  it('lists the next five daily runs, strictly after the start instant', () => {
    const runs = nextRuns(sched({ kind: 'daily', time: '06:00', businessDaysOnly: false }), at('2026-01-28T06:00'), 5);
    assert.deepEqual(runs.map(local(ny)), [
      '2026-01-29T06:00:00-05:00',
      '2026-01-30T06:00:00-05:00',
      '2026-01-31T06:00:00-05:00',
      '2026-02-01T06:00:00-05:00',
      '2026-02-02T06:00:00-05:00',
    ]);
  });

  it('skips weekends for business days only, across a month end', () => {
    const runs = nextRuns(sched({ kind: 'daily', time: '18:30', businessDaysOnly: true }), at('2026-01-29T19:00'), 4);
    assert.deepEqual(runs.map(local(ny)), ['2026-01-30T18:30:00-05:00', '2026-02-02T18:30:00-05:00', '2026-02-03T18:30:00-05:00', '2026-02-04T18:30:00-05:00']);
  });

  it('a daily time that does not exist on the spring-forward day fires once, an hour later on the clock', () => {
    const runs = nextRuns(sched({ kind: 'daily', time: '02:30', businessDaysOnly: false }), at('2026-03-06T12:00'), 4);
    assert.deepEqual(runs.map(local(ny)), ['2026-03-07T02:30:00-05:00', '2026-03-08T03:30:00-04:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00']);
  });

  it('a daily time that happens twice on the fall-back day fires once, at its first occurrence', () => {
    const runs = nextRuns(sched({ kind: 'daily', time: '01:30', businessDaysOnly: false }), at('2026-10-31T12:00'), 3);
    assert.deepEqual(runs.map(local(ny)), ['2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00', '2026-11-03T01:30:00-05:00']);
    assert.equal(runs[1]! - runs[0]!, 25 * 3_600_000);
  });

  it('hourly runs are aligned to local midnight and realigned each day', () => {
    const runs = nextRuns(sched({ kind: 'hourly', everyHours: 5, businessDaysOnly: false }), at('2026-01-15T16:00'), 4);
    assert.deepEqual(runs.map(local(ny)), ['2026-01-15T20:00:00-05:00', '2026-01-16T00:00:00-05:00', '2026-01-16T05:00:00-05:00', '2026-01-16T10:00:00-05:00']);
  });

  it('every hour: 23 runs on the spring-forward day and 24 (not 25) on the fall-back day', () => {
    const hourly = sched({ kind: 'hourly', everyHours: 1, businessDaysOnly: false });
    const count = (day: string) => {
      const from = at(`${day}T00:00`) - 1;
      const end = DateTime.fromISO(day, { zone: ny }).plus({ days: 1 }).toMillis();
      return nextRuns(hourly, from, 30).filter((t) => t < end);
    };
    const spring = count('2026-03-08');
    assert.equal(spring.length, 23);
    assert.deepEqual(spring.slice(0, 4).map(local(ny)), [
      '2026-03-08T00:00:00-05:00',
      '2026-03-08T01:00:00-05:00',
      '2026-03-08T03:00:00-04:00',
      '2026-03-08T04:00:00-04:00',
    ]);
    const fall = count('2026-11-01');
    assert.equal(fall.length, 24);
    assert.deepEqual(fall.slice(0, 3).map(local(ny)), ['2026-11-01T00:00:00-04:00', '2026-11-01T01:00:00-04:00', '2026-11-01T02:00:00-05:00']);
    assert.equal(new Set(fall).size, fall.length);
  });

  it('hourly on business days only skips the weekend', () => {
    const runs = nextRuns(sched({ kind: 'hourly', everyHours: 12, businessDaysOnly: true }, 'Europe/London'), Date.UTC(2026, 0, 30, 13), 3);
    // Friday 13:00 → nothing until Monday 00:00 (London is UTC+0 in winter).
    assert.deepEqual(
      runs.map((t) => new Date(t).toISOString()),
      ['2026-02-02T00:00:00.000Z', '2026-02-02T12:00:00.000Z', '2026-02-03T00:00:00.000Z'],
    );
  });

  it('close calendar: every N hours on the first business days of the month, daily otherwise', () => {
    const zone = 'Europe/London'; // UTC+0 in winter, so the instants read easily
    const preset: SchedulePreset = { kind: 'close', time: '07:00', closeBusinessDays: 3, closeEveryHours: 8 };
    const runs = nextRuns(sched(preset, zone), Date.UTC(2026, 0, 29, 12), 14).map((t) => new Date(t).toISOString().slice(0, 16));
    assert.deepEqual(runs, [
      '2026-01-30T07:00', // Fri: an ordinary day
      '2026-01-31T07:00', // Sat: daily includes weekends
      '2026-02-01T07:00', // Sun: not a business day, so not a close day
      '2026-02-02T00:00',
      '2026-02-02T08:00',
      '2026-02-02T16:00', // Mon: business day 1
      '2026-02-03T00:00',
      '2026-02-03T08:00',
      '2026-02-03T16:00', // Tue: 2
      '2026-02-04T00:00',
      '2026-02-04T08:00',
      '2026-02-04T16:00', // Wed: 3
      '2026-02-05T07:00', // Thu: 4, back to daily
      '2026-02-06T07:00',
    ]);
  });

  it('close calendar across a DST change keeps wall-clock times', () => {
    // 2026-03-29 is the spring-forward Sunday in London; April 1 (Wed) is business day 1.
    const zone = 'Europe/London';
    const preset: SchedulePreset = { kind: 'close', time: '06:00', closeBusinessDays: 1, closeEveryHours: 12 };
    const runs = nextRuns(sched(preset, zone), Date.UTC(2026, 2, 28, 12), 6);
    assert.deepEqual(runs.map(local(zone)), [
      '2026-03-29T06:00:00+01:00',
      '2026-03-30T06:00:00+01:00',
      '2026-03-31T06:00:00+01:00',
      '2026-04-01T00:00:00+01:00',
      '2026-04-01T12:00:00+01:00',
      '2026-04-02T06:00:00+01:00',
    ]);
  });

  it('returns nothing for a manual or paused schedule', () => {
    assert.deepEqual(nextRuns(sched({ kind: 'manual' }), 0, 5), []);
    assert.deepEqual(nextRuns(sched({ kind: 'daily', time: '06:00', businessDaysOnly: false }, ny, true), 0, 5), []);
  });

  it('refuses an invalid zone or time with field errors', () => {
    assert.throws(() => nextRuns(sched({ kind: 'daily', time: '6am', businessDaysOnly: false }), 0, 1), ValidationError);
    assert.throws(() => nextRuns(sched({ kind: 'daily', time: '06:00', businessDaysOnly: false }, 'Mars/Olympus'), 0, 1), ValidationError);
    assert.deepEqual(Object.keys(scheduleErrors(sched({ kind: 'close', time: '25:00', closeBusinessDays: 0, closeEveryHours: 1.5 }, 'Nowhere'))).sort(), [
      'schedule.preset.closeBusinessDays',
      'schedule.preset.closeEveryHours',
      'schedule.preset.time',
      'schedule.timezone',
    ]);
    assert.deepEqual(scheduleErrors(sched({ kind: 'hourly', everyHours: 24, businessDaysOnly: true })), {});
  });
});
