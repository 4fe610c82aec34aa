import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decimalToUnits, periodOf, rowHash, rowKey, unitsToDecimal } from '../../../../main/core/sync/canonical-row';
import { batchRequestId } from '../../../../main/core/sync/request-id';
import { streamByName } from '../../../../main/core/streams/definitions';

describe('canonical-row', () => {
  it('converts exact decimals to integer units and back without floats', () => {
    assert.equal(decimalToUnits('-1234.5'), -123450n);
    assert.equal(decimalToUnits('0.07'), 7n);
    assert.equal(decimalToUnits('12'), 1200n);
    assert.equal(decimalToUnits('99999999999999.99'), 9999999999999999n);
    assert.equal(decimalToUnits('1.230'), 123n);
    assert.throws(() => decimalToUnits('1.234'), RangeError);
    assert.throws(() => decimalToUnits('abc'), RangeError);
    assert.equal(unitsToDecimal(-123450n), '-1234.50');
    assert.equal(unitsToDecimal(7n), '0.07');
    assert.equal(unitsToDecimal(-7n), '-0.07');
  });

  it('hashes a row by its cells in column order, whatever the key order, and keys it by the primary key', () => {
    const def = streamByName('vendor');
    const a = { RECORDNO: 7, VENDORID: 'V1', NAME: 'Smith & Co', CREDITLIMIT: '10.00' };
    const b = { CREDITLIMIT: '10.00', NAME: 'Smith & Co', VENDORID: 'V1', RECORDNO: 7 };
    assert.equal(rowHash(def, a), rowHash(def, b));
    assert.notEqual(rowHash(def, a), rowHash(def, { ...a, CREDITLIMIT: '10.01' }));
    assert.match(rowHash(def, a), /^[0-9a-f]{40}$/);
    assert.equal(rowKey(def, a), '7');
    assert.equal(periodOf('2025-03-31'), '2025-03');
    assert.equal(periodOf(null), null);
  });

  it('makes RequestIDs stable for a batch and different across runs, streams and batches', () => {
    const id = batchRequestId('run-1', 'gl_detail', 1);
    assert.equal(id, batchRequestId('run-1', 'gl_detail', 1));
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set([id, batchRequestId('run-2', 'gl_detail', 1), batchRequestId('run-1', 'vendor', 1), batchRequestId('run-1', 'gl_detail', 2)]).size, 4);
  });
});
