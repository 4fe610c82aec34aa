import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { streamByName } from '../../../../main/core/streams/definitions';
import { observeTieOutSums, tieOutFigures } from '../../../../main/core/sync/tie-out-sums';

const gl = streamByName('gl_detail');
const row = (account: string | null, date: string, amount: string | null, whenModified = '2025-03-01 00:00:00') => ({
  RECORDNO: '1',
  WHENMODIFIED: whenModified,
  ACCOUNTNO: account,
  BATCH_DATE: date,
  AMOUNT: amount,
});

describe('observeTieOutSums', () => {
  it('sums the amounts of every observed page per account and period, empty amounts as zero', () => {
    const sums = observeTieOutSums(gl)!;
    sums.observe([row('4000', '2025-01-15', '10.50'), row('4000', '2025-01-31', '-0.50')]);
    sums.observe([row('5000', '2025-02-01', '7'), row(null, '2025-02-03', '1.25'), row('5000', '2025-02-09', null)]);
    assert.deepEqual(
      sums.sums,
      new Map([
        ['4000\u00002025-01', 1000n],
        ['5000\u00002025-02', 700n],
        ['\u00002025-02', 125n],
      ]),
    );
  });

  it('leaves out rows changed after `until` (not in Tableau yet), and is absent for a stream without a tie-out', () => {
    const until = Date.parse('2025-03-01T00:00:00Z');
    const sums = observeTieOutSums(gl, { until })!;
    sums.observe([row('4000', '2025-01-15', '1.00', '2025-03-01 00:00:00'), row('4000', '2025-01-15', '2.00', '2025-03-01 00:00:01')]);
    assert.deepEqual(sums.sums, new Map([['4000\u00002025-01', 100n]]));
    assert.equal(observeTieOutSums(streamByName('vendor')), null);
  });

  it('gives the ledger the same figures it sums (and refuses an amount with more decimals than the column)', () => {
    assert.deepEqual(tieOutFigures(gl, gl.tieOut!, row('4000', '2025-01-15', '10.50')), { account: '4000', period: '2025-01', amountUnits: 1050n });
    assert.deepEqual(tieOutFigures(gl, gl.tieOut!, row(null, '', null)), { account: null, period: null, amountUnits: null });
    assert.throws(() => tieOutFigures(gl, gl.tieOut!, row('4000', '2025-01-15', '1.005')), RangeError);
  });
});
