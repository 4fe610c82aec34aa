import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatAxisTime,
  formatClock,
  formatCount,
  formatDateTime,
  formatDuration,
  formatLogTime,
  formatRate,
  formatScheduleTime,
  formatTimeLeft,
  formatWhen,
} from '../../../shared/format';

// The test runner runs in UTC with Node's default locale (en-US); the zones below are explicit.
const at = Date.UTC(2026, 11, 3, 16, 52, 58, 94);

describe('the one formatter (shared/format.ts)', () => {
  it('puts the time zone on every absolute time a person reads', () => {
    for (const text of [
      formatDateTime(at),
      formatDateTime(at, 'America/New_York'),
      formatClock(at),
      formatWhen(at, at),
      formatWhen(at, at + 3 * 86_400_000),
      formatScheduleTime(at, 'Europe/Paris'),
    ]) {
      assert.match(text, /(UTC|GMT|EST|[A-Z]{2,4}[+-]?\d*)$/, `${text} ends with its zone`);
    }
    assert.equal(formatDateTime(at, 'America/New_York'), 'Dec 3, 2026, 11:52 AM EST');
    assert.equal(formatDateTime(at, 'Not/AZone').endsWith('UTC'), true, 'an unknown zone falls back to the local one, still labelled');
    assert.equal(formatDateTime(null), '—');
  });

  it('says when a sync happened as a short time today and with the date another day', () => {
    assert.equal(formatWhen(at, at + 60_000), '16:52 UTC');
    assert.equal(formatWhen(at, at + 3 * 86_400_000), 'Dec 3, 16:52 UTC');
  });

  it('gives machine lines ISO 8601 in UTC', () => {
    assert.equal(formatLogTime(at), '2026-12-03T16:52:58.094Z');
  });

  it('says durations as a person reads them, and estimates in whole seconds', () => {
    assert.deepEqual([850, 12_400, 185_000, 4_000_000].map(formatDuration), ['850 ms', '12.4 s', '3 min 05 s', '1 h 06 min']);
    assert.deepEqual(
      [0.4, 45, 75, 3599, 4000].map((s) => formatTimeLeft(s * 1000)),
      ['0 s', '45 s', '1 min 15 s', '59 min 59 s', '1 h 06 min'],
    );
    assert.equal(formatDuration(null), '—');
  });

  it('groups counts and rates, and labels a chart axis by the span it covers', () => {
    assert.equal(formatCount(1_234_567), '1,234,567');
    assert.equal(formatRate(1234.6), '1,235 rows/s');
    assert.match(formatAxisTime(at, 60_000), /^\d\d:\d\d:\d\d$/);
    assert.match(formatAxisTime(at, 86_400_000), /^[A-Z][a-z]{2} \d+, \d\d:\d\d$/);
  });
});
