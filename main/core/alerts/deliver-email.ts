/**
 * Sends an alert by email through the user's SMTP server, with nodemailer
 * (https://nodemailer.com/smtp/): host, port, TLS mode, sender and recipients from settings, the
 * SMTP user from settings and its password from the keychain (`smtpPassword`).
 *
 * TLS modes map to nodemailer's options: `tls` is TLS from the first byte (`secure: true`, port 465);
 * `starttls` upgrades a plain connection and refuses to go on without it (`requireTLS: true`, port
 * 587), so a server that does not offer STARTTLS never receives the password in clear text; `none`
 * (settings allow it for a relay on this computer only) never upgrades. Certificates are checked.
 * Failures become AlertDeliveryError with what to fix; busy or unreachable servers are retried.
 */
import { createTransport } from 'nodemailer';
import type { Clock } from '../clock';
import { withRetry } from '../http/retry';
import type { AlertEmailSettings } from '../../../shared/types';
import type { AlertContent } from './alert-text';
import { ALERT_RETRY_POLICY, AlertDeliveryError } from './delivery-error';

/** What is handed to the mail library (a test may pass its own sender). */
export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/** Sends one message over SMTP; throws the library's error. */
export type MailSender = (settings: AlertEmailSettings, password: string | null, message: MailMessage) => Promise<void>;

export interface EmailDeps {
  clock: Clock;
  random?: () => number;
  /** Default: nodemailer over SMTP. */
  send?: MailSender;
  /** Attempts (default ALERT_RETRY_POLICY's 3; "Send test alert" tries once: someone is waiting). */
  maxAttempts?: number;
}

/** Connect, greeting and idle limits (nodemailer's defaults are 2 min, 30 s and 10 min: too long for a test button). */
const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 };

/** Sends with nodemailer: one connection per alert (alerts are rare; a pool would hold a socket open). */
export const nodemailerSender: MailSender = async (settings, password, message) => {
  const transport = createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    ...(settings.user ? { auth: { user: settings.user, pass: password ?? '' } } : {}),
    ...TIMEOUTS,
    tls: { rejectUnauthorized: true },
  });
  try {
    await transport.sendMail({ from: message.from, to: message.to, subject: message.subject, text: message.text });
  } finally {
    transport.close();
  }
};

/** The SMTP reply code of a library error (550, 421…), if the server sent one. */
function replyCode(err: unknown): number | undefined {
  const code = (err as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' ? code : undefined;
}

/** The server's reply line, shortened (it names the reason: "5.7.1 Relaying denied"). */
function replyText(err: unknown): string {
  const r = (err as { response?: unknown }).response;
  return typeof r === 'string' ? r.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
}

/** Turns a nodemailer error into what to fix. Exported for tests. */
export function emailError(err: unknown, s: AlertEmailSettings): AlertDeliveryError {
  const code = String((err as { code?: unknown }).code ?? '');
  const reply = replyCode(err);
  const said = replyText(err) ? ` The server said: "${replyText(err)}".` : '';
  const at = `${s.host}:${s.port}`;
  const make = (c: string, retryable: boolean, userMessage: string) =>
    new AlertDeliveryError('email', { code: c, retryable, userMessage, ...(reply ? { status: reply } : {}) });
  // Node's TLS errors (self-signed, expired, wrong name) reach nodemailer under several codes.
  const tlsCode = String((err as { cause?: { code?: unknown } }).cause?.code ?? '');
  if (/certificate|self[- ]signed|altnames/i.test(String((err as Error).message)) || /CERT|SELF_SIGNED/.test(tlsCode)) {
    return make(
      'SMTP_CERTIFICATE',
      false,
      `The certificate of ${at} is not trusted or not issued for that name. Use the server's own name (as in its certificate), or ask IT to install its certificate authority on this computer.`,
    );
  }
  switch (code) {
    case 'EAUTH':
    case 'ENOAUTH':
      return make(
        'SMTP_AUTH',
        false,
        `The mail server ${at} refused the sign-in of "${s.user}".${said} Check the SMTP user and enter the SMTP password again in Settings › Alerts.`,
      );
    case 'ETLS':
      return make(
        'SMTP_TLS',
        false,
        `A secure connection to ${at} could not be made.${said} With STARTTLS use the server's submission port (usually 587), with TLS its TLS port (usually 465); a server without either cannot be used.`,
      );
    case 'EDNS':
      return make('SMTP_HOST_NOT_FOUND', false, `The mail server name "${s.host}" was not found. Check the SMTP server in Settings › Alerts.`);
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'ETIMEDOUT':
      return make(
        'SMTP_UNREACHABLE',
        true,
        `The mail server ${at} could not be reached (${code}). Check the SMTP server and port in Settings › Alerts, and that this computer may connect to it.`,
      );
    case 'EENVELOPE':
      return make(
        'SMTP_RECIPIENT',
        reply !== undefined && reply < 500,
        `The mail server ${at} refused the sender or a recipient.${said} Check the sender and recipient addresses in Settings › Alerts (many servers only send from the signed-in account's address).`,
      );
  }
  if (reply !== undefined && reply >= 400 && reply < 500)
    return make(`SMTP_${reply}`, true, `The mail server ${at} is busy (${reply}).${said} The alert is tried again.`);
  return make(
    reply ? `SMTP_${reply}` : 'SMTP_FAILED',
    false,
    `The mail server ${at} did not take the alert${reply ? ` (${reply})` : ''}.${said} Check the email settings in Settings › Alerts.`,
  );
}

/** Sends `content` to the recipients; throws AlertDeliveryError saying what to fix. */
export async function sendAlertEmail(settings: AlertEmailSettings, password: string | null, content: AlertContent, deps: EmailDeps): Promise<void> {
  if (settings.user && !password) {
    throw new AlertDeliveryError('email', {
      code: 'SMTP_PASSWORD_MISSING',
      retryable: false,
      userMessage: `No SMTP password is stored for "${settings.user}". Enter it in Settings › Alerts, or clear the SMTP user if the server takes mail without signing in.`,
    });
  }
  const send = deps.send ?? nodemailerSender;
  const message: MailMessage = { from: settings.from, to: settings.to, subject: content.subject, text: content.text };
  await withRetry(
    async () => {
      try {
        await send(settings, password, message);
      } catch (err) {
        throw err instanceof AlertDeliveryError ? err : emailError(err, settings);
      }
    },
    { ...ALERT_RETRY_POLICY, ...(deps.maxAttempts ? { maxAttempts: deps.maxAttempts } : {}) },
    { clock: deps.clock, ...(deps.random ? { random: deps.random } : {}) },
  );
}
