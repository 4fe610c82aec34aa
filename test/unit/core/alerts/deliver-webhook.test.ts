import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { createNodeFetch } from '../../../../main/core/http/transport';
import { evaluateAlerts } from '../../../../main/core/alerts/evaluate-alerts';
import { deliverAlert } from '../../../../main/core/alerts/deliver-alert';
import { webhookUrlProblem } from '../../../../main/core/alerts/deliver-webhook';
import { defaultSettings } from '../../../../main/core/service/settings';
import type { Alert, RunSummary } from '../../../../shared/types';
import { startWebhookReceiver, type WebhookReceiver } from '../../../helpers/webhook-receiver';

const t0 = Date.UTC(2026, 0, 15, 6, 0);
const fetch = createNodeFetch();

/** A run whose loaded data went in but whose dependent data source was missing (run-sync's dependentError). */
function dependentAlert(): Alert {
  const run: RunSummary = {
    runId: '20260115T060000-def456',
    trigger: 'schedule',
    startedAt: t0,
    finishedAt: t0 + 9_000,
    outcome: 'partial',
    rowsMoved: 120,
    durationMs: 9_000,
    apiTransactions: 4,
    error: {
      message: 'The data was loaded, but dependent data sources were not refreshed: "AP Dashboard" was not found in Tableau.',
      service: 'tableau',
      code: 'DEPENDENT_REFRESH_FAILED',
      kind: 'config',
    },
  };
  const [alert] = evaluateAlerts({ runs: [run], lastSuccessAt: null, now: t0 + 10_000, settings: defaultSettings().alerts });
  assert.equal(alert?.kind, 'dependent-refresh-failed');
  return alert!;
}

describe('deliverAlert to a webhook (a local HTTP receiver)', () => {
  let hook: WebhookReceiver;
  before(async () => {
    hook = await startWebhookReceiver();
  });
  after(() => hook.close());
  const url = () => `${hook.origin}/services/T0/B0/token-secret-77`;

  it('posts Slack’s shape: text fallback and Block Kit blocks with the run, the failure and the next step, and no secret', async () => {
    hook.posts.length = 0;
    const [, web] = await deliverAlert(
      dependentAlert(),
      { webhook: { kind: 'slack', url: url() } },
      { clock: new ManualClock(t0, true), fetch, secretValues: [url(), 'smtp-pass-Q7x!'] },
    );
    assert.deepEqual([web?.channel, web?.ok], ['webhook', true]);
    const [post] = hook.posts;
    assert.equal(post?.method, 'POST');
    assert.equal(post?.path, '/services/T0/B0/token-secret-77');
    assert.match(String(post?.headers['content-type']), /^application\/json/);
    const body = JSON.parse(post!.body) as { text: string; blocks: { type: string; text?: { text: string }; fields?: { type: string; text: string }[] }[] };
    assert.match(body.text, /^Dependent data sources were not refreshed: /);
    assert.deepEqual(
      body.blocks.map((b) => b.type),
      ['header', 'section', 'section'],
    );
    const fields = body.blocks[2]!.fields!.map((f) => f.text);
    assert.ok(body.blocks[2]!.fields!.every((f) => f.type === 'mrkdwn'));
    assert.ok(fields.includes('*Run*\n20260115T060000-def456'), fields.join(' | '));
    assert.ok(
      fields.some((f) =>
        f.startsWith(
          '*Failure*\nThe data was loaded, but dependent data sources were not refreshed: "AP Dashboard" was not found in Tableau. (Tableau, DEPENDENT_REFRESH_FAILED)',
        ),
      ),
    );
    assert.ok(fields.some((f) => f.startsWith('*Next step*\nCorrect or remove the data source names under Dependent data sources')));
    assert.ok(!post!.body.includes('token-secret-77'), 'the webhook address is not in the message');
    assert.ok(!post!.body.includes('smtp-pass-Q7x!'));
  });

  it('posts Teams’ shape: a message with one Adaptive Card whose facts are the run, the failure and the next step', async () => {
    hook.posts.length = 0;
    const [, web] = await deliverAlert(
      dependentAlert(),
      { webhook: { kind: 'teams', url: url() } },
      { clock: new ManualClock(t0, true), fetch, secretValues: [url()] },
    );
    assert.equal(web?.ok, true, web?.message);
    const body = JSON.parse(hook.posts[0]!.body) as {
      type: string;
      attachments: {
        contentType: string;
        contentUrl: null;
        content: { type: string; version: string; body: { type: string; text?: string; facts?: { title: string; value: string }[] }[] };
      }[];
    };
    assert.equal(body.type, 'message');
    assert.equal(body.attachments.length, 1);
    const card = body.attachments[0]!;
    assert.equal(card.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(card.contentUrl, null);
    assert.equal(card.content.type, 'AdaptiveCard');
    assert.equal(card.content.body[0]?.text, 'Dependent data sources were not refreshed');
    const facts = Object.fromEntries(card.content.body.find((b) => b.type === 'FactSet')!.facts!.map((f) => [f.title, f.value]));
    assert.equal(facts.Run, '20260115T060000-def456');
    assert.match(facts.Failure ?? '', /"AP Dashboard" was not found in Tableau/);
    assert.match(facts['Next step'] ?? '', /Correct or remove the data source names under Dependent data sources/);
  });

  it('retries a busy webhook (503, then 429 with Retry-After) and then delivers', async () => {
    hook.posts.length = 0;
    hook.answers.push({ status: 503, body: 'unavailable' }, { status: 429, body: 'rate_limited', headers: { 'retry-after': '7' } });
    const clock = new ManualClock(t0, true);
    const [, web] = await deliverAlert(
      dependentAlert(),
      { webhook: { kind: 'slack', url: url() } },
      { clock, fetch, random: () => 0.5, secretValues: [url()] },
    );
    assert.equal(web?.ok, true, web?.message);
    assert.equal(hook.posts.length, 3);
    assert.equal(clock.sleeps[1], 7_000, 'the server’s Retry-After is honoured');
  });

  it('a removed webhook (404) is not retried and says to create a new one, without the address', async () => {
    hook.posts.length = 0;
    hook.answers.push({ status: 404, body: 'no_service' });
    const [, web] = await deliverAlert(
      dependentAlert(),
      { webhook: { kind: 'slack', url: url() } },
      { clock: new ManualClock(t0, true), fetch, secretValues: [url()] },
    );
    assert.equal(web?.ok, false);
    assert.equal(hook.posts.length, 1);
    assert.match(web!.message, /Slack refused the webhook address \(HTTP 404: no_service\).*Create a new incoming webhook in Slack/);
    assert.ok(!web!.message.includes('token-secret-77'));
  });

  it('a receiver that is down is a warning result naming the channel, after three attempts, never a throw', async () => {
    const gone = await startWebhookReceiver();
    const deadUrl = `${gone.origin}/hook/secret-path-55`;
    await gone.close();
    const clock = new ManualClock(t0, true);
    const [, web] = await deliverAlert(dependentAlert(), { webhook: { kind: 'teams', url: deadUrl } }, { clock, fetch, secretValues: [deadUrl] });
    assert.equal(web?.ok, false);
    assert.match(web!.message, /^The Teams webhook could not be reached \(ECONNREFUSED\)/);
    assert.ok(!web!.message.includes('secret-path-55'));
    assert.equal(clock.sleeps.length, 2);
  });

  it('refuses an address that is not https (plain http only to this computer), and says so when none is stored', async () => {
    assert.match(webhookUrlProblem('http://hooks.slack.com/services/x') ?? '', /must start with https:\/\//);
    assert.match(webhookUrlProblem('not a url') ?? '', /not a URL/);
    assert.equal(webhookUrlProblem('https://acme.webhook.office.com/webhookb2/x'), null);
    const [, web] = await deliverAlert(
      dependentAlert(),
      { webhook: { kind: 'teams', url: null } },
      { clock: new ManualClock(t0, true), fetch, secretValues: [] },
    );
    assert.deepEqual([web?.configured, web?.ok], [true, false]);
    assert.match(web!.message, /No Teams webhook address is stored/);
  });
});
