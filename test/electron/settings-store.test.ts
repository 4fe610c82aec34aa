import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSettingsStore, secretLookingKeys, type KeyValueStoreFactory } from '../../main/electron/settings-store';
import type { Settings } from '../../shared/types';

describe('settings store (electron-store adapter)', () => {
  const defaults = () => ({ intacct: { senderId: '', companyId: 'c' }, startAtLogin: false }) as unknown as Settings;
  const factory = () => {
    const data = new Map<string, unknown>();
    const f: KeyValueStoreFactory = (opts) => {
      assert.ok(opts.schema.settings, 'a schema is given');
      assert.ok(Object.keys(opts.migrations).length > 0, 'migrations are given');
      return { get: (k) => data.get(k), set: (k, v) => void data.set(k, v) };
    };
    return { f, data };
  };

  it('fills new fields from defaults over what is stored', () => {
    const { f, data } = factory();
    data.set('settings', { intacct: { senderId: 'ACME' } });
    const s = createSettingsStore(f, defaults).get();
    assert.equal(s.intacct.senderId, 'ACME');
    assert.equal(s.intacct.companyId, 'c');
    assert.equal(s.startAtLogin, false);
  });

  it('refuses to write anything that looks like a secret', () => {
    const { f, data } = factory();
    const store = createSettingsStore(f, defaults);
    const bad = { ...defaults(), intacct: { senderId: 'x', senderPassword: 'hunter2' } } as unknown as Settings;
    assert.throws(() => store.set(bad), /intacct\.senderPassword/);
    assert.equal(data.get('settings'), undefined);
    assert.deepEqual(secretLookingKeys({ tableau: { patName: 'n', patSecret: 's' }, a: [{ token: 1 }] }), ['tableau.patSecret', 'a.0.token']);
  });
});
