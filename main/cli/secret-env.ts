/**
 * The headless CLI takes its secrets from the environment only (never from a file it writes): one
 * variable per keychain secret. The Record type makes a new SecretName fail to compile until it has
 * a variable here, so `--help` and the error messages can never forget one.
 */
import type { SecretName } from '../../shared/types';
import { memorySecretStore } from '../core/service/stores';

export const SECRET_ENV: Readonly<Record<SecretName, string>> = {
  intacctSenderPassword: 'ML_INTACCT_SENDER_PASSWORD',
  intacctUserPassword: 'ML_INTACCT_USER_PASSWORD',
  tableauPatSecret: 'ML_TABLEAU_PAT_SECRET',
  tableauConnectedAppSecret: 'ML_TABLEAU_CONNECTED_APP_SECRET',
  // Alerts: the SMTP password and the Teams/Slack incoming webhook address (anyone holding it can post).
  smtpPassword: 'ML_SMTP_PASSWORD',
  alertWebhookUrl: 'ML_ALERT_WEBHOOK_URL',
};

export function secretsFromEnv(env: NodeJS.ProcessEnv) {
  const values: Partial<Record<SecretName, string>> = {};
  for (const [name, variable] of Object.entries(SECRET_ENV) as [SecretName, string][]) {
    const value = env[variable];
    if (value) values[name] = value;
  }
  return memorySecretStore(values);
}
