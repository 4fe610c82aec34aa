import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hyperTypeParsers, parseBigint, parseTimestamp, PgOid } from '../../../../main/core/hyper/hyper-types';
import { parseCallbackDescriptor, hyperdArgs } from '../../../../main/core/hyper/hyper-engine';

describe('hyper-types', () => {
  it('keeps numerics, dates and timestamps as the exact text hyperd sent', () => {
    const p = (oid: number, text: string) => hyperTypeParsers.getTypeParser(oid, 'text')(text);
    assert.equal(p(PgOid.numeric, '-99999999999999.99'), '-99999999999999.99');
    assert.equal(p(PgOid.date, '2024-02-29'), '2024-02-29');
    assert.equal(p(PgOid.timestamp, '2024-02-29 23:59:59'), '2024-02-29 23:59:59');
    assert.equal(p(PgOid.bool, 't'), true);
    assert.equal(p(PgOid.int8, '42'), 42);
  });

  it('drops an all-zero fraction of a timestamp but keeps a real one', () => {
    assert.equal(parseTimestamp('2026-01-15 12:00:00.000000'), '2026-01-15 12:00:00');
    assert.equal(parseTimestamp('2026-01-15 12:00:00.250000'), '2026-01-15 12:00:00.250000');
  });

  it('refuses a BIGINT a JavaScript number cannot hold exactly', () => {
    assert.equal(parseBigint('-9007199254740991'), -9007199254740991);
    assert.throws(() => parseBigint('9007199254740993'), RangeError);
  });
});

describe('hyper-engine helpers', () => {
  it('reads the port from the callback descriptor hyperd sends', () => {
    assert.equal(parseCallbackDescriptor('tab.tcp://127.0.0.1:41981\0'), 41981);
    assert.throws(() => parseCallbackDescriptor('tab.domain:///tmp/x/domain/y'), /unexpected listen descriptor/);
  });

  it('starts hyperd on loopback with a callback connection and bounded logs', () => {
    const args = hyperdArgs(5555, '/logs');
    assert.equal(args[0], 'run');
    assert.ok(args.includes('--callback-connection=tab.tcp://127.0.0.1:5555'));
    assert.ok(args.includes('--listen-connection=tab.tcp://127.0.0.1:0'));
    assert.ok(args.includes('--log-dir=/logs'));
    assert.ok(args.includes('--default-database-version=2'));
  });
});
