import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRefusalGuard } from '../../../../main/core/service/refused-credentials';

const creds = { senderId: 's', senderPassword: 'sp', companyId: 'c', userId: 'u', userPassword: 'up' };
const endpoint = 'https://api.intacct.com/ia/xml/xmlgw.phtml';
const refused = { service: 'intacct', code: 'LOGIN_INVALID', message: 'Intacct sign-in failed.' };

describe('refusal guard', () => {
  it('remembers a refusal of exactly these details until they change or work', () => {
    const guard = createRefusalGuard(() => 1000);
    assert.equal(guard.refusalOf(creds, endpoint), null);
    guard.note(creds, endpoint, refused);
    assert.deepEqual(guard.refusalOf(creds, endpoint), { at: 1000, message: 'Intacct sign-in failed.' });
    // Any other detail is another attempt: a new password, another entity, another gateway.
    assert.equal(guard.refusalOf({ ...creds, userPassword: 'new' }, endpoint), null);
    assert.equal(guard.refusalOf({ ...creds, entityId: 'CA-HP' }, endpoint), null);
    assert.equal(guard.refusalOf(creds, 'https://other.example/xmlgw'), null);
    // Success with other details does not lift it; success with these does.
    guard.note({ ...creds, userPassword: 'new' }, endpoint, null);
    assert.ok(guard.refusalOf(creds, endpoint), 'still refused');
    guard.note(creds, endpoint, null);
    assert.equal(guard.refusalOf(creds, endpoint), null);
  });

  it('ignores failures that say nothing about the sign-in details', () => {
    const guard = createRefusalGuard(() => 0);
    guard.note(creds, endpoint, { service: 'intacct', code: 'RATE_LIMITED', message: 'busy' });
    guard.note(creds, endpoint, { service: 'tableau', code: 'LOGIN_INVALID', message: 'token' });
    guard.note(creds, endpoint, { service: 'intacct', message: 'no code' });
    assert.equal(guard.refusalOf(creds, endpoint), null);
    for (const code of ['SENDER_INVALID', 'AUTH_FAILED', 'GATEWAY_REJECTED']) {
      const g = createRefusalGuard(() => 0);
      g.note(creds, endpoint, { service: 'intacct', code, message: code });
      assert.ok(g.refusalOf(creds, endpoint), code);
    }
  });
});
