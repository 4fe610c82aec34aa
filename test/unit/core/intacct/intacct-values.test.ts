import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileColumn,
  formatUtc,
  normalizeDecimal,
  parseIntacctDate,
  resolveZone,
  toIntacctDate,
  ZoneConverter,
} from '../../../../main/core/intacct/intacct-values';
import type { ColumnDef } from '../../../../main/core/streams/types';
import { ApiError, ValidationError } from '../../../../main/core/errors';

const col = (type: ColumnDef['type'], extra: Partial<ColumnDef> = {}): ColumnDef => ({ name: 'C', source: 'C', type, nullable: true, ...extra });

describe('dates', () => {
  it('converts MM/DD/YYYY to YYYY-MM-DD and back', () => {
    assert.equal(parseIntacctDate('07/24/2017'), '2017-07-24');
    assert.equal(parseIntacctDate('12/31/2024 23:59:59'), '2024-12-31');
    assert.equal(parseIntacctDate('2024-01-02'), '2024-01-02');
    assert.equal(parseIntacctDate('13/01/2024'), null);
    assert.equal(parseIntacctDate('yesterday'), null);
    assert.equal(toIntacctDate('2024-05-01'), '05/01/2024');
  });
});

describe('ZoneConverter', () => {
  it('reads UTC datetimes as they are', () => {
    const z = new ZoneConverter('UTC');
    assert.equal(z.toUtcText('07/24/2017 15:19:46'), '2017-07-24 15:19:46');
    assert.equal(z.toUtcMs('07/24/2017 15:19:46'), Date.UTC(2017, 6, 24, 15, 19, 46));
    assert.equal(z.toIntacct(Date.UTC(2017, 6, 24, 15, 19, 46, 999)), '07/24/2017 15:19:46');
    assert.equal(z.toUtcText('07/24/2017 3:19 PM'), null);
  });

  it("interprets datetimes in the API user's IANA zone across DST", () => {
    const z = new ZoneConverter('America/New_York');
    // Winter: UTC−5; summer: UTC−4.
    assert.equal(z.toUtcText('01/15/2026 07:00:00'), '2026-01-15 12:00:00');
    assert.equal(z.toUtcText('07/15/2026 08:00:00'), '2026-07-15 12:00:00');
    // The day the clocks go forward (8 March 2026, 02:00 → 03:00).
    assert.equal(z.toUtcText('03/08/2026 01:59:59'), '2026-03-08 06:59:59');
    assert.equal(z.toUtcText('03/08/2026 03:00:00'), '2026-03-08 07:00:00');
    // And back: filter values are formatted in the user's zone.
    assert.equal(z.toIntacct(Date.UTC(2026, 6, 15, 12)), '07/15/2026 08:00:00');
    assert.equal(z.toIntacct(Date.UTC(2026, 0, 15, 12)), '01/15/2026 07:00:00');
  });

  it('round-trips every hour of a year through the filter format', () => {
    const z = new ZoneConverter('Europe/Berlin');
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 3600_000) {
      const back = z.toUtcMs(z.toIntacct(t));
      // In the autumn overlap hour both readings are valid local times; every other hour is exact.
      if (back !== t) assert.equal(Math.abs(back! - t), 3600_000);
    }
  });

  it('accepts fixed offsets and refuses unknown zones', () => {
    assert.equal(new ZoneConverter('+02:00').toUtcText('01/01/2026 02:00:00'), '2026-01-01 00:00:00');
    assert.equal(new ZoneConverter('GMT-08:00').toUtcText('01/01/2026 00:00:00'), '2026-01-01 08:00:00');
    assert.equal(new ZoneConverter('UTC+5:30').toIntacct(Date.UTC(2026, 0, 1)), '01/01/2026 05:30:00');
    assert.throws(() => resolveZone('Mars/Olympus'), ValidationError);
  });
});

describe('normalizeDecimal', () => {
  it('pads, trims and rounds exactly to the scale', () => {
    assert.equal(normalizeDecimal('1234.5', 2), '1234.50');
    assert.equal(normalizeDecimal('-1234', 2), '-1234.00');
    assert.equal(normalizeDecimal('0.1', 2), '0.10');
    assert.equal(normalizeDecimal('-0.00', 2), '0.00');
    assert.equal(normalizeDecimal('00012.345', 2), '12.35');
    assert.equal(normalizeDecimal('-12.345', 2), '-12.35');
    assert.equal(normalizeDecimal('99.995', 2), '100.00');
    assert.equal(normalizeDecimal('-0.004', 2), '0.00');
    assert.equal(normalizeDecimal('12345678901234567.891', 2), '12345678901234567.89');
    assert.equal(normalizeDecimal('.5', 2), '0.50');
    assert.equal(normalizeDecimal('+3', 0), '3');
    assert.equal(normalizeDecimal('1.2300'), '1.23');
  });

  it('refuses what is not a plain decimal', () => {
    for (const bad of ['1,234.50', '1e5', 'abc', '', '.', '--1']) assert.equal(normalizeDecimal(bad, 2), null, bad);
  });
});

describe('compileColumn', () => {
  const z = new ZoneConverter('UTC');
  it('types every kind of cell and turns empty into null', () => {
    assert.equal(compileColumn(col('bigint'), z)('42'), 42);
    assert.equal(compileColumn(col('numeric', { scale: 2 }), z)('1234.5'), '1234.50');
    // Canonical values pass through; non-canonical ones are rebuilt.
    for (const [raw, want] of [
      ['-23568.63', '-23568.63'],
      ['0.00', '0.00'],
      ['-0.00', '0.00'],
      ['007.10', '7.10'],
      ['12.345', '12.35'],
    ]) {
      assert.equal(compileColumn(col('numeric', { scale: 2 }), z)(raw!), want, raw);
    }
    assert.equal(compileColumn(col('numeric', { scale: 0 }), z)('-0'), '0');
    assert.equal(compileColumn(col('numeric', { scale: 0 }), z)('15'), '15');
    assert.equal(compileColumn(col('date'), z)('01/31/2026'), '2026-01-31');
    assert.equal(compileColumn(col('timestamp'), z)('01/31/2026 23:59:01'), '2026-01-31 23:59:01');
    assert.equal(compileColumn(col('bool'), z)('true'), true);
    assert.equal(compileColumn(col('bool'), z)('false'), false);
    assert.equal(compileColumn(col('text'), z)('Smith & <Sons>'), 'Smith & <Sons>');
    for (const t of ['bigint', 'numeric', 'date', 'timestamp', 'bool', 'text'] as const) assert.equal(compileColumn(col(t), z)(null), null);
  });

  it('fails loudly, with the field, on values of the wrong shape', () => {
    assert.throws(() => compileColumn(col('bigint'), z)('12.5'), ApiError);
    assert.throws(() => compileColumn(col('bigint'), z)('99999999999999999999'), ApiError);
    // Decimal digits only: Number() also reads these, and two different keys could then collide.
    for (const odd of ['0x10', '0o20', '0b10', '1e3', '16.0', '-0', ' 16', '+16', '']) assert.throws(() => compileColumn(col('bigint'), z)(odd), ApiError, odd);
    assert.equal(compileColumn(col('bigint'), z)('-16'), -16);
    assert.throws(() => compileColumn(col('bool'), z)('maybe'), ApiError);
    assert.throws(() => compileColumn(col('timestamp', { source: 'WHENMODIFIED' }), z)('2026-01-31T10:00'), /WHENMODIFIED.*MM\/DD\/YYYY/);
    // A field the user added with the wrong type is pointed back to where it was added.
    assert.throws(
      () => compileColumn(col('date', { source: 'GLDIMPROGRAM', extra: true }), z)('Lean 2025'),
      /'Lean 2025' for GLDIMPROGRAM, which is not a date.*Change the type of the extra field GLDIMPROGRAM in Settings › Streams/,
    );
  });

  it('gives the same answers for repeated dates and timestamps (memoized), past the memo size, and never remembers a failure', () => {
    const ny = new ZoneConverter('America/New_York');
    const date = compileColumn(col('date'), ny);
    const ts = compileColumn(col('timestamp'), ny);
    // 6,000 distinct values (more than the memo holds), each asked for twice, interleaved.
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < 6000; i++) {
        const d = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000);
        const mm = String(d.getUTCMonth() + 1).padStart(2, '0'),
          dd = String(d.getUTCDate()).padStart(2, '0'),
          yyyy = String(d.getUTCFullYear());
        assert.equal(date(`${mm}/${dd}/${yyyy}`), `${yyyy}-${mm}-${dd}`);
        assert.equal(ts(`${mm}/${dd}/${yyyy} 12:00:00`), formatUtc(ny.toUtcMs(`${mm}/${dd}/${yyyy} 12:00:00`)!));
      }
    }
    assert.equal(ts('07/01/2026 12:00:00'), '2026-07-01 16:00:00'); // EDT
    assert.equal(ts('01/01/2026 12:00:00'), '2026-01-01 17:00:00'); // EST
    for (let i = 0; i < 2; i++) {
      assert.throws(() => date('13/45/2026'), ApiError);
      assert.throws(() => ts('2026-01-31T10:00'), ApiError);
    }
  });
});
