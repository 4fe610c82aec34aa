import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { ApiError, AuthError, CancelledError } from '../../../../main/core/errors';
import { openLedger } from '../../../../main/core/sync/ledger';
import { runSync, type RunDeps } from '../../../../main/core/sync/run-sync';
import { rowHash, rowKey } from '../../../../main/core/sync/canonical-row';
import { defaultSettings } from '../../../../main/core/service/settings';
import type { StreamName } from '../../../../shared/types';
import { FakeSource, FakeStore, FakeTableau, defOf, seedCompany, testStreams } from './fakes';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(opts: { glRows?: number; batchRows?: number } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const source = new FakeSource(() => clock.now());
  seedCompany(source, opts.glRows ?? 50);
  // Small pages, so that a few dozen rows make several pages and batches.
  source.pageSize = 10;
  clock.advance(60_000);
  const tableau = new FakeTableau();
  const store = new FakeStore();
  const ledger = openLedger(':memory:');
  const settings = defaultSettings();
  settings.streams.glDetailStartDate = '2025-01-01';
  settings.tableau.dependentDatasources = ['Dependent Sales'];
  const workDir = mkdtempSync(join(tmpdir(), 'mlc-sync-'));
  dirs.push(workDir);
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
    options: { batchRows: opts.batchRows ?? 20, reconcileEveryRunUpToRows: 1_000_000 },
    log: (level, message) => store.appendLog({ at: clock.now(), level, message }),
  };
  let n = 0;
  const run = (extra: { streams?: StreamName[]; fullReload?: StreamName[]; signal?: AbortSignal } = {}) =>
    runSync(deps, { runId: `run-${++n}`, trigger: 'manual', streams: testStreams, ...extra });
  return { clock, source, tableau, store, ledger, settings, deps, run };
}

type Env = ReturnType<typeof setup>;

/** Asserts Tableau holds exactly Intacct's rows (keys and every cell) for each test stream. */
function assertSidesMatch(env: Env, streams: StreamName[] = testStreams): void {
  for (const name of streams) {
    const def = defOf(name);
    const intacct = [...env.source.table(def.intacctObject).values()].map((r) => Object.fromEntries(def.columns.map((c) => [c.name, r[c.name] ?? null])));
    const tableau = env.tableau.rows(def.target.datasource);
    const byKey = (rows: typeof intacct) => new Map(rows.map((r) => [rowKey(def, r), rowHash(def, r)]));
    assert.deepEqual(byKey(tableau), byKey(intacct), `${name}: Tableau differs from Intacct`);
  }
}

const resultOf = (detail: Awaited<ReturnType<Env['run']>>, s: StreamName) => detail.streams.find((r) => r.stream === s)!;

describe('runSync', () => {
  it('first run loads every stream in full, in batches, and both sides match', async () => {
    const env = setup();
    const detail = await env.run();
    assert.equal(detail.outcome, 'succeeded', JSON.stringify(detail.error));
    assertSidesMatch(env);
    for (const s of testStreams) assert.equal(resultOf(detail, s).fullLoad, true);
    assert.equal(resultOf(detail, 'gl_detail').rowsUpserted, 50);
    // 50 GL rows in batches of 20: one overwrite publish, then two upserts into it.
    assert.deepEqual(
      env.tableau.events.filter((e) => e.startsWith('load gl_detail')),
      ['load gl_detail full', 'load gl_detail upsert', 'load gl_detail upsert'],
    );
    assert.ok(env.source.log.includes('partitioned GLDETAIL'), 'GL detail backfill uses the partitioned read');
    const gl = env.store.getStreamState('gl_detail')!;
    assert.equal(gl.fullLoadPending, false);
    assert.ok(gl.cursor && gl.cursor.whenModified <= detail.startedAt);
    // The audit trail has one applied insert per row loaded, each naming its batch and job.
    const glAudit = env.store.audit.filter((a) => a.stream === 'gl_detail');
    assert.equal(glAudit.length, 50);
    assert.ok(glAudit.every((a) => a.result === 'applied' && a.action === 'insert' && a.requestId && a.jobId));
    assert.equal(new Set(glAudit.map((a) => a.requestId)).size, 3);
    assert.equal(detail.tieOut?.ok, true, JSON.stringify(detail.tieOut));
    assert.deepEqual(env.tableau.refreshed, ['dep-Dependent Sales']);
  });

  it('a full load that reads fewer rows than Intacct counts fails before replacing the data source', async () => {
    const env = setup();
    // Intacct answers totalcount="50" with no records (a hostile or broken answer).
    env.source.readPartitioned = async function* () {};
    const detail = await env.run({ streams: ['gl_detail'] });
    assert.equal(detail.outcome, 'failed');
    assert.match(
      detail.error?.message ?? '',
      /Intacct counts 50 records but returned 0, so the full load was stopped before replacing the Tableau data source/,
    );
    assert.deepEqual(
      env.tableau.events.filter((e) => e.startsWith('load gl_detail')),
      [],
      'nothing was published',
    );
    assert.equal(env.store.getStreamState('gl_detail')?.fullLoadPending ?? true, true, 'the next run loads it in full again');
  });

  it('a second run moves only what changed, including deletions, and a third moves nothing', async () => {
    const env = setup();
    await env.run();
    env.clock.advance(2 * 3600_000);
    const vendors = [...env.source.table('VENDOR').keys()];
    env.source.edit('VENDOR', vendors[0]!, { NAME: 'Renamed & Co' });
    env.source.edit('VENDOR', vendors[1]!, { CREDITLIMIT: '2500.50' });
    env.source.add('VENDOR', { VENDORID: 'VNEW', NAME: 'New vendor' });
    env.source.remove('VENDOR', vendors[2]!);
    env.source.remove('APBILLITEM', [...env.source.table('APBILLITEM').keys()][3]!);
    const gl = [...env.source.table('GLDETAIL').keys()];
    for (const k of gl.slice(0, 3)) env.source.edit('GLDETAIL', k, { AMOUNT: '1.01' });
    for (const k of gl.slice(10, 12)) env.source.remove('GLDETAIL', k);
    env.clock.advance(60_000);

    const second = await env.run();
    assert.equal(second.outcome, 'succeeded', JSON.stringify(second.error));
    assertSidesMatch(env);
    assert.deepEqual(
      testStreams.map((s) => [s, resultOf(second, s).fullLoad, resultOf(second, s).rowsUpserted, resultOf(second, s).rowsDeleted]),
      [
        ['vendor', false, 3, 1],
        ['ap_bill_line', false, 0, 1],
        ['gl_detail', false, 3, 2],
      ],
    );
    const audit2 = env.store.audit.filter((a) => a.runId === second.runId);
    assert.deepEqual(
      audit2
        .filter((a) => a.stream === 'vendor')
        .map((a) => a.action)
        .sort(),
      ['delete', 'insert', 'update', 'update'],
    );
    assert.equal(second.tieOut?.ok, true, JSON.stringify(second.tieOut));

    env.clock.advance(10 * 60_000);
    const third = await env.run();
    assert.equal(third.outcome, 'succeeded');
    assert.equal(third.rowsMoved, 0, 'look-back re-reads of unchanged rows are not moved again');
  });

  it('records an unexpected error with a generic message and a reference, and logs its detail under that reference', async () => {
    const env = setup();
    env.tableau.failLoad = () => new TypeError("Cannot read properties of undefined (reading 'x') at /home/anna/secret-path");
    const failed = await env.run({ streams: ['vendor'] });
    assert.equal(failed.outcome, 'failed');
    const error = failed.error!;
    assert.equal(error.code, 'INTERNAL');
    assert.match(error.reference ?? '', /^[0-9a-f]{8}$/);
    assert.ok(error.message.includes(error.reference!));
    assert.doesNotMatch(JSON.stringify(failed), /anna|secret-path|TypeError/, 'neither the run nor its stream results carry the text');
    assert.equal(error.stream, 'vendor');
    const detail = env.store.logs.find((l) => l.message.includes(`reference ${error.reference}`) && /TypeError: Cannot read properties/.test(l.message));
    assert.ok(detail, 'the log has the detail with the same reference');
  });

  it('records a typed error with its code, kind and retryable flag', async () => {
    const env = setup();
    env.tableau.failLoad = () => new ApiError({ service: 'tableau', code: 'JOB_FAILED', userMessage: 'Job failed: disk full' });
    const failed = await env.run({ streams: ['vendor'] });
    assert.deepEqual(
      {
        message: failed.error?.message,
        code: failed.error?.code,
        kind: failed.error?.kind,
        retryable: failed.error?.retryable,
        service: failed.error?.service,
      },
      { message: 'Job failed: disk full', code: 'JOB_FAILED', kind: 'system', retryable: false, service: 'tableau' },
    );
  });

  it('a failed load keeps the checkpoint at the last applied batch, and the next run converges', async () => {
    const env = setup();
    await env.run();
    env.clock.advance(3600_000 * 3);
    for (const [i, k] of [...env.source.table('GLDETAIL').keys()].entries()) {
      env.clock.advance(1000);
      env.source.edit('GLDETAIL', k, { AMOUNT: `${i}.99` });
    }
    env.clock.advance(60_000);
    const before = env.tableau.loads;
    env.tableau.failLoad = (n, b) =>
      b.stream.name === 'gl_detail' && n === before + 2 ? new ApiError({ service: 'tableau', userMessage: 'Job failed: disk full' }) : null;
    const failed = await env.run({ streams: ['gl_detail'] });
    assert.equal(failed.outcome, 'failed');
    assert.match(failed.error?.message ?? '', /disk full/);
    const cursor = env.store.getStreamState('gl_detail')!.cursor!;
    const applied = env.store.audit.filter((a) => a.runId === failed.runId && a.result === 'applied');
    assert.equal(applied.length, 20, 'only the first batch was applied');
    assert.equal(cursor.whenModified, Math.max(...applied.map((a) => Date.parse(`${a.whenModified!.replace(' ', 'T')}Z`))));
    assert.ok(env.store.audit.filter((a) => a.runId === failed.runId && a.result === 'failed').length > 0);

    env.tableau.failLoad = null;
    env.clock.advance(60_000);
    const retry = await env.run({ streams: ['gl_detail'] });
    assert.equal(retry.outcome, 'succeeded');
    assert.equal(resultOf(retry, 'gl_detail').rowsUpserted, 30, 'the applied batch is not sent again');
    assertSidesMatch(env);
  });

  it('a full load interrupted after its first batch is repeated from scratch by the next run', async () => {
    const env = setup();
    env.tableau.failLoad = (n, b) => (b.stream.name === 'gl_detail' && !b.fullLoad ? new ApiError({ service: 'tableau', userMessage: 'boom' }) : null);
    const first = await env.run();
    assert.equal(first.outcome, 'partial');
    assert.equal(env.store.getStreamState('gl_detail')!.fullLoadPending, true);
    env.tableau.failLoad = null;
    env.tableau.events.length = 0;
    const second = await env.run();
    assert.equal(second.outcome, 'succeeded');
    assert.equal(resultOf(second, 'gl_detail').fullLoad, true);
    assert.equal(env.tableau.events.filter((e) => e === 'load gl_detail full').length, 1);
    assertSidesMatch(env);
  });

  it('cancelling during a load leaves the checkpoint where the last confirmed batch put it', async () => {
    const env = setup();
    await env.run();
    env.clock.advance(3 * 3600_000);
    for (const k of [...env.source.table('GLDETAIL').keys()]) {
      env.clock.advance(1000);
      env.source.edit('GLDETAIL', k, { STATE: 'Posted' });
    }
    const cursorBefore = env.store.getStreamState('gl_detail')!.cursor;
    const ac = new AbortController();
    env.tableau.onLoad = () => ac.abort(new CancelledError());
    const cancelled = await env.run({ streams: ['gl_detail'], signal: ac.signal });
    assert.equal(cancelled.outcome, 'cancelled');
    assert.equal(resultOf(cancelled, 'gl_detail').outcome, 'cancelled');
    assert.deepEqual(env.store.getStreamState('gl_detail')!.cursor, cursorBefore);
    assert.ok(env.store.audit.filter((a) => a.runId === cancelled.runId).every((a) => a.result === 'pending'));
    env.tableau.onLoad = null;
    const next = await env.run({ streams: ['gl_detail'] });
    assert.equal(next.outcome, 'succeeded');
    assertSidesMatch(env);
  });

  it('a bad Intacct password ends the run with that error and changes nothing', async () => {
    const env = setup();
    env.source.failWith = new AuthError({ service: 'intacct', code: 'XL03000006', userMessage: 'Intacct rejected the user ID or password.' });
    const detail = await env.run();
    assert.equal(detail.outcome, 'failed');
    assert.equal(detail.error?.message, 'Intacct rejected the user ID or password.');
    assert.deepEqual(
      detail.streams.map((s) => s.outcome),
      ['failed', 'skipped', 'skipped'],
    );
    assert.equal(env.tableau.loads, 0);
    assert.equal(env.store.states.size, 0);
    assert.equal(env.store.audit.length, 0);
  });

  it('a Tableau sign-in failure fails the run before anything is read', async () => {
    const env = setup();
    env.tableau.signInError = new AuthError({ service: 'tableau', userMessage: 'Tableau rejected the personal access token.' });
    const detail = await env.run();
    assert.equal(detail.outcome, 'failed');
    assert.match(detail.error?.message ?? '', /personal access token/);
    assert.equal(env.source.transactions, 0);
  });

  it('without AUDITHISTORY permission deletions are found by key reconciliation, with a warning', async () => {
    const env = setup();
    await env.run();
    env.source.auditPermitted = false;
    env.clock.advance(3600_000);
    env.source.remove('VENDOR', [...env.source.table('VENDOR').keys()][5]!);
    const detail = await env.run({ streams: ['vendor'] });
    assert.equal(detail.outcome, 'succeeded');
    assert.equal(resultOf(detail, 'vendor').rowsDeleted, 1);
    assert.ok(env.store.logs.some((l) => l.level === 'warn' && /AUDITHISTORY/.test(l.message)));
    assert.ok(env.source.log.includes('keys VENDOR'));
    assertSidesMatch(env);
  });

  it('a data source renamed in settings is published again in full under its new name', async () => {
    const env = setup();
    await env.run();
    env.settings.tableau.datasourceNames = { vendor: 'Vendors (new)' };
    const detail = await env.run({ streams: ['vendor'] });
    assert.equal(resultOf(detail, 'vendor').fullLoad, true);
    assert.equal(env.tableau.rows('Vendors (new)').length, 12);
    const again = await env.run({ streams: ['vendor'] });
    assert.equal(resultOf(again, 'vendor').fullLoad, false);
  });

  it('extra fields become columns; adding or removing one publishes the stream again in full', async () => {
    const env = setup();
    const vendors = [...env.source.table('VENDOR').keys()];
    env.source.edit('VENDOR', vendors[0]!, { VENDOR_CF_TEXT: 'High' });
    await env.run({ streams: ['vendor'] });
    env.clock.advance(60_000);
    env.settings.streams.extraFields = { vendor: [{ field: 'VENDOR_CF_TEXT', type: 'text' }] };
    const added = await env.run({ streams: ['vendor'] });
    assert.equal(resultOf(added, 'vendor').fullLoad, true);
    assert.ok(env.store.logs.some((l) => /Vendors: columns added VENDOR_CF_TEXT; publishing the data source again in full/.test(l.message)));
    const rows = env.tableau.rows('Intacct Vendors');
    assert.equal(rows.length, vendors.length);
    assert.equal(rows.find((r) => r.RECORDNO === vendors[0])?.VENDOR_CF_TEXT, 'High');
    assert.equal(rows.find((r) => r.RECORDNO === vendors[1])?.VENDOR_CF_TEXT, null);
    // Unchanged fields: back to incremental runs, and a change to the field moves like any other.
    env.clock.advance(60_000);
    env.source.edit('VENDOR', vendors[1]!, { VENDOR_CF_TEXT: 'Low' });
    const next = await env.run({ streams: ['vendor'] });
    assert.equal(resultOf(next, 'vendor').fullLoad, false);
    assert.equal(resultOf(next, 'vendor').rowsUpserted, 1);
    assert.equal(env.tableau.rows('Intacct Vendors').find((r) => r.RECORDNO === vendors[1])?.VENDOR_CF_TEXT, 'Low');
    env.clock.advance(60_000);
    env.settings.streams.extraFields = {};
    const removed = await env.run({ streams: ['vendor'] });
    assert.equal(resultOf(removed, 'vendor').fullLoad, true);
    assert.ok(env.tableau.rows('Intacct Vendors').every((r) => !('VENDOR_CF_TEXT' in r)));
  });

  it('key reconciliation of a large stream runs at most once per interval', async () => {
    const env = setup();
    env.deps.options = { ...env.deps.options, reconcileEveryRunUpToRows: 10, reconcileIntervalMs: 3600_000 };
    await env.run({ streams: ['gl_detail'] });
    env.clock.advance(60_000);
    env.source.remove('GLDETAIL', [...env.source.table('GLDETAIL').keys()][0]!);
    env.clock.advance(60_000);
    const soon = await env.run({ streams: ['gl_detail'] });
    assert.equal(resultOf(soon, 'gl_detail').rowsDeleted, 0, 'not due yet');
    env.clock.advance(2 * 3600_000);
    const later = await env.run({ streams: ['gl_detail'] });
    assert.equal(resultOf(later, 'gl_detail').rowsDeleted, 1);
    assertSidesMatch(env, ['gl_detail']);
  });

  it('a data source deleted in Tableau is published again in full by the next run', async () => {
    const env = setup();
    await env.run();
    env.clock.advance(3600_000);
    env.source.edit('VENDOR', [...env.source.table('VENDOR').keys()][0]!, { NAME: 'changed' });
    env.clock.advance(60_000);
    env.tableau.failLoad = (_n, b) =>
      b.stream.name === 'vendor'
        ? new ApiError({ service: 'tableau', kind: 'config', code: 'DATASOURCE_MISSING', userMessage: 'The data source no longer exists.' })
        : null;
    const failed = await env.run({ streams: ['vendor'] });
    assert.equal(failed.outcome, 'failed');
    assert.equal(env.store.getStreamState('vendor')!.fullLoadPending, true);
    env.tableau.failLoad = null;
    const next = await env.run({ streams: ['vendor'] });
    assert.equal(resultOf(next, 'vendor').fullLoad, true);
    assertSidesMatch(env, ['vendor']);
  });

  it('loads batch N while batch N+1 is being read', async () => {
    const env = setup({ glRows: 60, batchRows: 10 });
    env.source.onPage = async (pageNo, object) => {
      if (object === 'GLDETAIL') env.tableau.events.push(`page ${pageNo}`);
      await new Promise((r) => setImmediate(r));
    };
    const detail = await env.run({ streams: ['gl_detail'] });
    assert.equal(detail.outcome, 'succeeded');
    const events = env.tableau.events;
    const firstLoad = events.indexOf('load gl_detail full');
    assert.ok(firstLoad >= 0 && firstLoad < events.indexOf('page 6'), `loading started only after reading finished: ${events.join(', ')}`);
    assert.equal(events.filter((e) => e.startsWith('load gl_detail')).length, 6);
    assertSidesMatch(env, ['gl_detail']);
  });

  it('builds the models once after the streams: a stage failure makes the run partly succeeded, naming each model; no replica skips them with a message', async () => {
    const env = setup({ glRows: 20 });
    env.settings.models.enabled.vendor_performance = false;
    const order: string[] = [];
    env.deps.models = {
      replica: { path: () => '/nonexistent/replica.hyper', asOf: () => null },
      engine: {
        withClient: async () => {
          order.push(`models after ${env.tableau.events.filter((e) => e.startsWith('load ')).length} loads`);
          throw new Error('hyperd could not open the replica');
        },
      },
      dir: mkdtempSync(join(tmpdir(), 'mlc-models-')),
    };
    dirs.push(env.deps.models.dir);
    const detail = await env.run();
    assert.equal(detail.outcome, 'partial');
    assert.equal(detail.error?.code, 'MODELS_FAILED');
    assert.match(detail.error!.message, /5 finance models were not published: GL balances by period \(The finance models could not be built/);
    assert.deepEqual(order, [`models after ${env.tableau.events.filter((e) => e.startsWith('load ')).length} loads`], 'once, after every stream loaded');
    assert.deepEqual(
      detail.models?.models.map((m) => [m.model, m.outcome]),
      [
        ['gl_balances', 'failed'],
        ['pnl', 'failed'],
        ['balance_sheet', 'failed'],
        ['ap_aging', 'failed'],
        ['bill_payment_flow', 'failed'],
      ],
    );
    assert.equal(env.store.models.get(detail.runId), detail.models, 'recorded with the run');

    env.deps.models = { ...env.deps.models, replica: { path: () => null, asOf: () => null } };
    env.clock.advance(60_000);
    const next = await env.run();
    assert.equal(next.outcome, 'succeeded', JSON.stringify(next.error));
    assert.match(next.models!.skippedReason!, /no current local replica/);
    assert.ok(env.store.logs.some((l) => l.level === 'warn' && l.message.startsWith('Finance models skipped')));
  });
});
