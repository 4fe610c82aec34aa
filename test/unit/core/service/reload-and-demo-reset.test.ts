/**
 * "Reload in full…" asks for a full reload of one table at the next run (kept until a run did it),
 * and "Reset demo" puts the demo's settings and sign-in back and reloads every table (issue #14).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConnectorService } from '../../../../main/core/service/connector-service';
import type { RunDetail } from '../../../../shared/types';
import { configuredSettings, setup } from './service-fixture';

const fullLoads = (run: RunDetail | { started: false }) => {
  assert.ok('streams' in run, 'the run started');
  return run.streams.filter((s) => s.fullLoad).map((s) => s.stream);
};

describe('reload in full at the next run', () => {
  it('reloads the asked table in full at the next run only, and keeps the request across a restart until then', async () => {
    const env = await setup();
    assert.deepEqual(fullLoads(await env.service.runNow()), ['vendor', 'ap_bill_line', 'gl_detail'], 'the first run loads everything');
    assert.deepEqual(fullLoads(await env.service.runNow()), [], 'the second is incremental');

    // Tableau lost a vendor row (someone edited the data source): only a full reload puts it back.
    const vendors = env.tableau.datasources.get('Intacct Vendors')!.rows;
    const all = vendors.size;
    vendors.delete([...vendors.keys()][0]!);
    assert.deepEqual(await env.service.requestFullReload({ stream: 'vendor' }), { pending: ['vendor'] });
    assert.deepEqual(await env.service.requestFullReload({ stream: 'vendor' }), { pending: ['vendor'] }, 'asking twice is asking once');
    assert.deepEqual((await env.service.getStatus()).pendingReloads, ['vendor']);

    // A restart before the run keeps the request (it is in the data folder).
    await env.service.shutdown();
    const again = await createConnectorService({
      clock: env.clock,
      fetch: async () => new Response(''),
      secrets: env.secrets,
      settings: env.settings,
      dataDir: env.dataDir,
      factories: env.factories,
      timer: env.timer,
      engineOptions: { batchRows: 10 },
    });
    try {
      assert.deepEqual((await again.getStatus()).pendingReloads, ['vendor']);
      const reloaded = await again.runNow();
      assert.deepEqual(fullLoads(reloaded), ['vendor']);
      assert.equal(env.tableau.datasources.get('Intacct Vendors')?.rows.size, all, 'Tableau holds every vendor again after the reload');
      assert.deepEqual((await again.getStatus()).pendingReloads, []);
      assert.deepEqual(fullLoads(await again.runNow()), [], 'the run after is incremental again');
    } finally {
      await again.shutdown();
    }
  });

  it('keeps the request when the reload did not succeed', async () => {
    const env = await setup();
    await env.service.runNow();
    await env.service.requestFullReload({ stream: 'gl_detail' });
    env.tableau.failLoad = () => new Error('Tableau is down');
    const failed = await env.service.runNow();
    assert.ok('outcome' in failed && failed.outcome !== 'succeeded', JSON.stringify('outcome' in failed && failed.outcome));
    assert.deepEqual((await env.service.getStatus()).pendingReloads, ['gl_detail']);
  });
});

describe('reset demo', () => {
  it('puts back the demo settings and sign-in and reloads every enabled table in full', async () => {
    const env = await setup({ demo: true });
    await env.service.runNow();
    const changed = configuredSettings();
    changed.intacct.senderId = 'my-own-sender';
    changed.intacct.companyId = 'my-company';
    assert.equal((await env.service.saveSettings(changed)).ok, true);
    await env.service.setCredential({ name: 'intacctUserPassword', value: 'my-own-password' });

    const r = await env.service.resetDemo();
    assert.equal(r.started, true);
    await env.service.idle();
    const settings = await env.service.getSettings();
    assert.equal(settings.intacct.senderId, 'sender');
    assert.equal(settings.intacct.companyId, 'acme');
    assert.equal(await env.secrets.get('intacctUserPassword'), 'user-secret-2');
    const run = await env.service.getRun({ runId: r.runId! });
    assert.deepEqual(run && fullLoads(run), ['vendor', 'ap_bill_line', 'gl_detail']);
    assert.equal(run?.trigger, 'demo');
  });

  it('is refused outside the demo', async () => {
    const env = await setup();
    await assert.rejects(env.service.resetDemo(), /Only the built-in demo/);
  });
});
