import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCsvEncoder, toCsvRow } from '../../../../main/core/hyper/csv-encoder';
import type { ColumnDef } from '../../../../main/core/streams/types';

const c = (name: string, type: ColumnDef['type'], nullable = true, extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  source: name,
  type,
  nullable,
  ...extra,
});

describe('toCsvRow', () => {
  it('writes NULL as an unquoted empty field and the empty string as ""', () => {
    const cols = [c('a', 'text'), c('b', 'text'), c('n', 'numeric', true, { precision: 18, scale: 2 })];
    assert.equal(toCsvRow(cols, { a: null, b: '', n: null }), ',"",\n');
    assert.equal(toCsvRow(cols, { b: 'x' }), ',x,\n', 'a missing key is NULL');
  });

  it('quotes commas, quotes, CR and LF, and keeps other text as is', () => {
    const cols = [c('t', 'text')];
    assert.equal(toCsvRow(cols, { t: 'a,b' }), '"a,b"\n');
    assert.equal(toCsvRow(cols, { t: 'say "hi"' }), '"say ""hi"""\n');
    assert.equal(toCsvRow(cols, { t: 'l1\r\nl2' }), '"l1\r\nl2"\n');
    assert.equal(toCsvRow(cols, { t: '  é 中文 😀 ' }), '  é 中文 😀 \n');
  });

  it('writes numbers, decimals, dates, timestamps and booleans exactly', () => {
    const cols = [c('i', 'bigint'), c('m', 'numeric', true, { precision: 18, scale: 2 }), c('d', 'date'), c('t', 'timestamp'), c('b', 'bool'), c('f', 'bool')];
    assert.equal(
      toCsvRow(cols, { i: -9007199254740991, m: '-99999999999999.99', d: '2024-02-29', t: '2024-02-29 23:59:59', b: true, f: false }),
      '-9007199254740991,-99999999999999.99,2024-02-29,2024-02-29 23:59:59,true,false\n',
    );
    assert.equal(toCsvRow(cols, { i: 0, m: 7, d: null, t: null, b: null, f: null }), '0,7,,,,\n');
  });

  it('refuses values that break the Row conventions instead of writing something else', () => {
    const money = [c('AMOUNT', 'numeric', true, { precision: 18, scale: 2 })];
    assert.throws(() => toCsvRow(money, { AMOUNT: 1.1 }), /AMOUNT.*never a float/);
    assert.throws(() => toCsvRow(money, { AMOUNT: '1.005' }), /at most 16 integer digits and 2 decimals/);
    assert.equal(toCsvRow(money, { AMOUNT: '1.500' }), '1.500\n', 'trailing zeros beyond the scale lose nothing');
    assert.throws(() => toCsvRow(money, { AMOUNT: '12345678901234567.00' }), /at most 16 integer digits/);
    assert.throws(() => toCsvRow(money, { AMOUNT: '1e5' }), /decimal string/);
    assert.throws(() => toCsvRow([c('i', 'bigint')], { i: 1.5 }), /safe integer/);
    assert.throws(() => toCsvRow([c('d', 'date')], { d: '2024/01/01' }), /YYYY-MM-DD/);
    assert.throws(() => toCsvRow([c('b', 'bool')], { b: 'true' }), /boolean/);
    assert.throws(() => toCsvRow([c('t', 'text')], { t: 5 }), /string/);
    assert.throws(() => toCsvRow([c('k', 'bigint', false)], { k: null }), /"k" is NOT NULL/);
  });

  it('accepts exactly the date and timestamp shapes of the Row conventions', () => {
    const d = [c('d', 'date')];
    const t = [c('t', 'timestamp')];
    for (const ok of ['2024-01-31 00:00:00', '2024-01-31T23:59:59', '2024-01-31 23:59:59.5', '2024-01-31 23:59:59.123456']) {
      assert.equal(toCsvRow(t, { t: ok }), `${ok}\n`);
    }
    for (const bad of [
      '2024-01-31',
      '2024-01-31 1:00:00',
      '2024-01-31x23:59:59',
      '2024-01-31 23:59:5a',
      '2024-01-31 23:59:59.',
      '2024-01-31 23:59:59.1234567',
      '٢٠٢٤-01-31 23:59:59',
      '2024-01-31 23:59:59\n',
    ]) {
      assert.throws(() => toCsvRow(t, { t: bad }), /timestamp/, bad);
    }
    assert.equal(toCsvRow(d, { d: '0001-01-01' }), '0001-01-01\n');
    for (const bad of ['2024-1-31', '2024-01-3a', '2024_01-31', '2024-01-31 ', '2024-01-31\n', '20240-01-31']) {
      assert.throws(() => toCsvRow(d, { d: bad }), /YYYY-MM-DD/, bad);
    }
  });

  it('reads columns whose names hold quotes, backslashes and line breaks', () => {
    const odd = [c('a"b', 'text'), c("it's\\", 'bigint'), c('x\n}) + evil(', 'text')];
    assert.equal(toCsvRow(odd, { 'a"b': 'v', "it's\\": 3, 'x\n}) + evil(': 'w' }), 'v,3,w\n');
  });

  it('compiles one encoder that can be reused for many rows', () => {
    const encode = createCsvEncoder([c('id', 'bigint', false), c('name', 'text')]);
    assert.equal(encode({ id: 1, name: 'a' }) + encode({ id: 2, name: null }), '1,a\n2,\n');
  });
});
