/**
 * A new installation (issue #14, "First run"): nothing is scheduled before both sides are set up,
 * and the "not set up" error of a run made before then clears once they are.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSetupGap } from '../../../../main/core/service/status';
import { configuredSettings, setup } from './service-fixture';

async function setUpBothSides(env: Awaited<ReturnType<typeof setup>>) {
  assert.equal((await env.service.saveSettings(configuredSettings())).ok, true);
  await env.service.setCredential({ name: 'intacctSenderPassword', value: 'sender-pw' });
  await env.service.setCredential({ name: 'intacctUserPassword', value: 'user-pw' });
  await env.service.setCredential({ name: 'tableauPatSecret', value: 'pat-pw' });
}

describe('first run', () => {
  it('schedules nothing before both sides are set up: no next run, and a fire records no run', async () => {
    const env = await setup({ configured: false });
    env.service.startScheduler();
    assert.equal((await env.service.getStatus()).nextRunAt, null);
    assert.ok(env.timer.pending.length > 0, 'the default daily schedule armed its timer');
    env.clock.set(env.timer.pending[0]!.when);
    env.timer.fireAll();
    await new Promise((r) => setTimeout(r, 20));
    await env.service.idle();
    assert.deepEqual(await env.service.listRuns(), []);
    const logs = await env.service.queryLogs({ search: 'skipped' });
    assert.ok(
      logs.some((l) => /not both set up/.test(l.message)),
      JSON.stringify(logs),
    );

    await setUpBothSides(env);
    assert.ok((await env.service.getStatus()).nextRunAt, 'once set up, the next run is shown');
  });

  it('clears the "not set up" error of an earlier run once both sides are set up', async () => {
    const env = await setup({ configured: false });
    const run = await env.service.runNow({ trigger: 'manual' });
    assert.ok('outcome' in run && run.outcome === 'failed');
    let status = await env.service.getStatus();
    assert.equal(status.state, 'not-configured');
    assert.ok(isSetupGap(status.lastError), JSON.stringify(status.lastError));

    await setUpBothSides(env);
    status = await env.service.getStatus();
    assert.equal(status.state, 'idle');
    assert.equal(status.lastError, null);
  });

  it('keeps any other error: only "not set up" goes stale', () => {
    assert.equal(isSetupGap({ message: 'x', service: 'intacct', code: 'NOT_CONFIGURED' }), true);
    assert.equal(
      isSetupGap({
        message: 'x',
        service: 'intacct',
        code: 'NOT_CONFIGURED',
        problems: [
          { message: 'x', service: 'intacct', code: 'NOT_CONFIGURED' },
          { message: 'y', service: 'tableau', code: 'NOT_CONFIGURED' },
        ],
      }),
      true,
    );
    assert.equal(
      isSetupGap({
        message: 'x',
        service: 'intacct',
        code: 'NOT_CONFIGURED',
        problems: [
          { message: 'x', service: 'intacct', code: 'NOT_CONFIGURED' },
          { message: 'y', service: 'tableau', code: 'AUTH_FAILED' },
        ],
      }),
      false,
    );
    assert.equal(isSetupGap({ message: 'x', service: 'intacct', code: 'LOGIN_INVALID' }), false);
    assert.equal(isSetupGap(null), false);
  });
});
