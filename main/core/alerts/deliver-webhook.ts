/**
 * Posts an alert to a Teams or Slack incoming webhook.
 *
 * Shapes, as each service documents them:
 * - Slack: `{ text, blocks }`, where `text` is the notification fallback and `blocks` the Block Kit
 *   layout (https://api.slack.com/messaging/webhooks, "Adding rich message layouts"). Slack answers
 *   200 "ok", or 4xx with a short reason such as `invalid_payload` or `no_service`.
 * - Teams: a message with one Adaptive Card attachment, `{ type: 'message', attachments: [{
 *   contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: <card> }] }`
 *   (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook).
 *   The same body is what a Teams Workflows "When a Teams webhook request is received" flow takes,
 *   which replaces the retired Office 365 connectors.
 * The address is a secret (anyone holding it can post to the channel): it is never logged, never
 * put in an error, and redirects are not followed (fetch `redirect: 'manual'`). Transient failures
 * (network, 429, 5xx) are retried with backoff through the project's one retry helper.
 */
import type { Clock } from '../clock';
import { NetworkError } from '../errors';
import { parseRetryAfter, withRetry } from '../http/retry';
import { sendRequest, type FetchLike } from '../http/transport';
import type { AlertContent } from './alert-text';
import { ALERT_RETRY_POLICY, AlertDeliveryError } from './delivery-error';

export type WebhookKind = 'teams' | 'slack';

/** The JSON body for `kind`. */
export function webhookPayload(kind: WebhookKind, content: AlertContent): Record<string, unknown> {
  if (kind === 'slack') {
    return {
      text: `${content.title}: ${content.summary}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: content.title.slice(0, 150) } },
        { type: 'section', text: { type: 'plain_text', text: content.summary.slice(0, 3000) } },
        // Section fields hold at most 10 items of 2,000 characters (Block Kit reference).
        {
          type: 'section',
          fields: content.facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: `*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`.slice(0, 2000) })),
        },
      ],
    };
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: content.title, weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text: content.summary, wrap: true },
            { type: 'FactSet', facts: content.facts.map((f) => ({ title: f.label, value: f.value })) },
          ],
        },
      },
    ],
  };
}

/** Slack mrkdwn treats &, < and > as control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const SERVICE: Record<WebhookKind, string> = { teams: 'Teams', slack: 'Slack' };

/** Why `url` cannot be a webhook address, or null: https only (plain http to this computer, for tests and relays). */
export function webhookUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return 'The webhook address is not a URL. Copy the whole address Teams or Slack shows for the incoming webhook and paste it again in Settings › Alerts.';
  }
  const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  if (u.protocol === 'https:' || (u.protocol === 'http:' && loopback)) return null;
  return 'The webhook address must start with https://. Paste the address Teams or Slack shows for the incoming webhook in Settings › Alerts.';
}

export interface WebhookDeps {
  fetch: FetchLike;
  clock: Clock;
  random?: () => number;
  /** Per attempt (default 15 s). */
  timeoutMs?: number;
  /** Attempts (default ALERT_RETRY_POLICY's 3). */
  maxAttempts?: number;
}

/** Posts `content` to the webhook; throws AlertDeliveryError saying what to fix. */
export async function postAlertWebhook(kind: WebhookKind, url: string, content: AlertContent, deps: WebhookDeps): Promise<void> {
  const problem = webhookUrlProblem(url);
  if (problem) throw new AlertDeliveryError('webhook', { code: 'WEBHOOK_URL_INVALID', userMessage: problem, retryable: false });
  const name = SERVICE[kind];
  const body = JSON.stringify(webhookPayload(kind, content));
  await withRetry(
    async () => {
      let res;
      try {
        res = await sendRequest(
          deps.fetch,
          {
            service: 'local',
            method: 'POST',
            url: url.trim(),
            headers: { 'content-type': 'application/json' },
            body,
            timeoutMs: deps.timeoutMs ?? 15_000,
            redirect: 'manual',
            responseType: 'text',
            maxResponseBytes: 64 * 1024,
          },
          () => deps.clock.now(),
        );
      } catch (err) {
        // The transport's message names the host; ours names the channel and keeps the address out.
        if (err instanceof NetworkError) {
          throw new AlertDeliveryError('webhook', {
            code: `WEBHOOK_${err.code ?? 'NETWORK'}`,
            retryable: true,
            userMessage: `The ${name} webhook could not be reached (${err.code ?? 'network error'}). Check this computer's network or proxy; if it persists, check the webhook in ${name}.`,
          });
        }
        throw err;
      }
      if (res.status >= 200 && res.status < 300) return;
      const reason = res.body.trim().slice(0, 200);
      const said = reason ? `: ${reason}` : '';
      if (res.status === 429 || res.status >= 500) {
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), deps.clock.now());
        throw new AlertDeliveryError('webhook', {
          code: `WEBHOOK_HTTP_${res.status}`,
          status: res.status,
          retryable: true,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          userMessage: `${name} did not take the alert (HTTP ${res.status}${said}); it is busy or down. Try "Send test alert" later.`,
        });
      }
      if (res.status >= 300 && res.status < 400) {
        throw new AlertDeliveryError('webhook', {
          code: 'WEBHOOK_REDIRECT',
          status: res.status,
          retryable: false,
          userMessage: `The ${name} webhook address answered with a redirect (HTTP ${res.status}), which is not followed. Paste the webhook address itself (not a link to it) in Settings › Alerts.`,
        });
      }
      const gone = res.status === 403 || res.status === 404 || res.status === 410;
      throw new AlertDeliveryError('webhook', {
        code: `WEBHOOK_HTTP_${res.status}`,
        status: res.status,
        retryable: false,
        userMessage: gone
          ? `${name} refused the webhook address (HTTP ${res.status}${said}): the webhook was probably removed or its channel archived. Create a new incoming webhook in ${name} and paste its address in Settings › Alerts.`
          : `${name} refused the alert (HTTP ${res.status}${said}). Check that the address is a ${name} incoming webhook and that "Webhook" in Settings › Alerts says ${name}.`,
      });
    },
    { ...ALERT_RETRY_POLICY, ...(deps.maxAttempts ? { maxAttempts: deps.maxAttempts } : {}) },
    { clock: deps.clock, ...(deps.random ? { random: deps.random } : {}) },
  );
}
