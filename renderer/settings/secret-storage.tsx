/**
 * What the page says about where a typed secret is kept (issue #14 point 5). The headless service
 * reports it in Status: with no keychain a secret lasts until the service stops, so each secret's
 * box says so and names the environment variable that keeps it; a secret the service's
 * environment sets wins over a typed one, so its box says that instead and takes no value.
 */
import { createContext, useContext } from 'react';
import type { SecretName, SecretStorage } from '../../shared/types';

/** The storage Status reports (null: the desktop app's keychain, nothing to say); app.tsx provides it. */
export const SecretStorageContext = createContext<SecretStorage | null>(null);

/** The note beside one secret, and whether its box takes a value. */
export function secretStorageNote(storage: SecretStorage | null | undefined, name: SecretName): { text: string; fromEnvironment: boolean } | null {
  if (!storage) return null;
  const variable = storage.envVariables?.[name];
  if (variable && storage.fromEnvironment?.includes(name)) {
    return { text: `Set by ${variable} in the service's environment, which wins over a value typed here: change it there.`, fromEnvironment: true };
  }
  if (storage.kind === 'memory') {
    return {
      text: variable
        ? `No keychain: kept until the service stops; set ${variable} in the service's environment to keep it.`
        : 'No keychain: kept until the service stops.',
      fromEnvironment: false,
    };
  }
  return null;
}

/** The note for `name` under the page's storage. */
export function useSecretStorageNote(name: SecretName) {
  return secretStorageNote(useContext(SecretStorageContext), name);
}
