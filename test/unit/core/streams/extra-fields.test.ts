import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { streamByName } from '../../../../main/core/streams/definitions';
import { columnsSignature, describeColumnChange, extraColumn, fieldTypeOf, withExtraFields } from '../../../../main/core/streams/extra-fields';

describe('extra fields', () => {
  const gl = streamByName('gl_detail');

  it('appends nullable columns named like the field, leaving the definition alone', () => {
    const def = withExtraFields(gl, [
      { field: 'GLDIMSALES_CHANNEL', type: 'text' },
      { field: 'VENDOR.NAME', type: 'text' },
      { field: 'RATE', type: 'numeric', scale: 4 },
      { field: 'QTY', type: 'numeric' },
    ]);
    assert.equal(def.columns.length, gl.columns.length + 4);
    assert.deepEqual(def.columns.slice(-4), [
      { name: 'GLDIMSALES_CHANNEL', source: 'GLDIMSALES_CHANNEL', type: 'text', nullable: true, extra: true },
      { name: 'VENDOR_NAME', source: 'VENDOR.NAME', type: 'text', nullable: true, extra: true },
      { name: 'RATE', source: 'RATE', type: 'numeric', nullable: true, precision: 18, scale: 4, extra: true },
      { name: 'QTY', source: 'QTY', type: 'numeric', nullable: true, precision: 18, scale: 2, extra: true },
    ]);
    assert.equal(streamByName('gl_detail').columns.length, gl.columns.length);
    assert.equal(withExtraFields(gl, []), gl);
    assert.equal(withExtraFields(gl, undefined), gl);
  });

  it('signs the column list so any change of name, type, scale or nullability shows', () => {
    const base = columnsSignature(gl.columns);
    assert.match(base, /^RECORDNO text!;/);
    assert.match(base, /AMOUNT numeric\(18,2\)!/);
    assert.equal(columnsSignature(withExtraFields(gl, []).columns), base);
    const withText = columnsSignature(withExtraFields(gl, [{ field: 'X', type: 'text' }]).columns);
    const withNumber = columnsSignature(withExtraFields(gl, [{ field: 'X', type: 'numeric' }]).columns);
    const withScale = columnsSignature(withExtraFields(gl, [{ field: 'X', type: 'numeric', scale: 3 }]).columns);
    assert.equal(new Set([base, withText, withNumber, withScale]).size, 4);
    assert.equal(columnsSignature([{ ...extraColumn({ field: 'X', type: 'text' }), nullable: false }]), 'X text!');
    assert.equal(describeColumnChange(base, withText), 'added X');
    assert.equal(describeColumnChange(withText, base), 'removed X');
    assert.equal(describeColumnChange(withText, withNumber), 'changed the type of X');
    assert.equal(describeColumnChange(withNumber, withScale), 'changed the type of X');
  });

  it('maps Intacct lookup types to column types, unknown ones to text', () => {
    assert.deepEqual(['INTEGER', 'DECIMAL', 'currency', 'PERCENT', 'DATE', 'TIMESTAMP', 'BOOLEAN', 'TEXT', 'ENUM', 'SOMETHING_NEW'].map(fieldTypeOf), [
      'bigint',
      'numeric',
      'numeric',
      'numeric',
      'date',
      'timestamp',
      'bool',
      'text',
      'text',
      'text',
    ]);
  });
});
