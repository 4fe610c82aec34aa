/**
 * The service's side of alerts that reach people (issue #14 "Alerts"): each raised alert goes to
 * the email and Teams/Slack channels the settings name, in the background (a slow mail server
 * never holds up a run), and "Send test alert" sends one now and says how each channel went.
 *
 * Secrets come from the SecretStore at send time (SMTP password, webhook address) and every stored
 * secret value is removed from what is sent. A test with a draft uses the typed secrets and saves
 * nothing; a stored SMTP password is not sent to a draft's other mail server (as the connection
 * test does for Intacct and Tableau addresses).
 */
import type { Clock } from '../clock';
import type { FetchLike } from '../http/transport';
import { deliverAlert, type AlertChannels } from '../alerts/deliver-alert';
import type { MailSender } from '../alerts/deliver-email';
import { secretNames, type Alert, type AlertDeliveryResult, type LogLevel, type Settings } from '../../../shared/types';
import type { RequestOf, ResponseOf } from '../../../shared/ipc-contract';
import { validateSettings } from './settings';
import { secretValues } from './runtime';
import type { SecretStore } from './stores';

export interface AlertDeliveryDeps {
  clock: Clock;
  fetch: FetchLike;
  random?: () => number;
  secrets: SecretStore;
  log: (level: LogLevel, message: string, extra?: { runId?: string }) => void;
  /** Default: nodemailer over SMTP. */
  sendMail?: MailSender;
}

export interface AlertDelivery {
  /** Sends a raised alert on the channels `settings` names, in the background; a failed channel is logged as a warning. */
  deliver(alert: Alert, settings: Settings): void;
  /** Sends a test alert now on the saved settings (or a draft's alert settings) and reports each channel. */
  sendTest(req: RequestOf<'sendTestAlert'>, saved: Settings): Promise<ResponseOf<'sendTestAlert'>>;
  /** Resolves when every delivery in flight has ended. */
  idle(): Promise<void>;
}

const CHANNEL_NAMES: Record<AlertDeliveryResult['channel'], string> = { email: 'Alert email', webhook: 'Teams/Slack alert' };

/** The alert "Send test alert" sends. */
export function testAlert(now: number): Alert {
  return {
    kind: 'test',
    at: now,
    message: 'This is a test alert from ml-connector. If you can read it, alerts reach you here.',
    nextStep: 'Nothing to do. A real alert names the run, what failed and the next step.',
  };
}

export function createAlertDelivery(deps: AlertDeliveryDeps): AlertDelivery {
  const pending = new Set<Promise<unknown>>();

  const channelsOf = async (
    alerts: Settings['alerts'],
    typed: Partial<Record<'smtpPassword' | 'alertWebhookUrl', string>> = {},
    storedPassword = true,
  ): Promise<AlertChannels> => ({
    ...(alerts.email.host
      ? { email: { settings: alerts.email, password: typed.smtpPassword || (storedPassword ? await deps.secrets.get('smtpPassword') : null) } }
      : {}),
    ...(alerts.webhook.kind !== 'off'
      ? { webhook: { kind: alerts.webhook.kind, url: typed.alertWebhookUrl || (await deps.secrets.get('alertWebhookUrl')) } }
      : {}),
  });

  const send = async (alert: Alert, channels: AlertChannels, extra: readonly string[] = [], maxAttempts?: number) =>
    deliverAlert(alert, channels, {
      ...(maxAttempts ? { maxAttempts } : {}),
      clock: deps.clock,
      fetch: deps.fetch,
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.sendMail ? { sendMail: deps.sendMail } : {}),
      secretValues: [...(await secretValues(deps.secrets, secretNames)), ...extra.filter(Boolean)],
    });

  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };

  return {
    deliver(alert, settings) {
      const { email, webhook } = settings.alerts;
      if (!email.host && webhook.kind === 'off') return;
      const extra = alert.runId ? { runId: alert.runId } : {};
      // In the background: shutdown waits for it through idle(); every failure is caught below.
      void track(
        (async () => {
          const results = await send(alert, await channelsOf(settings.alerts));
          for (const r of results) {
            if (!r.configured) continue;
            if (r.ok) deps.log('info', `${CHANNEL_NAMES[r.channel]}: ${r.message}`, extra);
            else deps.log('warn', `${CHANNEL_NAMES[r.channel]} not delivered: ${r.message}`, extra);
          }
        })().catch((err: unknown) => {
          // deliverAlert does not throw; reading the keychain can.
          deps.log('warn', `Alert not delivered: the keychain could not be read (${err instanceof Error ? err.message : String(err)}).`, extra);
        }),
      );
    },

    async sendTest(req, saved) {
      let alerts = saved.alerts;
      if (req?.draft) {
        const checked = validateSettings({ ...saved, alerts: req.draft.alerts });
        if (!checked.ok) {
          const list = Object.entries(checked.errors)
            .map(([k, v]) => `${k}: ${v}`)
            .join('; ');
          return {
            results: (['email', 'webhook'] as const).map((channel) => ({ channel, configured: true, ok: false, message: `Fix these settings first: ${list}` })),
          };
        }
        alerts = checked.settings.alerts;
      }
      const typed = req?.secrets ?? {};
      // A stored SMTP password was entered for the saved server: a draft's other server does not get it.
      const sameServer = alerts.email.host.toLowerCase() === saved.alerts.email.host.toLowerCase() && alerts.email.port === saved.alerts.email.port;
      // One attempt per channel: someone is waiting at the button, and the answer says what to fix.
      const results = await track(send(testAlert(deps.clock.now()), await channelsOf(alerts, typed, sameServer), Object.values(typed), 1));
      const said = results.filter((r) => r.configured).map((r) => `${r.channel} ${r.ok ? 'sent' : `failed (${r.message})`}`);
      deps.log(results.some((r) => r.configured && !r.ok) ? 'warn' : 'info', `Test alert: ${said.length ? said.join('; ') : 'no email or webhook is set up'}.`);
      return { results };
    },

    async idle() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}
