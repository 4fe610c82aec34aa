/**
 * The commit point of a confirmed batch (issue 13, sync/checkpoint.ts): Tableau's job finished, and
 * then the audit rows become applied, the staged ledger rows become held and the cursor advances in
 * ONE transaction of connector.sqlite. A failure injected after the first of those writes must
 * leave all three where they were, and the next run must converge.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { openStore, type Store } from '../../../../main/core/store';
import { openLedger, type Ledger } from '../../../../main/core/sync/ledger';
import { runSync, type RunDeps } from '../../../../main/core/sync/run-sync';
import { rowHash, rowKey } from '../../../../main/core/sync/canonical-row';
import { defaultSettings } from '../../../../main/core/service/settings';
import { FakeSource, FakeTableau, defOf, seedCompany } from './fakes';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The real store and ledger on one database, with a switch that fails the next 'applied' mark right after it is written. */
function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const source = new FakeSource(() => clock.now());
  seedCompany(source, 30);
  source.pageSize = 10;
  clock.advance(60_000);
  const tableau = new FakeTableau();
  const dir = mkdtempSync(join(tmpdir(), 'mlc-checkpoint-'));
  dirs.push(dir);
  const real = openStore(join(dir, 'connector.sqlite'), { clock });
  const realLedger = openLedger(real.database);
  /** `audit`: fail right after the audit mark (the first write); `ledger`: right after the ledger commit (the second). */
  const fault = { armed: false, after: 'audit' as 'audit' | 'ledger' };
  const ledger: Ledger = {
    ...realLedger,
    commit(requestId, stream, opts) {
      realLedger.commit(requestId, stream, opts);
      if (fault.armed && fault.after === 'ledger') {
        fault.armed = false;
        throw new Error('injected: the process died after the ledger commit');
      }
    },
  };
  const store: Store = {
    ...real,
    markAudit(runId, stream, requestId, patch) {
      const n = real.markAudit(runId, stream, requestId, patch);
      if (fault.armed && fault.after === 'audit' && patch.result === 'applied') {
        fault.armed = false;
        throw new Error('injected: the process died after marking the audit rows applied');
      }
      return n;
    },
  };
  const settings = defaultSettings();
  settings.streams.glDetailStartDate = '2025-01-01';
  const workDir = join(dir, 'payloads');
  const logs: string[] = [];
  const deps: RunDeps = {
    clock,
    settings,
    source,
    target: tableau,
    load: tableau.load,
    writePayload: tableau.writePayload,
    store,
    ledger,
    workDir,
    options: { batchRows: 1000, reconcileEveryRunUpToRows: 1_000_000 },
    log: (_level, message) => logs.push(message),
  };
  let n = 0;
  const run = (fullReload = false) =>
    runSync(deps, { runId: `run-${++n}`, trigger: 'manual', streams: ['gl_detail'], ...(fullReload ? { fullReload: ['gl_detail' as const] } : {}) });
  return { clock, source, tableau, store: real, ledger, fault, run, logs };
}

type Env = ReturnType<typeof setup>;

/** Tableau holds exactly Intacct's GL rows, and the ledger and the audit trail's latest hashes agree with them. */
function assertConverged(env: Env): Map<string, string> {
  const def = defOf('gl_detail');
  const intacct = new Map(
    [...env.source.table('GLDETAIL').values()].map((r) => {
      const row = Object.fromEntries(def.columns.map((c) => [c.name, r[c.name] ?? null]));
      return [rowKey(def, row), rowHash(def, row)];
    }),
  );
  const tableau = new Map(env.tableau.rows(def.target.datasource).map((r) => [rowKey(def, r), rowHash(def, r)]));
  assert.deepEqual(tableau, intacct);
  const keys = [...intacct.keys()];
  assert.deepEqual(env.ledger.hashes('gl_detail', keys), intacct);
  assert.deepEqual(env.store.lastAppliedHashes('gl_detail', keys), intacct);
  return intacct;
}

describe('batchApplied is one transaction', () => {
  it('a failure after its first write moves nothing (cursor, held keys, audit), and the next run converges', async () => {
    const env = setup();
    const first = await env.run();
    assert.equal(first.outcome, 'succeeded', JSON.stringify(first.error));

    env.clock.advance(3600_000);
    const edited = [...env.source.table('GLDETAIL').keys()].slice(0, 5);
    for (const k of edited) env.source.edit('GLDETAIL', k, { AMOUNT: '7.77' });
    env.clock.advance(60_000);
    const keys = edited.map(String);
    const stateBefore = env.store.getStreamState('gl_detail');
    const heldBefore = env.ledger.hashes('gl_detail', keys);
    const latestBefore = env.store.lastAppliedHashes('gl_detail', keys);
    const loadsBefore = env.tableau.loads;

    env.fault.armed = true;
    const failed = await env.run();
    assert.equal(failed.outcome, 'failed');
    // An unexpected error reaches the run record as the one envelope's generic message with a
    // reference; the log line with that reference has the detail.
    const reference = failed.error?.reference;
    assert.ok(reference, JSON.stringify(failed.error));
    assert.ok(
      env.logs.some((l) => l.includes(reference) && /injected/.test(l)),
      'the log has the injected failure under its reference',
    );
    assert.equal(env.tableau.loads, loadsBefore + 1, 'Tableau applied the batch before the failure');
    // Nothing moved: the checkpoint, what the ledger holds, and the audit trail's applied state.
    assert.deepEqual(env.store.getStreamState('gl_detail'), stateBefore);
    assert.deepEqual(env.ledger.hashes('gl_detail', keys), heldBefore);
    assert.deepEqual(env.store.lastAppliedHashes('gl_detail', keys), latestBefore);
    const trail = env.store.queryAudit({ runId: failed.runId });
    assert.equal(trail.length, edited.length);
    assert.ok(
      trail.every((e) => e.result !== 'applied'),
      `no audit row of the failed run says applied: ${trail.map((e) => e.result).join(',')}`,
    );

    const next = await env.run();
    assert.equal(next.outcome, 'succeeded', JSON.stringify(next.error));
    assertConverged(env);
    assert.ok(env.store.getStreamState('gl_detail')!.cursor!.whenModified > stateBefore!.cursor!.whenModified);
    env.store.close();
  });

  it("a failure after the ledger commit of a full load's first (overwrite) batch: the full load is repeated and converges", async () => {
    const env = setup();
    assert.equal((await env.run()).outcome, 'succeeded');
    env.clock.advance(3600_000);
    const gone = [...env.source.table('GLDETAIL').keys()][0]!;
    env.source.remove('GLDETAIL', gone);
    env.clock.advance(60_000);
    const stateBefore = env.store.getStreamState('gl_detail')!;
    const countBefore = env.ledger.count('gl_detail');

    env.fault.after = 'ledger';
    env.fault.armed = true;
    const failed = await env.run(true);
    assert.equal(failed.outcome, 'failed');
    // The overwrite did not reach the ledger (it still holds the old rows), the cursor did not move,
    // and the full load is marked unfinished (marked before the overwrite was sent).
    assert.equal(env.ledger.count('gl_detail'), countBefore);
    assert.deepEqual(env.ledger.hashes('gl_detail', [String(gone)]).size, 1);
    const after = env.store.getStreamState('gl_detail')!;
    assert.deepEqual(after.cursor, stateBefore.cursor);
    assert.equal(after.fullLoadPending, true);
    assert.ok(env.store.queryAudit({ runId: failed.runId }).every((e) => e.result !== 'applied'));

    const next = await env.run();
    assert.equal(next.outcome, 'succeeded', JSON.stringify(next.error));
    assert.equal(next.streams[0]!.fullLoad, true, 'the unfinished full load is repeated');
    const intacct = assertConverged(env);
    assert.equal(intacct.has(String(gone)), false);
    assert.equal(env.store.getStreamState('gl_detail')!.fullLoadPending, false);
    env.store.close();
  });
});
