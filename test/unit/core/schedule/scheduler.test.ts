import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { ManualClock, systemClock } from '../../../../main/core/clock';
import { createScheduler, nodeScheduleTimer, type FireTrigger } from '../../../../main/core/schedule/index';
import type { SchedulePreset, Settings } from '../../../../shared/types';
import { FakeTimer } from './fake-timer';

const ny = 'America/New_York';
const sched = (preset: SchedulePreset, timezone = ny, paused = false): Settings['schedule'] => ({ preset, timezone, paused });
const at = (iso: string, zone = ny) => DateTime.fromISO(iso, { zone }).toMillis();
const local = (t: number, zone = ny) => DateTime.fromMillis(t, { zone }).toISO({ suppressMilliseconds: true });

function harness(schedule: Settings['schedule'], startIso: string, lastRunAt: number | null = null, zone = ny) {
  const clock = new ManualClock(at(startIso, zone));
  const timer = new FakeTimer(clock);
  const fires: { at: string; trigger: FireTrigger }[] = [];
  const scheduler = createScheduler({
    clock,
    schedule,
    timer,
    lastRunAt: () => lastRunAt,
    onFire: (trigger) => fires.push({ at: local(clock.now(), zone)!, trigger }),
  });
  return { clock, timer, fires, scheduler, runUntil: (iso: string) => timer.runUntil(at(iso, zone)) };
}

describe('createScheduler', () => {
  it('fires business-day runs on time across a month end', () => {
    const h = harness(sched({ kind: 'daily', time: '06:00', businessDaysOnly: true }), '2026-01-29T12:00');
    h.scheduler.start();
    h.runUntil('2026-02-03T12:00');
    assert.deepEqual(h.fires, [
      { at: '2026-01-30T06:00:00-05:00', trigger: 'schedule' },
      { at: '2026-02-02T06:00:00-05:00', trigger: 'schedule' },
      { at: '2026-02-03T06:00:00-05:00', trigger: 'schedule' },
    ]);
    h.scheduler.stop();
  });

  it('fires once a day through the spring-forward change (02:30 → 03:30 EDT)', () => {
    const h = harness(sched({ kind: 'daily', time: '02:30', businessDaysOnly: false }), '2026-03-06T12:00');
    h.scheduler.start();
    h.runUntil('2026-03-10T12:00');
    assert.deepEqual(
      h.fires.map((f) => f.at),
      ['2026-03-07T02:30:00-05:00', '2026-03-08T03:30:00-04:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00'],
    );
    assert.ok(h.fires.every((f) => f.trigger === 'schedule'));
    h.scheduler.stop();
  });

  it('fires once, not twice, at a time repeated by the fall-back change', () => {
    const h = harness(sched({ kind: 'daily', time: '01:30', businessDaysOnly: false }), '2026-10-30T12:00');
    h.scheduler.start();
    h.runUntil('2026-11-02T12:00');
    assert.deepEqual(
      h.fires.map((f) => f.at),
      ['2026-10-31T01:30:00-04:00', '2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00'],
    );
    h.scheduler.stop();
  });

  it('hourly runs: 23 fires on the spring-forward day, 25 hours on the fall-back day give 24 fires', () => {
    for (const [day, expected] of [
      ['2026-03-08', 23],
      ['2026-11-01', 24],
    ] as const) {
      const h = harness(sched({ kind: 'hourly', everyHours: 1, businessDaysOnly: false }), `${day}T00:00`);
      h.clock.set(h.clock.now() - 1);
      h.scheduler.start();
      h.timer.runUntil(DateTime.fromISO(day, { zone: ny }).plus({ days: 1 }).toMillis() - 1);
      assert.equal(h.fires.length, expected, day);
      assert.equal(new Set(h.fires.map((f) => f.at)).size, expected);
      assert.ok(h.fires.every((f) => f.trigger === 'schedule'));
      h.scheduler.stop();
    }
  });

  it('runs the close calendar across the month end in its zone', () => {
    const zone = 'Europe/London';
    const h = harness(sched({ kind: 'close', time: '07:00', closeBusinessDays: 2, closeEveryHours: 12 }, zone), '2026-01-30T12:00', null, zone);
    h.scheduler.start();
    h.runUntil('2026-02-05T00:00');
    assert.deepEqual(
      h.fires.map((f) => f.at),
      [
        '2026-01-31T07:00:00Z',
        '2026-02-01T07:00:00Z',
        '2026-02-02T00:00:00Z',
        '2026-02-02T12:00:00Z',
        '2026-02-03T00:00:00Z',
        '2026-02-03T12:00:00Z',
        '2026-02-04T07:00:00Z',
      ].map((s) => local(Date.parse(s), zone)),
    );
    h.scheduler.stop();
  });

  it('catches up once on wake after sleeping through several due times', () => {
    const h = harness(sched({ kind: 'hourly', everyHours: 1, businessDaysOnly: false }), '2026-01-15T09:30');
    h.scheduler.start();
    h.runUntil('2026-01-15T10:05');
    assert.deepEqual(h.fires, [{ at: '2026-01-15T10:00:00-05:00', trigger: 'schedule' }]);
    h.timer.sleepUntil(at('2026-01-15T15:20')); // five due times slept through
    h.timer.wakeHeartbeat();
    h.timer.fireOverdueOneShots(); // the stale 11:00 timer was cancelled when the heartbeat claimed it
    assert.deepEqual(h.fires.slice(1), [{ at: '2026-01-15T15:20:00-05:00', trigger: 'catch-up' }]);
    assert.equal(h.scheduler.nextRunAt(), at('2026-01-15T16:00'));
    h.runUntil('2026-01-15T17:30');
    assert.deepEqual(h.fires.slice(2), [
      { at: '2026-01-15T16:00:00-05:00', trigger: 'schedule' },
      { at: '2026-01-15T17:00:00-05:00', trigger: 'schedule' },
    ]);
    h.scheduler.stop();
  });

  it('a timer that fires late (before any heartbeat) also catches up once', () => {
    const h = harness(sched({ kind: 'daily', time: '06:00', businessDaysOnly: false }), '2026-01-15T05:00');
    h.scheduler.start();
    h.timer.sleepUntil(at('2026-01-17T09:00'));
    h.timer.fireOverdueOneShots();
    h.timer.wakeHeartbeat();
    assert.deepEqual(h.fires, [{ at: '2026-01-17T09:00:00-05:00', trigger: 'catch-up' }]);
    assert.equal(h.scheduler.nextRunAt(), at('2026-01-18T06:00'));
    h.scheduler.stop();
  });

  it('a run missed while the app was closed is caught up once at start', () => {
    const daily = sched({ kind: 'daily', time: '06:00', businessDaysOnly: false });
    const missed = harness(daily, '2026-01-15T09:00', at('2026-01-13T06:00'));
    missed.scheduler.start();
    missed.runUntil('2026-01-15T09:10');
    assert.deepEqual(missed.fires, [{ at: '2026-01-15T09:00:00-05:00', trigger: 'catch-up' }]);
    missed.scheduler.stop();

    const upToDate = harness(daily, '2026-01-15T09:00', at('2026-01-15T06:00'));
    upToDate.scheduler.start();
    upToDate.runUntil('2026-01-15T09:10');
    assert.deepEqual(upToDate.fires, []);
    upToDate.scheduler.stop();

    const neverRan = harness(daily, '2026-01-15T09:00', null);
    neverRan.scheduler.start();
    assert.deepEqual(neverRan.fires, []);
    neverRan.scheduler.stop();
  });

  it('update reschedules from now; stop leaves no timer behind', () => {
    const h = harness(sched({ kind: 'daily', time: '06:00', businessDaysOnly: false }), '2026-01-15T07:00');
    h.scheduler.start();
    assert.equal(h.scheduler.nextRunAt(), at('2026-01-16T06:00'));
    h.scheduler.update(sched({ kind: 'hourly', everyHours: 4, businessDaysOnly: false }));
    assert.equal(h.scheduler.nextRunAt(), at('2026-01-15T08:00'));
    assert.deepEqual(h.timer.armedAt, [at('2026-01-15T08:00')]);
    h.runUntil('2026-01-15T13:00');
    assert.deepEqual(
      h.fires.map((f) => f.at),
      ['2026-01-15T08:00:00-05:00', '2026-01-15T12:00:00-05:00'],
    );

    h.scheduler.update(sched({ kind: 'hourly', everyHours: 4, businessDaysOnly: false }, ny, true));
    assert.equal(h.scheduler.nextRunAt(), null);
    assert.equal(h.timer.active, 0, 'a paused schedule keeps no timer or heartbeat');
    h.scheduler.update(sched({ kind: 'daily', time: '18:00', businessDaysOnly: false }));
    assert.ok(h.timer.active > 0);

    assert.throws(() => h.scheduler.update(sched({ kind: 'daily', time: '6 pm', businessDaysOnly: false })), /not valid/);
    assert.equal(h.scheduler.nextRunAt(), at('2026-01-15T18:00'), 'an invalid schedule is refused and the old one kept');

    h.scheduler.stop();
    assert.equal(h.timer.active, 0);
    h.runUntil('2026-01-20T00:00');
    assert.equal(h.fires.length, 2);
    assert.equal(h.scheduler.nextRunAt(), at('2026-01-20T18:00'), 'a stopped scheduler still says when the schedule would fire');
  });

  it('follows the wall clock when it is set back', () => {
    const h = harness(sched({ kind: 'daily', time: '06:00', businessDaysOnly: false }), '2026-01-16T07:00');
    h.scheduler.start();
    assert.equal(h.scheduler.nextRunAt(), at('2026-01-17T06:00'));
    h.clock.set(at('2026-01-15T05:00')); // the user corrects a clock that ran a day fast
    h.timer.wakeHeartbeat();
    assert.equal(h.scheduler.nextRunAt(), at('2026-01-15T06:00'));
    h.runUntil('2026-01-15T06:30');
    assert.deepEqual(h.fires, [{ at: '2026-01-15T06:00:00-05:00', trigger: 'schedule' }]);
    h.scheduler.stop();
  });

  it('a manual schedule never fires', () => {
    const h = harness(sched({ kind: 'manual' }), '2026-01-15T07:00', at('2026-01-01T00:00'));
    h.scheduler.start();
    h.runUntil('2026-02-15T00:00');
    assert.deepEqual(h.fires, []);
    assert.equal(h.scheduler.nextRunAt(), null);
    assert.equal(h.timer.active, 0);
    h.scheduler.stop();
  });

  it('keeps going when the fire callback throws', () => {
    const clock = new ManualClock(at('2026-01-15T05:00'));
    const timer = new FakeTimer(clock);
    const errors: unknown[] = [];
    let calls = 0;
    const s = createScheduler({
      clock,
      timer,
      schedule: sched({ kind: 'daily', time: '06:00', businessDaysOnly: false }),
      lastRunAt: () => null,
      onError: (e) => errors.push(e),
      onFire: () => {
        calls++;
        throw new Error('busy');
      },
    });
    s.start();
    timer.runUntil(at('2026-01-17T07:00'));
    assert.equal(calls, 3);
    assert.equal(errors.length, 3);
    s.stop();
  });
});

describe('nodeScheduleTimer', () => {
  it('fires at a wall time, fires a past time at once, repeats, and cancels', async () => {
    const timer = nodeScheduleTimer();
    const seen: string[] = [];
    const cancels = [
      timer.at(systemClock.now() + 40, () => seen.push('at')),
      timer.at(systemClock.now() - 1_000, () => seen.push('past')),
      timer.at(systemClock.now() + 40, () => seen.push('cancelled')),
      timer.every(20, () => seen.push('tick')),
    ];
    cancels[2]!();
    // Poll rather than sleep a fixed time: a loaded CI machine may run timers late.
    for (let i = 0; i < 200 && !(seen.includes('at') && seen.filter((s) => s === 'tick').length >= 2); i++) await systemClock.sleep(10);
    for (const c of cancels) c();
    const ticks = seen.filter((s) => s === 'tick').length;
    await systemClock.sleep(60);
    assert.ok(seen.includes('at'), 'the timed callback ran');
    assert.ok(seen.includes('past'), 'a past time ran at once');
    assert.ok(!seen.includes('cancelled'));
    assert.ok(ticks >= 2, `ticks: ${ticks}`);
    assert.equal(seen.filter((s) => s === 'tick').length, ticks, 'no tick after cancel');
  });
});

describe('createScheduler with an invalid schedule', () => {
  it('refuses to start and arms nothing', () => {
    const clock = new ManualClock(at('2026-01-15T05:00'));
    const timer = new FakeTimer(clock);
    const s = createScheduler({
      clock,
      timer,
      schedule: sched({ kind: 'daily', time: '06:00', businessDaysOnly: false }, 'Not/AZone'),
      lastRunAt: () => null,
      onFire: () => assert.fail('fired'),
    });
    assert.throws(() => s.start(), /not valid/);
    assert.equal(timer.active, 0);
    s.update(sched({ kind: 'daily', time: '06:00', businessDaysOnly: false }));
    assert.equal(timer.active, 0, 'update on a stopped scheduler arms nothing');
    s.stop();
  });
});
