import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { AuthError } from '../../../../main/core/errors';
import { evaluateAlerts } from '../../../../main/core/alerts';
import { createNodeFetch } from '../../../../main/core/http/transport';
import { createConnectorService, type ConnectorService } from '../../../../main/core/service/connector-service';
import { defaultSettings } from '../../../../main/core/service/settings';
import { memorySecretStore, memorySettingsStore } from '../../../../main/core/service/stores';
import type { Settings } from '../../../../shared/types';
import { FakeSource, FakeTableau, seedCompany } from '../sync/fakes';
import { mailSubject, mailText, startSmtpReceiver, type SmtpReceiver } from '../../../helpers/smtp-receiver';
import { startWebhookReceiver, type WebhookReceiver } from '../../../helpers/webhook-receiver';

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

const SECRETS = {
  intacctSenderPassword: 'sender-secret-1a',
  intacctUserPassword: 'user-secret-2b',
  tableauPatSecret: 'pat-secret-3c',
  smtpPassword: 'smtp-secret-4d',
};

/** A configured service whose alerts go by email to `smtp` and to a Slack webhook at `hook` (real sockets, real evaluateAlerts). */
async function setup(smtp: { port: number }, hookUrl: string) {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12), true);
  const source = new FakeSource(() => clock.now());
  seedCompany(source, 10);
  const tableau = new FakeTableau();
  const dataDir = mkdtempSync(join(tmpdir(), 'mlc-alert-delivery-'));
  const s: Settings = defaultSettings();
  s.intacct = { ...s.intacct, senderId: 'sender', companyId: 'acme', userId: 'api' };
  s.tableau = { ...s.tableau, serverUrl: 'https://tableau.example.com', site: 'acme', patName: 'connector', project: 'Finance' };
  s.alerts.email = {
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    user: 'alerts@acme.example',
    from: 'alerts@acme.example',
    to: ['controller@acme.example'],
  };
  s.alerts.webhook = { kind: 'slack' };
  const secrets = memorySecretStore({ ...SECRETS, alertWebhookUrl: hookUrl });
  const service = await createConnectorService({
    clock,
    fetch: createNodeFetch(),
    secrets,
    settings: memorySettingsStore(s),
    dataDir,
    factories: {
      createSource: () => source,
      createTarget: () => ({ client: tableau, load: tableau.load }),
      startPayloadWriter: async () => ({ write: tableau.writePayload, stop: async () => {} }),
      evaluateAlerts: (input) => evaluateAlerts(input),
    },
    engineOptions: { batchRows: 10 },
  });
  cleanup.push(
    () => rmSync(dataDir, { recursive: true, force: true }),
    () => service.shutdown(),
  );
  return { service, source, secrets, hookUrl, clock };
}

/** Waits until a log line matches (deliveries run in the background). */
async function logLine(service: ConnectorService, re: RegExp): Promise<string> {
  const end = Date.now() + 5_000;
  for (;;) {
    const hit = (await service.queryLogs({ limit: 200 })).find((e) => re.test(e.message));
    if (hit) return `${hit.level} ${hit.message}`;
    if (Date.now() > end) throw new Error(`no log line matching ${re}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('alert delivery through the service', () => {
  let smtp: SmtpReceiver;
  let hook: WebhookReceiver;

  it('a failed run sends an email and a Slack message naming the run, the failure and the next step, and no secret', async () => {
    smtp = await startSmtpReceiver({ user: 'alerts@acme.example', password: SECRETS.smtpPassword });
    hook = await startWebhookReceiver();
    cleanup.push(
      () => smtp.close(),
      () => hook.close(),
    );
    const env = await setup(smtp, `${hook.origin}/services/T1/B1/hook-secret-5e`);
    env.source.failWith = new AuthError({
      service: 'intacct',
      code: 'LOGIN_INVALID',
      userMessage: 'Intacct sign-in failed: check the user ID, company ID and user password.',
    });
    const run = await env.service.runNow();
    assert.ok('outcome' in run && run.outcome === 'failed');

    const [mail] = await smtp.waitFor(1);
    const [post] = await hook.waitFor(1);
    const subject = mailSubject(mail!.raw);
    const text = mailText(mail!.raw);
    assert.match(subject, new RegExp(`Sync failed \\(run ${run.runId}\\)`));
    assert.match(text, new RegExp(`Run: ${run.runId}`));
    assert.match(text, /Failure: Intacct sign-in failed: check the user ID, company ID and user password\. \(Sage Intacct, LOGIN_INVALID\)/);
    assert.match(text, /Next step: Check the company ID, user ID and user password, run “Test Intacct connection”, then Sync now again\./);
    const slack = JSON.parse(post!.body) as { text: string; blocks: { fields?: { text: string }[] }[] };
    assert.match(slack.text, /^Sync failed: The sync failed: Intacct sign-in failed/);
    assert.ok(slack.blocks[2]?.fields?.some((f) => f.text === `*Run*\n${run.runId}`));
    assert.ok(slack.blocks[2]?.fields?.some((f) => /^\*Next step\*\nCheck the company ID/.test(f.text)));
    for (const secret of [...Object.values(SECRETS), env.hookUrl, 'hook-secret-5e']) {
      assert.ok(!mail!.raw.includes(secret), `mail holds ${secret}`);
      assert.ok(!post!.body.includes(secret), `webhook post holds ${secret}`);
    }
    assert.match(await logLine(env.service, /^Alert email: Sent to controller@acme\.example/), /^info /);
    assert.match(await logLine(env.service, /^Teams\/Slack alert: Posted to the Slack webhook/), /^info /);
    const logs = JSON.stringify(await env.service.queryLogs({ limit: 500 }));
    for (const secret of [...Object.values(SECRETS), 'hook-secret-5e']) assert.ok(!logs.includes(secret), `log holds ${secret}`);
  });

  it('"Send test alert" reports each channel; a draft with a typed webhook address is used and not saved', async () => {
    const env = await setup(smtp, `${hook.origin}/services/T1/B1/hook-secret-5e`);
    const before = { mails: smtp.mails.length, posts: hook.posts.length };
    const { results } = await env.service.sendTestAlert();
    assert.deepEqual(
      results.map((r) => [r.channel, r.configured, r.ok]),
      [
        ['email', true, true],
        ['webhook', true, true],
      ],
    );
    assert.equal(smtp.mails.length, before.mails + 1);
    assert.match(mailSubject(smtp.mails.at(-1)!.raw), /ml-connector: Test alert/);
    assert.equal(hook.posts.length, before.posts + 1);

    const draft = await env.service.getSettings();
    draft.alerts.email.host = '';
    draft.alerts.webhook = { kind: 'teams' };
    const typed = `${hook.origin}/workflows/typed-secret-6f`;
    const second = await env.service.sendTestAlert({ draft, secrets: { alertWebhookUrl: typed } });
    assert.deepEqual(
      second.results.map((r) => [r.channel, r.configured, r.ok]),
      [
        ['email', false, false],
        ['webhook', true, true],
      ],
    );
    assert.equal(hook.posts.at(-1)?.path, '/workflows/typed-secret-6f');
    assert.equal((JSON.parse(hook.posts.at(-1)!.body) as { type: string }).type, 'message', 'the draft’s Teams shape');
    assert.equal(await env.secrets.get('alertWebhookUrl'), env.hookUrl, 'the typed address was not saved');
    assert.equal((await env.service.getSettings()).alerts.webhook.kind, 'slack', 'the draft was not saved');

    const bad = await env.service.getSettings();
    bad.alerts.email.to = ['not-an-address'];
    const refused = await env.service.sendTestAlert({ draft: bad });
    assert.ok(refused.results.every((r) => !r.ok && /alerts\.email\.to\.0: Write one address like controller@example\.com/.test(r.message)));
  });

  it('a mail server and webhook that are down: the run ends as it would, each channel is a warning that says what to fix', async () => {
    const deadSmtp = await startSmtpReceiver();
    await deadSmtp.close();
    const deadHook = await startWebhookReceiver();
    await deadHook.close();
    const env = await setup(deadSmtp, `${deadHook.origin}/services/T9/B9/dead-secret-7g`);
    env.source.failWith = new AuthError({
      service: 'intacct',
      code: 'LOGIN_INVALID',
      userMessage: 'Intacct sign-in failed: check the user ID, company ID and user password.',
    });
    const run = await env.service.runNow();
    assert.ok('outcome' in run && run.outcome === 'failed');
    assert.match(
      await logLine(env.service, /^Alert email not delivered/),
      new RegExp(
        `^warn Alert email not delivered: The mail server 127\\.0\\.0\\.1:${deadSmtp.port} could not be reached .*Check the SMTP server and port in Settings › Alerts`,
      ),
    );
    assert.match(
      await logLine(env.service, /^Teams\/Slack alert not delivered/),
      /^warn Teams\/Slack alert not delivered: The Slack webhook could not be reached \(ECONNREFUSED\)/,
    );
    const waits = env.clock.sleeps.length;
    assert.equal(waits, 4, 'the run’s alert was tried three times on each channel (two waits each)');
    const { results } = await env.service.sendTestAlert();
    assert.deepEqual(
      results.map((r) => [r.channel, r.ok]),
      [
        ['email', false],
        ['webhook', false],
      ],
    );
    assert.equal(env.clock.sleeps.length, waits, 'the test alert is tried once: someone is waiting for the answer');
    assert.match(await logLine(env.service, /^Test alert: email failed/), /^warn /);
    // The service still works after the failed deliveries.
    env.source.failWith = null;
    const next = await env.service.runNow();
    assert.ok('outcome' in next && next.outcome === 'succeeded', JSON.stringify('outcome' in next ? next.error : next));
    assert.ok(!JSON.stringify(await env.service.queryLogs({ limit: 500 })).includes('dead-secret-7g'));
  });

  it('a changed mail server does not get the stored SMTP password: saving removes it unless confirmed', async () => {
    const env = await setup({ port: 2525 }, 'https://hooks.slack.example/services/T/B/x-secret');
    const moved = await env.service.getSettings();
    moved.alerts.email.host = 'smtp.elsewhere.example';
    moved.alerts.email.security = 'starttls';
    const kept = await env.service.saveSettings({ ...moved, confirmEndpointChange: true });
    assert.ok(kept.ok && !kept.clearedSecrets);
    assert.equal(await env.secrets.get('smtpPassword'), SECRETS.smtpPassword);
    moved.alerts.email.host = 'smtp.attacker.example';
    const saved = await env.service.saveSettings(moved);
    assert.ok(saved.ok);
    assert.deepEqual(saved.clearedSecrets, ['smtpPassword']);
    assert.equal(await env.secrets.get('smtpPassword'), null);
    assert.equal(await env.secrets.get('alertWebhookUrl'), 'https://hooks.slack.example/services/T/B/x-secret', 'other secrets stay');
    assert.match(
      await logLine(env.service, /alert mail server changed from 127/),
      /to smtp\.elsewhere\.example:2525; the stored secrets are kept for it, as confirmed/,
    );
    assert.match(
      await logLine(env.service, /alert mail server changed from smtp\.elsewhere/),
      /^warn .*to smtp\.attacker\.example:2525; its stored secrets were removed/,
    );
  });
});
