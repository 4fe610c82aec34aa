/**
 * Run inside a private D-Bus session with an unlocked gnome-keyring (see keychain.test.ts):
 * stores, reads back and deletes every credential through the keytar adapter, printing one JSON
 * line of what it saw. The values are test values, never real secrets.
 */
import keytar from 'keytar';
import { createKeytarSecretStore } from '../../../main/core/keychain/keytar-secret-store';
import { secretNames } from '../../../shared/types';

const service = `ml-connector-test-${process.pid}`;
const store = createKeytarSecretStore(keytar, service);
const out: Record<string, { stored: string | null; afterDelete: string | null; listed: boolean }> = {};
for (const name of secretNames) {
  const value = `test-value-${name}-é&<>"`;
  await store.set(name, value);
  const stored = await store.get(name);
  const listed = (await keytar.findCredentials(service)).some((c) => c.account === name);
  await store.delete(name);
  out[name] = { stored: stored === value ? 'match' : stored, afterDelete: await store.get(name), listed };
}
console.log(JSON.stringify(out));
