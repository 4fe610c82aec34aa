import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeSchedule } from '../../../../main/core/schedule/index';

describe('describeSchedule', () => {
  it('says each preset in plain words with its zone', () => {
    const ny = 'America/New_York';
    assert.equal(
      describeSchedule({ preset: { kind: 'daily', time: '06:00', businessDaysOnly: true }, timezone: ny, paused: false }),
      'Every business day at 06:00 (America/New_York)',
    );
    assert.equal(
      describeSchedule({ preset: { kind: 'daily', time: '18:30', businessDaysOnly: false }, timezone: ny, paused: false }),
      'Every day at 18:30 (America/New_York)',
    );
    assert.equal(
      describeSchedule({ preset: { kind: 'hourly', everyHours: 4, businessDaysOnly: false }, timezone: 'UTC', paused: false }),
      'Every 4 hours from midnight (UTC)',
    );
    assert.equal(
      describeSchedule({ preset: { kind: 'hourly', everyHours: 1, businessDaysOnly: true }, timezone: 'UTC', paused: false }),
      'Every hour on business days (UTC)',
    );
    assert.equal(
      describeSchedule({ preset: { kind: 'close', time: '07:00', closeBusinessDays: 3, closeEveryHours: 2 }, timezone: 'Europe/London', paused: false }),
      'Every 2 hours on the first 3 business days of each month, otherwise every day at 07:00 (Europe/London)',
    );
    assert.equal(describeSchedule({ preset: { kind: 'manual' }, timezone: ny, paused: false }), 'Manual only: runs when you choose Sync now');
    assert.equal(
      describeSchedule({ preset: { kind: 'daily', time: '06:00', businessDaysOnly: false }, timezone: ny, paused: true }),
      'Paused. When resumed: Every day at 06:00 (America/New_York)',
    );
  });
});
