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
    l.stage('r1', 'vendor', [
      { key: '1', hash: 'a', op: 'upsert' },
      { key: '2', hash: 'b', op: 'upsert' },
    ]);
    l.commit('r1', 'vendor');
    l.stage('r2', 'vendor', [{ key: '3', hash: 'c', op: 'upsert' }]);
    l.discard('r2');
    l.commit('r2', 'vendor');
    assert.deepEqual([...l.keys('vendor')].sort(), ['1', '2']);
    l.stage('r3', 'vendor', [
      { key: '1', hash: 'a', op: 'delete' },
      { key: '2', hash: 'b2', op: 'upsert' },
    ]);
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
    l.stage(
      'r1',
      'ap_bill_line',
      ['1', '2', '3', '4'].map((key) => ({ key, hash: 'h', op: 'upsert' as const })),
    );
    l.commit('r1', 'ap_bill_line');
    l.startKeyCheck();
    l.sawKeys(['1', '3']);
    l.sawKeys(['3', '99']);
    assert.deepEqual(l.unseenKeys('ap_bill_line').sort(), ['2', '4']);
    l.startKeyCheck();
    assert.equal(l.unseenKeys('ap_bill_line').length, 4, 'a new check starts empty');
    l.close();
  });

  it('stages and looks up batches larger than one statement, the newest entry of a repeated key winning', () => {
    const l = openLedger(':memory:');
    // 12,345 entries: over the 100 rows a staging statement and the 5,000 keys a lookup statement take.
    const n = 12_345;
    const entries = Array.from({ length: n }, (_, i) => ({
      key: String(n - i),
      hash: `h${n - i}`,
      op: 'upsert' as const,
      account: i % 2 ? '4000' : null,
      period: '2025-01',
      amountUnits: BigInt(i),
    }));
    // Key 7 again, last and in the same chunk as others: its later version is what Tableau holds.
    entries.push({ key: '7', hash: 'h7-newer', op: 'upsert', account: '4000', period: '2025-01', amountUnits: 1n });
    l.stage('big', 'gl_detail', entries);
    l.commit('big', 'gl_detail');
    assert.equal(l.count('gl_detail'), n);
    const asked = [...entries.map((e) => e.key), 'absent-1', '0'];
    const held = l.hashes('gl_detail', asked);
    assert.equal(held.size, n);
    assert.equal(held.get('7'), 'h7-newer');
    assert.equal(held.get('8'), 'h8');
    assert.equal(held.get('absent-1'), undefined);
    const k7 = n - 7; // the index of key 7's first version
    const total = (from: (i: number) => boolean) =>
      Array.from({ length: n }, (_, i) => i)
        .filter((i) => from(i) && i !== k7)
        .reduce((a, i) => a + BigInt(i), 0n);
    assert.deepEqual(
      l.sums('gl_detail'),
      new Map([
        ['4000\u00002025-01', total((i) => i % 2 === 1) + 1n],
        ['\u00002025-01', total((i) => i % 2 === 0)],
      ]),
    );
    l.close();
  });

  it('counts a batch staged in two calls under one RequestID once, as a GROUP BY over what it holds would', () => {
    const l = openLedger(':memory:');
    const entry = (key: string, units: bigint) => ({ key, hash: `h${key}`, op: 'upsert' as const, account: '4000', period: '2025-01', amountUnits: units });
    l.stage('r1', 'gl_detail', [entry('a', 100n), entry('b', 5n)]);
    l.stage('r1', 'gl_detail', [entry('a', 40n), entry('c', 1n)]);
    l.commit('r1', 'gl_detail');
    // Held: a (newest, 40), b 5, c 1.
    assert.deepEqual(l.sums('gl_detail'), new Map([['4000\u00002025-01', 46n]]));
    l.close();
  });

  it('keeps its sums equal to a GROUP BY over what it holds, through updates, moves, deletions, repeats, replaces and discards', () => {
    const l = openLedger(':memory:');
    // What the ledger holds, kept here by hand: key → [account, period, units].
    const held = new Map<string, [string | null, string | null, bigint | null]>();
    const expected = () => {
      const out = new Map<string, bigint>();
      for (const [a, p, u] of held.values()) {
        const k = `${a ?? ''}\u0000${p ?? ''}`;
        out.set(k, (out.get(k) ?? 0n) + (u ?? 0n));
      }
      return out;
    };
    let most = 0;
    let seed = 7;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), (seed >>> 8) % n);
    const accounts = ['4000', '5000', null];
    const periods = ['2025-01', '2025-02', null];
    for (let b = 0; b < 60; b++) {
      const req = `r${b}`;
      const replace = rnd(15) === 0;
      const entries = Array.from({ length: 1 + rnd(20) }, () => {
        const key = String(rnd(40));
        return rnd(4) === 0
          ? { key, hash: `d${b}`, op: 'delete' as const }
          : {
              key,
              hash: `h${b}`,
              op: 'upsert' as const,
              account: accounts[rnd(3)]!,
              period: periods[rnd(3)]!,
              amountUnits: rnd(5) === 0 ? null : BigInt(rnd(2001) - 1000),
            };
      });
      l.stage(req, 'gl_detail', entries);
      if (rnd(6) === 0) {
        l.discard(req);
        continue;
      }
      l.commit(req, 'gl_detail', { replace });
      if (replace) held.clear();
      // Within a batch the upserts apply in order, then the deletions (as `commit` does).
      for (const e of entries) if (e.op === 'upsert') held.set(e.key, [e.account, e.period, e.amountUnits]);
      for (const e of entries) if (e.op === 'delete') held.delete(e.key);
      most = Math.max(most, held.size);
      assert.equal(l.count('gl_detail'), held.size, `batch ${b}: count`);
      assert.deepEqual(l.sums('gl_detail'), expected(), `batch ${b}: sums`);
    }
    assert.ok(most > 15, `at most ${most} keys held at once`);
    l.clear('gl_detail');
    assert.deepEqual(l.sums('gl_detail'), new Map());
    l.close();
  });
});
