/**
 * Whether the OS keychain answers. On Linux keytar needs a Secret Service (gnome-keyring,
 * KeePassXC…) on the session bus; where none runs, every call fails. The desktop app still
 * starts: the secret store then refuses each call with a message that says what to install, which
 * the Settings window shows when a password is saved and a sync shows as its error. The headless
 * CLI falls back to memory instead (main/cli/secret-env.ts), since it also takes secrets from its
 * environment.
 */
import { ConnectorError } from '../errors';
import type { KeytarLike, SecretStore } from './keytar-secret-store';

export function keychainProblemMessage(platform: NodeJS.Platform, detail: string): string {
  return platform === 'linux'
    ? `No keychain is available (${detail}). ml-connector keeps passwords only in a Secret Service: install gnome-keyring (sudo apt install gnome-keyring) or enable KeePassXC's Secret Service, log out and in again, then restart ml-connector.`
    : `The system keychain did not answer (${detail}). Restart ml-connector; if it persists, check that the keychain is unlocked.`;
}

/** Null when the keychain answers, else keytar's reason ("Cannot autolaunch D-Bus without X11 $DISPLAY"). */
export async function keychainFailure(keytar: Pick<KeytarLike, 'getPassword'>, service: string): Promise<string | null> {
  try {
    await keytar.getPassword(service, 'ml-connector-keychain-check');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Null when the keychain answers, else the message the desktop app shows. */
export async function checkKeychain(keytar: Pick<KeytarLike, 'getPassword'>, service: string, platform: NodeJS.Platform): Promise<string | null> {
  const failure = await keychainFailure(keytar, service);
  return failure === null ? null : keychainProblemMessage(platform, failure);
}

/** A secret store whose every call fails with `message` (a configuration problem, not retried). */
export function unavailableSecretStore(message: string): SecretStore {
  const fail = async (): Promise<never> => {
    throw new ConnectorError({ service: 'local', kind: 'config', retryable: false, code: 'KEYCHAIN_UNAVAILABLE', userMessage: message });
  };
  return { get: fail, set: fail, delete: fail };
}
