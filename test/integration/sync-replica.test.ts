/**
 * The local replica against both emulators (issue 15): after a full load, after an incremental run
 * with edits, additions and deletions, and after runs with faults and retries, every stream's
 * replica table equals the Tableau emulator's data source row for row; a failure injected between
 * the replica's apply and the checkpoint's commit (the replica ahead by a batch) converges on the
 * next run.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../main/core/clock';
import { createNodeFetch } from '../../main/core/http/transport';
import { startDemoEnvironment, type DemoEnvironment } from '../../main/demo';
import { defaultFactories } from '../../main/core/service/default-factories';
import type { ServiceFactories } from '../../main/core/service/runtime';
import { replicaPath } from '../../main/core/replica';
import { streamByName, streamDefinitions } from '../../main/core/streams/definitions';
import type { ReplicaBatch } from '../../main/core/sync/ports';
import type { RunDetail, StreamName } from '../../shared/types';

const fast = defaultFactories({
  projectRoot: process.cwd(),
  intacct: { timeoutMs: 3_000, retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 } },
  tableau: { timeoutMs: 5_000, retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 8 }, jobPoll: { initialDelayMs: 20, factor: 1.2, maxDelayMs: 100 } },
});

/** The real factories, with a switch that throws right after the replica applied a chosen batch. */
function withCrashAfterReplica(base: ServiceFactories, fault: { when: ((b: ReplicaBatch) => boolean) | null; hits: string[] }): ServiceFactories {
  return {
    ...base,
    async startPayloadWriter(a) {
      const w = await base.startPayloadWriter(a);
      const real = w.replica!;
      return {
        ...w,
        replica: {
          ...real,
          async apply(b) {
            await real.apply(b);
            if (fault.when?.(b)) {
              fault.when = null;
              fault.hits.push(`${b.def.name}:${b.kind}`);
              throw new Error('injected: the process died after the replica applied the batch, before the checkpoint');
            }
          },
        },
      };
    },
  };
}

async function start(dir: string, factories: ServiceFactories, glRows = 600): Promise<DemoEnvironment> {
  return startDemoEnvironment({
    dataDir: dir,
    glRows,
    clock: systemClock,
    fetch: createNodeFetch({}),
    factories,
    engineOptions: { batchRows: 250 },
    tableau: { jobPollsToComplete: 1 },
  });
}

async function sync(env: DemoEnvironment, req: { streams?: StreamName[]; fullReload?: StreamName[] } = {}): Promise<RunDetail> {
  const r = await env.service.runNow({ trigger: 'manual', ...req });
  assert.ok('outcome' in r, 'the run started');
  return r;
}

/** Tableau equals Intacct, and every stream's replica equals Tableau and says it is current. */
async function assertReplicaEqualsTableau(env: DemoEnvironment): Promise<void> {
  const sides = await env.compare();
  assert.deepEqual(
    sides.filter((s) => !s.match).map((s) => `${s.name}: ${s.problems.join('; ')}`),
    [],
  );
  const replica = await env.compareReplica();
  assert.deepEqual(
    replica.filter((s) => !s.match).map((s) => `${s.name}: ${s.problems.join('; ')}`),
    [],
  );
  assert.equal(replica.length, streamDefinitions.length);
  assert.ok(replica.some((s) => s.replicaRows > 0));
  const status = await (await env.service.replica())!.status(streamDefinitions);
  assert.deepEqual(
    status.streams.filter((s) => s.state !== 'current').map((s) => `${s.stream}: ${s.state} (${s.reason})`),
    [],
  );
}

/** WHENMODIFIED has whole seconds: keep edits apart from a run's start. */
const tick = () => new Promise((r) => setTimeout(r, 1100));

function editCompany(env: DemoEnvironment, round: number): void {
  const c = env.intacct.company;
  const vendors = [...c.list('VENDOR')].map((r) => Number(r.RECORDNO));
  c.edit('VENDOR', vendors[0]!, { NAME: `Smith & <Sons> "Ltd" ${round}` });
  c.add('VENDOR', { VENDORID: `V-NEW-${round}`, NAME: `Brand new vendor ${round}`, STATUS: 'active', CREDITLIMIT: `${round}00.25` });
  c.remove('VENDOR', vendors[2 + round]!);
  const gl = [...c.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL')].slice(0, 40);
  for (const r of gl.slice(0, 3)) c.edit('GLDETAIL', r.RECORDNO!, { AMOUNT: `${round}234.56`, DESCRIPTION: `corrected ${round}` });
  for (const r of gl.slice(10, 13)) c.remove('GLDETAIL', r.RECORDNO!);
  c.add('GLDETAIL', { ...gl[20]!, RECORDNO: '', AMOUNT: '-0.01' });
  const lines = [...c.list('APBILLITEM')].map((r) => Number(r.RECORDNO));
  c.remove('APBILLITEM', lines[round]!);
}

describe('the local replica against the emulators', () => {
  const root = mkdtempSync(join(tmpdir(), 'mlc-int-replica-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  describe('full load, incremental runs, and a failure between the replica and the checkpoint', () => {
    const fault: { when: ((b: ReplicaBatch) => boolean) | null; hits: string[] } = { when: null, hits: [] };
    let env: DemoEnvironment;
    before(async () => {
      env = await start(join(root, 'runs'), withCrashAfterReplica(fast, fault));
    });
    after(async () => env?.close());

    it('equals Tableau after the full load and after an incremental run with edits, additions and deletions', async () => {
      const first = await sync(env);
      assert.equal(first.outcome, 'succeeded', JSON.stringify(first.error));
      assert.ok(first.streams.every((s) => s.fullLoad));
      await assertReplicaEqualsTableau(env);
      const before = (await (await env.service.replica())!.status([streamByName('gl_detail')])).streams[0]!;

      await tick();
      editCompany(env, 1);
      await tick();
      const second = await sync(env);
      assert.equal(second.outcome, 'succeeded', JSON.stringify(second.error));
      assert.ok(second.streams.every((s) => !s.fullLoad));
      assert.deepEqual(
        second.streams
          .filter((s) => s.rowsUpserted + s.rowsDeleted > 0)
          .map((s) => s.stream)
          .sort(),
        ['ap_bill_line', 'gl_detail', 'vendor'],
      );
      await assertReplicaEqualsTableau(env);
      const after = (await (await env.service.replica())!.status([streamByName('gl_detail')])).streams[0]!;
      assert.ok(after.dataAsOf! > before.dataAsOf!, 'data as of the second run');
    });

    for (const [what, kind, stream, fullReload] of [
      ['an incremental upsert batch', 'upsert', 'gl_detail', false],
      ['a deletion batch', 'delete', 'vendor', false],
      ["a full load's first (replacing) batch", 'replace', 'gl_detail', true],
    ] as const) {
      it(`a failure right after the replica applied ${what}, before the checkpoint: the next run converges`, async () => {
        await tick();
        editCompany(env, fault.hits.length + 2);
        await tick();
        const stateBefore = (await env.service.getStatus()).streams.find((s) => s.stream === stream)!.checkpoint;
        fault.when = (b) => b.kind === kind && b.def.name === stream;
        const failed = await sync(env, fullReload ? { fullReload: [stream] } : {});
        assert.equal(fault.hits.at(-1), `${stream}:${kind}`, 'the fault was hit');
        assert.equal(failed.outcome, 'partial');
        assert.equal(failed.streams.find((s) => s.stream === stream)!.outcome, 'failed');
        // The checkpoint did not take the batch (its audit rows are not applied), yet the replica
        // already equals Tableau, which did: the replica is ahead of the checkpoint by this batch.
        const trail = await env.service.queryAudit({ runId: failed.runId, stream });
        const sent = trail.filter((e) => (kind === 'delete' ? e.action === 'delete' : e.action !== 'delete'));
        assert.ok(sent.length > 0 && sent.every((e) => e.result !== 'applied'), JSON.stringify(sent.map((e) => e.result)));
        if (kind === 'upsert')
          assert.equal((await env.service.getStatus()).streams.find((s) => s.stream === stream)!.checkpoint, stateBefore, 'the cursor did not move');
        const ahead = (await env.compareReplica()).find((s) => s.name === stream)!;
        assert.equal(ahead.match, true, ahead.problems.join('; '));

        const next = await sync(env);
        assert.equal(next.outcome, 'succeeded', JSON.stringify(next.error));
        if (fullReload) assert.equal(next.streams.find((s) => s.stream === stream)!.fullLoad, true, 'the unfinished full load is repeated');
        await assertReplicaEqualsTableau(env);
      });
    }

    it('a replica deleted by the user is rebuilt stream by stream by the next full loads, and never fails a run', async () => {
      rmSync(replicaPath(env.dataDir));
      await tick();
      editCompany(env, 9);
      await tick();
      const run = await sync(env);
      assert.equal(run.outcome, 'succeeded', JSON.stringify(run.error));
      const replica = (await env.service.replica())!;
      const status = await replica.status(streamDefinitions);
      assert.ok(
        status.streams.every((s) => s.state === 'missing'),
        JSON.stringify(status.streams),
      );
      const full = await sync(env, { fullReload: streamDefinitions.map((d) => d.name) });
      assert.equal(full.outcome, 'succeeded', JSON.stringify(full.error));
      await assertReplicaEqualsTableau(env);
    });
  });

  describe('faults and retries', () => {
    let env: DemoEnvironment;
    before(async () => {
      env = await start(join(root, 'faults'), fast);
    });
    after(async () => env?.close());

    it('with 10% of calls faulted on both sides, the replica still equals Tableau once the runs succeed', async () => {
      env.intacct.setFaults({ rate: 0.1, kinds: ['http500', 'http429', 'drop', 'malformed', 'transient', 'sessionExpire'], seed: 5 });
      env.tableau.setFaults({ rate: 0.1, kinds: ['expire401', 'http429', 'http5xx', 'jobFail'], seed: 13 });
      let run = await sync(env);
      for (let i = 0; i < 3 && run.outcome !== 'succeeded'; i++) run = await sync(env);
      assert.equal(run.outcome, 'succeeded', JSON.stringify(run.error));
      await tick();
      editCompany(env, 1);
      await tick();
      run = await sync(env);
      for (let i = 0; i < 3 && run.outcome !== 'succeeded'; i++) run = await sync(env);
      assert.equal(run.outcome, 'succeeded', JSON.stringify(run.error));
      env.intacct.setFaults({ rate: 0, kinds: [] });
      env.tableau.setFaults({ rate: 0, kinds: [] });
      assert.ok(
        env.tableau.requests.some((r) => r.fault),
        'faults were injected',
      );
      await assertReplicaEqualsTableau(env);
    });
  });
});
