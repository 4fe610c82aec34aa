/**
 * Credentials in the OS keychain through keytar: one service name, one account per secret
 * (`secretNames`). The desktop app and the headless CLI both use it with KEYCHAIN_SERVICE, so a
 * secret typed into either is seen by both (issue #14 point 5). keytar is injected: this file
 * loads no native module itself. Nothing here logs or returns a secret to the renderer.
 */
import { secretNames, type SecretName } from '../../../shared/types';
import type { SecretStore } from '../service/stores';

export type { SecretStore };

/** keytar's functions used here (the real module satisfies this; tests may pass a fake). */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export const KEYCHAIN_SERVICE = 'ml-connector';

export function createKeytarSecretStore(keytar: KeytarLike, service = KEYCHAIN_SERVICE): SecretStore {
  const account = (name: SecretName): SecretName => {
    // Guard the account name too: only the four known secrets may be stored.
    if (!secretNames.includes(name)) throw new RangeError(`Unknown secret "${String(name)}"`);
    return name;
  };
  return {
    get: (name) => keytar.getPassword(service, account(name)),
    set: (name, value) => keytar.setPassword(service, account(name), value),
    delete: async (name) => {
      await keytar.deletePassword(service, account(name));
    },
  };
}
