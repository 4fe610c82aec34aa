/**
 * Where the headless CLI finds its secrets: one environment variable per secret, over the OS
 * keychain where one answers (the desktop app's keytar store and service name, so both see the
 * same secrets), else over memory. A value typed into the served page is stored in the keychain
 * and survives a restart of the service (issue #14 point 5); with no keychain it lasts until the
 * service stops, and the page says so next to each secret, naming its variable.
 *
 * The environment wins over a stored value, as it always has for the CLI (a service manager's
 * unit file or a container's secrets are where an administrator expects to change them). A typed
 * value for a secret the environment sets is refused rather than stored and silently ignored.
 *
 * The Record type makes a new SecretName fail to compile until it has a variable here, so `--help`
 * and the error messages can never forget one.
 */
import type { SecretName, SecretStorage } from '../../shared/types';
import { ValidationError } from '../core/errors';
import { keychainFailure } from '../core/keychain/keychain-check';
import { createKeytarSecretStore, KEYCHAIN_SERVICE, type KeytarLike } from '../core/keychain/keytar-secret-store';
import { memorySecretStore, type SecretStore } from '../core/service/stores';

export const SECRET_ENV: Readonly<Record<SecretName, string>> = {
  intacctSenderPassword: 'ML_INTACCT_SENDER_PASSWORD',
  intacctUserPassword: 'ML_INTACCT_USER_PASSWORD',
  tableauPatSecret: 'ML_TABLEAU_PAT_SECRET',
  tableauConnectedAppSecret: 'ML_TABLEAU_CONNECTED_APP_SECRET',
  // Alerts: the SMTP password and the Teams/Slack incoming webhook address (anyone holding it can post).
  smtpPassword: 'ML_SMTP_PASSWORD',
  alertWebhookUrl: 'ML_ALERT_WEBHOOK_URL',
};

/** The secrets the environment sets (non-empty variables only). */
export function secretValuesFromEnv(env: NodeJS.ProcessEnv): Partial<Record<SecretName, string>> {
  const values: Partial<Record<SecretName, string>> = {};
  for (const [name, variable] of Object.entries(SECRET_ENV) as [SecretName, string][]) {
    const value = env[variable];
    if (value) values[name] = value;
  }
  return values;
}

/**
 * `stored` with the environment's values in front: `get` answers the variable's value when it is
 * set, else the stored one; `set` of a secret the environment sets is refused (it would never be
 * used); `delete` removes only the stored copy.
 */
export function environmentOver(fromEnv: Partial<Record<SecretName, string>>, stored: SecretStore): SecretStore {
  return {
    get: async (name) => fromEnv[name] ?? (await stored.get(name)),
    set: async (name, value) => {
      if (fromEnv[name] !== undefined) {
        const text = `${SECRET_ENV[name]} is set in the service's environment, which wins over a value typed here: change or unset it there.`;
        throw new ValidationError({ code: 'SECRET_FROM_ENVIRONMENT', userMessage: text, fields: { [`secrets.${name}`]: text } });
      }
      await stored.set(name, value);
    },
    delete: (name) => stored.delete(name),
  };
}

/** The CLI's secret store and what the page should say about it. */
export interface CliSecrets {
  secrets: SecretStore;
  storage: SecretStorage;
  /** Why no keychain is used (null when one answers). */
  keychainProblem: string | null;
}

/**
 * Opens the secrets for a CLI command: the keychain through `keytar` when it answers (null when
 * keytar could not be loaded), else memory; the environment in front of either.
 */
export async function openCliSecrets(env: NodeJS.ProcessEnv, keytar: KeytarLike | null, keychainService = KEYCHAIN_SERVICE): Promise<CliSecrets> {
  const fromEnv = secretValuesFromEnv(env);
  const problem = keytar ? await keychainFailure(keytar, keychainService) : 'the keytar module could not be loaded';
  const stored = keytar && !problem ? createKeytarSecretStore(keytar, keychainService) : memorySecretStore();
  return {
    secrets: environmentOver(fromEnv, stored),
    storage: { kind: problem ? 'memory' : 'keychain', envVariables: { ...SECRET_ENV }, fromEnvironment: Object.keys(fromEnv) as SecretName[] },
    keychainProblem: problem,
  };
}
