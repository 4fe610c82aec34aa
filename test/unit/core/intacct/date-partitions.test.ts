/**
 * Date partitions of a full GL-detail read: GLDETAIL's RECORDNO is text, so a parallel full load
 * splits by BATCH_DATE instead; every date must fall in exactly one partition, dates after today
 * included (reversing entries are often dated next month).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { datePartitions } from '../../../../main/core/intacct/intacct-reader';
import type { ReadSpec } from '../../../../main/core/intacct';

const base: ReadSpec = { object: 'GLDETAIL', columns: [], dateRange: { column: 'BATCH_DATE', from: '2025-01-01' } };
const inPartition = (p: ReadSpec, day: string) => {
  const r = p.dateRange!;
  return !r.isNull && (!r.from || day >= r.from) && (!r.before || day < r.before) && (!r.to || day <= r.to);
};

describe('datePartitions', () => {
  it('cuts [start, today] into contiguous ranges, the last one open-ended', () => {
    const parts = datePartitions(base, 'BATCH_DATE', Date.UTC(2025, 11, 31, 15), 4);
    assert.equal(parts.length, 4);
    assert.equal(parts[0]!.dateRange!.from, '2025-01-01');
    for (let i = 1; i < parts.length; i++)
      assert.equal(parts[i]!.dateRange!.from, parts[i - 1]!.dateRange!.before, `partition ${i} starts where ${i - 1} ends`);
    assert.equal(parts.at(-1)!.dateRange!.before, undefined, 'open-ended');
    assert.equal(parts.at(-1)!.openEndSplitAt, '2026-01-01', 'can be split at the day after the run');
  });

  it('puts every day, before and after today, in exactly one partition', () => {
    const parts = datePartitions(base, 'BATCH_DATE', Date.UTC(2025, 6, 1), 5);
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2027, 0, 1); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      assert.equal(parts.filter((p) => inPartition(p, day)).length, 1, day);
    }
  });

  it('keeps an inclusive end date and never makes more partitions than days', () => {
    const parts = datePartitions({ ...base, dateRange: { column: 'BATCH_DATE', from: '2025-03-01', to: '2025-03-31' } }, 'BATCH_DATE', Date.UTC(2025, 2, 2), 8);
    assert.equal(parts.length, 2);
    assert.equal(parts.at(-1)!.dateRange!.to, '2025-03-31');
  });
});
