import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTieOut, compareSums, describeTieOut } from '../../../../main/core/sync/tie-out';

describe('tie-out', () => {
  it('names the accounts and periods whose sums differ', () => {
    const intacct = new Map([['4000\u00002025-01', 1000n], ['5000\u00002025-02', 250n], ['6000\u00002025-03', 5n]]);
    const tableau = new Map([['4000\u00002025-01', 1000n], ['5000\u00002025-02', 251n], ['7000\u00002025-03', 9n]]);
    const diffs = compareSums('gl_detail', intacct, tableau);
    assert.deepEqual(diffs, [
      { stream: 'gl_detail', account: '5000', period: '2025-02', intacct: '2.50', tableau: '2.51' },
      { stream: 'gl_detail', account: '6000', period: '2025-03', intacct: '0.05', tableau: '0.00' },
      { stream: 'gl_detail', account: '7000', period: '2025-03', intacct: '0.00', tableau: '0.09' },
    ]);
    const t = buildTieOut([
      { stream: 'vendor', intacct: 10, tableau: 10, differences: [] },
      { stream: 'gl_detail', intacct: 5, tableau: 4, differences: diffs },
    ]);
    assert.equal(t.ok, false);
    assert.deepEqual(t.counts.map((c) => c.match), [true, false]);
    assert.equal(t.differences.length, 4);
    assert.match(describeTieOut(t), /gl_detail account 5000 2025-02: Intacct 2.50, Tableau 2.51/);
    assert.equal(buildTieOut([{ stream: 'vendor', intacct: 3, tableau: 3, differences: [] }]).ok, true);
  });
});
