import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openLedger } from '../../../../main/core/sync/ledger';

describe('openLedger', () => {
  it('holds nothing of a batch until Tableau confirmed it, then all of it', () => {
    const l = openLedger(':memory:');
    l.stage('req-1', 'gl_detail', [
      { key: '1', hash: 'a', op: 'upsert', account: '4000', period: '2025-01', amountUnits: 1050n },
      { key: '2', hash: 'b', op: 'upsert', account: '4000', period: '2025-01', amountUnits: -50n },
    ]);
    assert.equal(l.count('gl_detail'), 0);
    assert.deepEqual(l.hashes('gl_detail', ['1', '2']), new Map());
    l.commit('req-1', 'gl_detail');
    assert.equal(l.count('gl_detail'), 2);
    assert.deepEqual(l.sums('gl_detail'), new Map([['4000\u00002025-01', 1000n]]));
    assert.deepEqual(l.hashes('gl_detail', ['1', '3']), new Map([['1', 'a']]));
    l.close();
  });

  it('a discarded batch leaves no trace; deletions and replacements apply on commit', () => {
    const l = openLedger(':memory:');
    l.stage('r1', 'vendor', [{ key: '1', hash: 'a', op: 'upsert' }, { key: '2', hash: 'b', op: 'upsert' }]);
    l.commit('r1', 'vendor');
    l.stage('r2', 'vendor', [{ key: '3', hash: 'c', op: 'upsert' }]);
    l.discard('r2');
    l.commit('r2', 'vendor');
    assert.deepEqual([...l.keys('vendor')].sort(), ['1', '2']);
    l.stage('r3', 'vendor', [{ key: '1', hash: 'a', op: 'delete' }, { key: '2', hash: 'b2', op: 'upsert' }]);
    l.commit('r3', 'vendor');
    assert.deepEqual(l.hashes('vendor', ['1', '2']), new Map([['2', 'b2']]));
    l.stage('r4', 'vendor', [{ key: '9', hash: 'z', op: 'upsert' }]);
    l.commit('r4', 'vendor', { replace: true });
    assert.deepEqual([...l.keys('vendor')], ['9']);
    assert.equal(l.count('gl_detail'), 0, 'streams are separate');
    l.close();
  });

  it('lists the held keys a key check did not see', () => {
    const l = openLedger(':memory:');
    l.stage('r1', 'ap_bill_line', ['1', '2', '3', '4'].map((key) => ({ key, hash: 'h', op: 'upsert' as const })));
    l.commit('r1', 'ap_bill_line');
    l.startKeyCheck();
    l.sawKeys(['1', '3']);
    l.sawKeys(['3', '99']);
    assert.deepEqual(l.unseenKeys('ap_bill_line').sort(), ['2', '4']);
    l.startKeyCheck();
    assert.equal(l.unseenKeys('ap_bill_line').length, 4, 'a new check starts empty');
    l.close();
  });
});
