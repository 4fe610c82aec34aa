import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError, CancelledError, RateLimitError, ValidationError } from '../../../../main/core/errors';
import { InvalidRequestError } from '../../../../main/core/api/request-validation';
import { describeUnexpected, toEnvelope, unexpectedMessage } from '../../../../main/core/api/error-envelope';

describe('toEnvelope', () => {
  it('keeps a typed error’s message, service, code, kind and retryable flag', () => {
    const e = new RateLimitError({ service: 'tableau', code: 'THROTTLED', userMessage: 'Tableau is busy; the run waits and tries again.' });
    assert.deepEqual(toEnvelope(e), {
      message: 'Tableau is busy; the run waits and tries again.',
      service: 'tableau',
      code: 'THROTTLED',
      kind: 'transient',
      retryable: true,
    });
    assert.deepEqual(toEnvelope(new AuthError({ service: 'intacct', code: 'LOGIN_INVALID', userMessage: 'Check the user password.' })), {
      message: 'Check the user password.',
      service: 'intacct',
      code: 'LOGIN_INVALID',
      kind: 'config',
      retryable: false,
    });
  });

  it('carries a ValidationError’s field messages, and none when it has none', () => {
    assert.deepEqual(toEnvelope(new ValidationError({ userMessage: 'Bad settings.', fields: { 'intacct.companyId': 'Required' } })).fields, {
      'intacct.companyId': 'Required',
    });
    assert.equal('fields' in toEnvelope(new ValidationError({ userMessage: 'Bad.' })), false);
  });

  it('says what is wrong with a refused payload without echoing it', () => {
    const env = toEnvelope(new InvalidRequestError('setCredential', ['name: Invalid enum value']));
    assert.deepEqual(env, {
      message: 'Invalid request: name: Invalid enum value',
      service: 'local',
      code: 'INVALID_REQUEST',
      kind: 'config',
      retryable: false,
    });
  });

  it('calls a cancelled run CANCELLED, whether our CancelledError or the platform’s AbortError', () => {
    assert.equal(toEnvelope(new CancelledError('The connector is shutting down.')).code, 'CANCELLED');
    assert.equal(toEnvelope(Object.assign(new Error('aborted'), { name: 'AbortError' })).code, 'CANCELLED');
  });

  it('gives an unexpected error a generic message and a reference, and hands the error to onUnexpected', () => {
    const seen: [string, unknown][] = [];
    const err = new TypeError("Cannot read properties of undefined (reading 'token=s3cr3t-value')");
    const env = toEnvelope(err, { reference: () => 'ab12cd34', onUnexpected: (ref, e) => seen.push([ref, e]) });
    assert.deepEqual(env, {
      message: unexpectedMessage('ab12cd34'),
      service: 'local',
      code: 'INTERNAL',
      kind: 'system',
      retryable: false,
      reference: 'ab12cd34',
    });
    assert.doesNotMatch(JSON.stringify(env), /s3cr3t|TypeError|at /);
    assert.deepEqual(seen, [['ab12cd34', err]]);
    assert.match(describeUnexpected('ab12cd34', err), /^Unexpected error \(reference ab12cd34\): TypeError: Cannot read/);
    assert.doesNotMatch(describeUnexpected('ab12cd34', err), /\n\s+at /, 'no stack in the log line');
  });

  it('makes a fresh random reference by default, and treats a thrown string as unexpected', () => {
    const a = toEnvelope('boom');
    const b = toEnvelope('boom');
    assert.match(a.reference ?? '', /^[0-9a-f]{8}$/);
    assert.notEqual(a.reference, b.reference);
    assert.doesNotMatch(a.message, /boom/);
  });
});
