import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSettingsStore, secretLookingKeys, type KeyValueStoreFactory } from '../../main/electron/settings-store';
import type { Settings } from '../../shared/types';
import { defaultSettings } from '../../main/core/service/settings';

describe('settings store (electron-store adapter)', () => {
  const defaults = () => {
    const d = defaultSettings(0);
    d.intacct.companyId = 'c';
    return d;
  };
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

  it('refuses stored settings that do not validate, naming the field, as the CLI does', () => {
    const { f, data } = factory();
    data.set('settings', { ...defaults(), schedule: { ...defaults().schedule, timezone: 'Mars/Olympus' } });
    assert.throws(
      () => createSettingsStore(f, defaults).get(),
      (e: unknown) => e instanceof Error && /desktop app's settings file has an invalid field: schedule\.timezone/.test(e.message),
    );
    data.delete('settings');
    assert.deepEqual(createSettingsStore(f, defaults).get(), defaults(), 'nothing stored: the defaults');
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
