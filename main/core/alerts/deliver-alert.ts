/**
 * Fans one alert out to the configured channels (email, Teams/Slack webhook) and reports how each
 * went. It never throws: an alert that cannot be delivered must not break the run that raised it;
 * the caller logs each failed channel as a warning with what to fix.
 */
import type { Clock } from '../clock';
import type { FetchLike } from '../http/transport';
import { redactSecrets } from '../service/support-bundle';
import type { Alert, AlertDeliveryResult, AlertEmailSettings } from '../../../shared/types';
import { renderAlert } from './alert-text';
import { sendAlertEmail, type MailSender } from './deliver-email';
import { postAlertWebhook, type WebhookKind } from './deliver-webhook';
import { AlertDeliveryError } from './delivery-error';

/** The channels to use for one alert, with their secrets (read from the keychain by the caller). */
export interface AlertChannels {
  /** Absent or `host` empty: no email. */
  email?: { settings: AlertEmailSettings; password: string | null };
  /** Absent: no webhook. `url` null: chosen in settings but no address stored. */
  webhook?: { kind: WebhookKind; url: string | null };
}

export interface DeliverDeps {
  clock: Clock;
  fetch: FetchLike;
  random?: () => number;
  /** Every stored secret value: removed from anything sent, whatever its source. */
  secretValues: readonly string[];
  sendMail?: MailSender;
  /** Attempts per channel (default 3, with backoff). */
  maxAttempts?: number;
}

/** Delivers `alert` on each channel; one result per channel (email first), never a throw. */
export async function deliverAlert(alert: Alert, channels: AlertChannels, deps: DeliverDeps): Promise<AlertDeliveryResult[]> {
  const redact = (t: string) => redactSecrets(t, deps.secretValues).text;
  const content = renderAlert(alert, redact);
  const tries = deps.maxAttempts ? { maxAttempts: deps.maxAttempts } : {};
  const attempt = async (channel: AlertDeliveryResult['channel'], ok: string, send: () => Promise<void>): Promise<AlertDeliveryResult> => {
    try {
      await send();
      return { channel, configured: true, ok: true, message: ok };
    } catch (err) {
      const message = err instanceof AlertDeliveryError ? err.userMessage : `Unexpected error: ${err instanceof Error ? err.message : String(err)}`;
      return { channel, configured: true, ok: false, message: redact(message) };
    }
  };
  const email = channels.email;
  const hook = channels.webhook;
  const [mail, web] = await Promise.all([
    email && email.settings.host
      ? attempt('email', `Sent to ${email.settings.to.join(', ')} through ${email.settings.host}.`, () =>
          sendAlertEmail(email.settings, email.password, content, {
            ...tries,
            clock: deps.clock,
            ...(deps.random ? { random: deps.random } : {}),
            ...(deps.sendMail ? { send: deps.sendMail } : {}),
          }),
        )
      : Promise.resolve<AlertDeliveryResult>({ channel: 'email', configured: false, ok: false, message: 'Email is off: no mail server is set.' }),
    hook
      ? hook.url
        ? attempt('webhook', `Posted to the ${hook.kind === 'teams' ? 'Teams' : 'Slack'} webhook.`, () =>
            postAlertWebhook(hook.kind, hook.url!, content, {
              ...tries,
              fetch: deps.fetch,
              clock: deps.clock,
              ...(deps.random ? { random: deps.random } : {}),
            }),
          )
        : Promise.resolve<AlertDeliveryResult>({
            channel: 'webhook',
            configured: true,
            ok: false,
            message: `No ${hook.kind === 'teams' ? 'Teams' : 'Slack'} webhook address is stored. Paste it in Settings › Alerts.`,
          })
      : Promise.resolve<AlertDeliveryResult>({ channel: 'webhook', configured: false, ok: false, message: 'The Teams/Slack webhook is off.' }),
  ]);
  return [mail, web];
}
