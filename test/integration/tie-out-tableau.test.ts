/**
 * Issue 11, acceptance 2: the tie-out reads what Tableau holds. One GL amount is changed directly
 * in the Tableau emulator's stored data, behind the connector's back; the next run's tie-out names
 * that account and period, read through VizQL Data Service; with VDS turned off in the emulator,
 * the run after reads it by downloading the data sources and querying them with the local hyperd.
 * Runs the whole service (real clients, real hyperd) against both emulators.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../main/core/clock';
import { startDemoEnvironment, type DemoEnvironment } from '../../main/demo';
import { createNodeFetch } from '../../main/core/http/transport';
import { defaultFactories } from '../../main/core/service/default-factories';
import type { RunDetail } from '../../shared/types';

const fast = defaultFactories({
  projectRoot: process.cwd(),
  intacct: { timeoutMs: 3_000, retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 } },
  tableau: { timeoutMs: 5_000, retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 }, jobPoll: { initialDelayMs: 20, factor: 1.2, maxDelayMs: 100 } },
});

async function sync(env: DemoEnvironment): Promise<RunDetail> {
  const r = await env.service.runNow({ trigger: 'manual' });
  assert.ok('outcome' in r, 'the run started');
  assert.equal(r.outcome, 'succeeded', JSON.stringify(r.error));
  return r;
}

describe('tie-out against what Tableau holds', () => {
  const root = mkdtempSync(join(tmpdir(), 'mlc-int-tieout-'));
  let env: DemoEnvironment;
  before(async () => {
    env = await startDemoEnvironment({
      dataDir: join(root, 'data'),
      glRows: 1500,
      clock: systemClock,
      fetch: createNodeFetch({}),
      factories: fast,
      engineOptions: { batchRows: 800 },
      tableau: { jobPollsToComplete: 1 },
    });
  });
  after(async () => {
    await env?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('names the account and period of an amount changed in Tableau, read through VDS and, with VDS off, through a download', async () => {
    const first = await sync(env);
    assert.equal(first.tieOut?.ok, true, JSON.stringify(first.tieOut?.differences));
    assert.equal(first.tieOut?.readFrom, 'vds');
    assert.match(first.tieOut?.readNote ?? '', /VizQL Data Service \(\d+ queries\)/);
    const streamsTied = first.tieOut!.counts.length;
    // Few VDS calls: one read-metadata, one query per data source.
    assert.deepEqual(
      [env.tableau.vdsQueries.filter((q) => q === 'read-metadata').length, env.tableau.vdsQueries.filter((q) => q === 'query-datasource').length],
      [1, streamsTied],
    );

    // Behind the connector's back: one GL line's amount changes by 10.00 in Tableau's stored data.
    const rows = (await env.tableau.readRows('Intacct GL Detail'))!;
    const victim = rows.find((r) => typeof r.BATCH_DATE === 'string' && r.ACCOUNTNO !== null)!;
    const account = String(victim.ACCOUNTNO);
    const period = String(victim.BATCH_DATE).slice(0, 7);
    await env.tableau.alterStoredData('Intacct GL Detail', (t) => `UPDATE ${t} SET "AMOUNT" = "AMOUNT" + 10 WHERE "RECORDNO" = '${String(victim.RECORDNO)}'`);

    const second = await sync(env);
    assert.equal(second.tieOut?.readFrom, 'vds');
    assert.equal(second.tieOut?.ok, false);
    const diffs = second.tieOut!.differences.filter((d) => d.stream === 'gl_detail');
    assert.equal(diffs.length, 1, JSON.stringify(second.tieOut!.differences));
    assert.equal(diffs[0]!.account, account);
    assert.equal(diffs[0]!.period, period);
    assert.equal((Number(diffs[0]!.tableau) - Number(diffs[0]!.intacct)).toFixed(2), '10.00');
    assert.ok(
      second.tieOut!.counts.every((c) => c.match),
      'row counts still agree',
    );
    const lines = await env.service.queryLogs({ runId: second.runId, search: 'Tie-out' });
    assert.ok(
      lines.some((l) => l.message.includes(`gl_detail account ${account} ${period}`) && /VizQL Data Service/.test(l.message)),
      JSON.stringify(lines.map((l) => l.message)),
    );

    // VDS off (Tableau Server before 2025.1): the same difference, read from downloads.
    env.tableau.setVds(false);
    const vdsCalls = env.tableau.vdsQueries.length;
    const third = await sync(env);
    assert.equal(third.tieOut?.readFrom, 'download');
    assert.match(third.tieOut?.readNote ?? '', /downloading \d+ data sources and querying them with the local Hyper engine/);
    const again = third.tieOut!.differences.filter((d) => d.stream === 'gl_detail');
    assert.deepEqual(
      again.map((d) => [d.account, d.period, d.intacct, d.tableau]),
      diffs.map((d) => [d.account, d.period, d.intacct, d.tableau]),
    );
    assert.equal(env.tableau.vdsQueries.length, vdsCalls, 'no VDS query answered while it is off');
    assert.ok(env.tableau.requests.some((r) => /\/datasources\/[^/]+\/content$/.test(r.path) && /includeExtract=true/.test(r.query) && r.status === 200));

    // A row Tableau lost shows in the counts too.
    await env.tableau.alterStoredData('Intacct GL Detail', (t) => `DELETE FROM ${t} WHERE "RECORDNO" = '${String(victim.RECORDNO)}'`);
    const fourth = await sync(env);
    const gl = fourth.tieOut!.counts.find((c) => c.stream === 'gl_detail')!;
    assert.equal(gl.intacct - gl.tableau, 1);
  });
});
