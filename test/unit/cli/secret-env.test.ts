import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SECRET_ENV, environmentOver, openCliSecrets, secretValuesFromEnv } from '../../../main/cli/secret-env';
import type { KeytarLike } from '../../../main/core/keychain/keytar-secret-store';
import { memorySecretStore } from '../../../main/core/service/stores';
import { ValidationError } from '../../../main/core/errors';
import { secretNames } from '../../../shared/types';

/** A keychain in a Map, keyed by service and account (what keytar stores). */
function fakeKeytar(): KeytarLike & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    getPassword: async (service, account) => entries.get(`${service}/${account}`) ?? null,
    setPassword: async (service, account, password) => void entries.set(`${service}/${account}`, password),
    deletePassword: async (service, account) => entries.delete(`${service}/${account}`),
  };
}

const failingKeytar: KeytarLike = {
  getPassword: async () => {
    throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY');
  },
  setPassword: async () => {
    throw new Error('unreachable');
  },
  deletePassword: async () => {
    throw new Error('unreachable');
  },
};

describe('cli/secret-env', () => {
  it('names one distinct ML_ variable per secret, and reads only the non-empty ones', () => {
    assert.deepEqual(Object.keys(SECRET_ENV).sort(), [...secretNames].sort());
    assert.equal(new Set(Object.values(SECRET_ENV)).size, secretNames.length);
    assert.deepEqual(secretValuesFromEnv({ ML_TABLEAU_PAT_SECRET: 'pat', ML_SMTP_PASSWORD: '', OTHER: 'x' }), { tableauPatSecret: 'pat' });
  });

  it('answers the environment before the stored value, and refuses to store a secret the environment sets', async () => {
    const stored = memorySecretStore({ intacctUserPassword: 'stored-user', tableauPatSecret: 'stored-pat' });
    const secrets = environmentOver({ tableauPatSecret: 'env-pat' }, stored);
    assert.equal(await secrets.get('tableauPatSecret'), 'env-pat');
    assert.equal(await secrets.get('intacctUserPassword'), 'stored-user');
    await assert.rejects(
      secrets.set('tableauPatSecret', 'typed'),
      (e: unknown) => e instanceof ValidationError && /ML_TABLEAU_PAT_SECRET/.test(e.userMessage) && 'secrets.tableauPatSecret' in e.fields,
    );
    assert.equal(await stored.get('tableauPatSecret'), 'stored-pat', 'the refused value was not stored');
    await secrets.set('intacctUserPassword', 'typed-user');
    assert.equal(await stored.get('intacctUserPassword'), 'typed-user');
    await secrets.delete('tableauPatSecret');
    assert.equal(await secrets.get('tableauPatSecret'), 'env-pat', 'deleting removes only the stored copy');
  });

  it('stores typed secrets in the keychain under the desktop app’s service name when it answers', async () => {
    const keytar = fakeKeytar();
    const { secrets, storage, keychainProblem } = await openCliSecrets({ ML_SMTP_PASSWORD: 'env-smtp' }, keytar);
    assert.equal(keychainProblem, null);
    assert.deepEqual(storage, { kind: 'keychain', envVariables: SECRET_ENV, fromEnvironment: ['smtpPassword'] });
    await secrets.set('intacctSenderPassword', 'typed-sender');
    assert.equal(keytar.entries.get('ml-connector/intacctSenderPassword'), 'typed-sender');
    // A second process (a restart) reads it back.
    const again = await openCliSecrets({}, keytar);
    assert.equal(await again.secrets.get('intacctSenderPassword'), 'typed-sender');
  });

  it('falls back to memory, saying why, when the keychain does not answer or keytar cannot load', async () => {
    for (const keytar of [failingKeytar, null]) {
      const { secrets, storage, keychainProblem } = await openCliSecrets({ ML_INTACCT_USER_PASSWORD: 'env-user' }, keytar);
      assert.equal(storage.kind, 'memory');
      assert.match(keychainProblem ?? '', keytar ? /D-Bus/ : /keytar/);
      await secrets.set('intacctSenderPassword', 'typed');
      assert.equal(await secrets.get('intacctSenderPassword'), 'typed');
      assert.equal(await secrets.get('intacctUserPassword'), 'env-user');
    }
  });
});
