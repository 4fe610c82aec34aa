import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { evaluateAlerts } from '../../../../main/core/alerts/evaluate-alerts';
import { deliverAlert } from '../../../../main/core/alerts/deliver-alert';
import { defaultSettings } from '../../../../main/core/service/settings';
import type { Alert, AlertEmailSettings, RunSummary } from '../../../../shared/types';
import { mailSubject, mailText, startSmtpReceiver, type SmtpReceiver } from '../../../helpers/smtp-receiver';

const SMTP_PASSWORD = 'smtp-pass-Q7x!';
const WEBHOOK_URL = 'https://hooks.slack.com/services/T0/B0/webhook-token-K9';
const PAT = 'pat-secret-3f9a';
const t0 = Date.UTC(2026, 0, 15, 6, 0);

/** A failed run's alert as the service raises it: evaluateAlerts on the run record. */
function failedRunAlert(message = 'Sage Intacct refused the sign-in: check the user ID, company ID and user password.'): Alert {
  const run: RunSummary = {
    runId: '20260115T060000-abc123',
    trigger: 'schedule',
    startedAt: t0,
    finishedAt: t0 + 5_000,
    outcome: 'failed',
    rowsMoved: 0,
    durationMs: 5_000,
    apiTransactions: 1,
    error: { message, service: 'intacct', code: 'LOGIN_INVALID', kind: 'config' },
  };
  const [alert] = evaluateAlerts({ runs: [run], lastSuccessAt: null, now: t0 + 6_000, settings: defaultSettings().alerts });
  assert.ok(alert);
  return alert;
}

const emailSettings = (port: number, over: Partial<AlertEmailSettings> = {}): AlertEmailSettings => ({
  host: '127.0.0.1',
  port,
  security: 'none',
  user: 'alerts@example.com',
  from: 'alerts@example.com',
  to: ['controller@example.com', 'it@example.com'],
  ...over,
});

describe('deliverAlert by email (a real SMTP server on 127.0.0.1)', () => {
  let smtp: SmtpReceiver;
  before(async () => {
    smtp = await startSmtpReceiver({ user: 'alerts@example.com', password: SMTP_PASSWORD });
  });
  after(() => smtp.close());

  it('sends the run, the failure and the next step to every recipient, signed in with the keychain password, and no secret', async () => {
    const before = smtp.mails.length;
    const results = await deliverAlert(
      failedRunAlert(),
      { email: { settings: emailSettings(smtp.port), password: SMTP_PASSWORD } },
      { clock: new ManualClock(t0, true), fetch: async () => new Response(''), secretValues: [SMTP_PASSWORD, WEBHOOK_URL, PAT] },
    );
    assert.deepEqual(
      results.map((r) => [r.channel, r.configured, r.ok]),
      [
        ['email', true, true],
        ['webhook', false, false],
      ],
    );
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    assert.ok(mail);
    assert.deepEqual(mail.to, ['controller@example.com', 'it@example.com']);
    assert.equal(mail.from, 'alerts@example.com');
    assert.deepEqual(smtp.logins.at(-1), { user: 'alerts@example.com', password: SMTP_PASSWORD });
    const subject = mailSubject(mail.raw);
    assert.match(subject, /Sync failed/);
    assert.match(subject, /20260115T060000-abc123/);
    const body = mailText(mail.raw);
    assert.match(body, /Run: 20260115T060000-abc123/);
    assert.match(body, /Failure: Sage Intacct refused the sign-in: check the user ID, company ID and user password\. \(Sage Intacct, LOGIN_INVALID\)/);
    assert.match(body, /Next step: Check the company ID, user ID and user password, run “Test Intacct connection”, then Sync now again\./);
    for (const secret of [SMTP_PASSWORD, WEBHOOK_URL, PAT]) assert.ok(!mail.raw.includes(secret), `the mail holds ${secret}`);
  });

  it('removes a secret that found its way into an error message before it is sent', async () => {
    const before = smtp.mails.length;
    const leaky = failedRunAlert(`Tableau refused the token ${PAT} for site acme.`);
    await deliverAlert(
      leaky,
      { email: { settings: emailSettings(smtp.port), password: SMTP_PASSWORD } },
      { clock: new ManualClock(t0, true), fetch: async () => new Response(''), secretValues: [PAT] },
    );
    const mail = (await smtp.waitFor(before + 1)).at(-1)!;
    assert.ok(!mail.raw.includes(PAT));
    assert.match(mailText(mail.raw), /Tableau refused the token \[redacted\] for site acme/);
  });

  it('reports a refused SMTP password as what to fix, without the password', async () => {
    const [mail] = await deliverAlert(
      failedRunAlert(),
      { email: { settings: emailSettings(smtp.port), password: 'wrong-password-1' } },
      { clock: new ManualClock(t0, true), fetch: async () => new Response(''), secretValues: ['wrong-password-1'] },
    );
    assert.equal(mail?.ok, false);
    assert.match(mail!.message, /refused the sign-in of "alerts@example.com".*enter the SMTP password again in Settings › Alerts/);
    assert.ok(!mail!.message.includes('wrong-password-1'));
  });

  it('asks for the password when a user is set but none is stored, without connecting', async () => {
    const logins = smtp.logins.length;
    const [mail] = await deliverAlert(
      failedRunAlert(),
      { email: { settings: emailSettings(smtp.port), password: null } },
      { clock: new ManualClock(t0, true), fetch: async () => new Response(''), secretValues: [] },
    );
    assert.equal(mail?.ok, false);
    assert.match(mail!.message, /No SMTP password is stored for "alerts@example.com"/);
    assert.equal(smtp.logins.length, logins);
  });
});

describe('deliverAlert by email: TLS and a server that is down', () => {
  it('with STARTTLS chosen, refuses a server that does not offer it, before the password is sent', async () => {
    const smtp = await startSmtpReceiver({ server: { disabledCommands: ['STARTTLS'] } });
    try {
      const [mail] = await deliverAlert(
        failedRunAlert(),
        { email: { settings: emailSettings(smtp.port, { security: 'starttls' }), password: SMTP_PASSWORD } },
        { clock: new ManualClock(t0, true), fetch: async () => new Response(''), secretValues: [SMTP_PASSWORD] },
      );
      assert.equal(mail?.ok, false);
      assert.match(mail!.message, /secure connection to 127\.0\.0\.1:\d+ could not be made/);
      assert.deepEqual(smtp.logins, []);
      assert.deepEqual(smtp.mails, []);
    } finally {
      await smtp.close();
    }
  });

  it('with STARTTLS, checks the certificate: a self-signed one is refused and nothing is sent', async () => {
    const smtp = await startSmtpReceiver();
    try {
      const [mail] = await deliverAlert(
        failedRunAlert(),
        { email: { settings: emailSettings(smtp.port, { security: 'starttls' }), password: SMTP_PASSWORD } },
        { clock: new ManualClock(t0, true), fetch: async () => new Response(''), secretValues: [SMTP_PASSWORD] },
      );
      assert.equal(mail?.ok, false);
      assert.match(mail!.message, /certificate of 127\.0\.0\.1:\d+ is not trusted/);
      assert.deepEqual(smtp.logins, []);
    } finally {
      await smtp.close();
    }
  });

  it('a server that is down is a result that names the server and what to check, tried three times, never a throw', async () => {
    const smtp = await startSmtpReceiver();
    const port = smtp.port;
    await smtp.close();
    const clock = new ManualClock(t0, true);
    const [mail] = await deliverAlert(
      failedRunAlert(),
      { email: { settings: emailSettings(port), password: SMTP_PASSWORD } },
      { clock, fetch: async () => new Response(''), secretValues: [SMTP_PASSWORD] },
    );
    assert.equal(mail?.ok, false);
    assert.match(mail!.message, new RegExp(`mail server 127\\.0\\.0\\.1:${port} could not be reached \\(ECONNECTION|ESOCKET\\)`));
    assert.match(mail!.message, /Check the SMTP server and port in Settings › Alerts/);
    assert.equal(clock.sleeps.length, 2, 'two waits between three attempts');
  });
});

describe('settings for alert email', () => {
  it('names the field and what to write for a bad address, port, host or plain SMTP to another machine', async () => {
    const { validateSettings } = await import('../../../../main/core/service/settings');
    const s = defaultSettings();
    s.alerts.email = {
      host: 'https://smtp.example.com',
      port: 70000,
      security: 'starttls',
      user: '',
      from: 'Alerts <alerts@example.com>',
      to: ['controller@example', 'ok@example.com'],
    };
    const r = validateSettings(s);
    assert.equal(r.ok, false);
    const e = r.ok ? {} : r.errors;
    assert.match(e['alerts.email.host'] ?? '', /mail server’s name only, like smtp\.office365\.com/);
    assert.match(e['alerts.email.port'] ?? '', /Ports run from 1 to 65535/);
    assert.match(e['alerts.email.from'] ?? '', /like alerts@example\.com \(no name, no angle brackets\)/);
    assert.match(e['alerts.email.to.0'] ?? '', /one address like controller@example\.com/);
    assert.equal(e['alerts.email.to.1'], undefined);
    s.alerts.email = { host: 'smtp.example.com', port: 25, security: 'none', user: '', from: '', to: [] };
    const r2 = validateSettings(s);
    const e2 = r2.ok ? {} : r2.errors;
    assert.match(e2['alerts.email.security'] ?? '', /Use STARTTLS \(port 587\) or TLS \(port 465\)/);
    assert.match(e2['alerts.email.from'] ?? '', /Enter the sender address/);
    assert.match(e2['alerts.email.to'] ?? '', /at least one recipient/);
    s.alerts.email = { host: 'localhost', port: 25, security: 'none', user: '', from: 'a@example.com', to: ['b@example.com'] };
    assert.equal(validateSettings(s).ok, true, 'plain SMTP to a relay on this computer is allowed');
  });
});
