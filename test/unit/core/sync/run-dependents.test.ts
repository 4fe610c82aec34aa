/**
 * A run whose dependent data sources were not refreshed is never "succeeded" (issue #14 point 1):
 * a missing data source or a failed refresh job makes it 'partial', with an error naming each one,
 * and every dependent's result (time, job, outcome) is in the run's detail.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { ApiError, AuthError } from '../../../../main/core/errors';
import { openLedger } from '../../../../main/core/sync/ledger';
import { runSync, type RunDeps } from '../../../../main/core/sync/run-sync';
import { defaultSettings } from '../../../../main/core/service/settings';
import { FakeSource, FakeStore, FakeTableau, seedCompany, testStreams } from './fakes';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(dependents: string[], waitForJob?: (jobId: string) => Promise<unknown>) {
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const source = new FakeSource(() => clock.now());
  seedCompany(source, 20);
  clock.advance(60_000);
  const tableau = new FakeTableau();
  const store = new FakeStore();
  const settings = defaultSettings();
  settings.streams.glDetailStartDate = '2025-01-01';
  settings.tableau.dependentDatasources = dependents;
  const workDir = mkdtempSync(join(tmpdir(), 'mlc-deps-'));
  dirs.push(workDir);
  const target = Object.assign(tableau, waitForJob ? { waitForJob } : {});
  const deps: RunDeps = {
    clock,
    settings,
    source,
    target,
    load: tableau.load,
    writePayload: tableau.writePayload,
    store,
    ledger: openLedger(':memory:'),
    workDir,
  };
  return { tableau, source, run: () => runSync(deps, { runId: 'run-1', trigger: 'manual', streams: testStreams }) };
}

describe('dependent data source refreshes decide the run outcome', () => {
  it('succeeds when every dependent refresh job finished, and records each with its job', async () => {
    const waited: string[] = [];
    const env = setup(['Dependent Sales'], async (id) => void waited.push(id));
    const detail = await env.run();
    assert.equal(detail.outcome, 'succeeded');
    assert.deepEqual(waited, ['refresh-dep-Dependent Sales'], 'the refresh job is followed to its end');
    assert.deepEqual(
      detail.dependents?.map((d) => [d.name, d.result, d.jobId]),
      [['Dependent Sales', 'succeeded', 'refresh-dep-Dependent Sales']],
    );
  });

  it('is partial, naming the data source, when a dependent data source does not exist', async () => {
    const env = setup(['Dependent Sales', 'Board pack']);
    const detail = await env.run();
    assert.equal(detail.outcome, 'partial');
    assert.equal(detail.error?.code, 'DEPENDENT_REFRESH_FAILED');
    assert.match(detail.error?.message ?? '', /"Board pack" was not found in Tableau/);
    assert.equal(detail.error?.service, 'tableau');
    assert.deepEqual(
      detail.dependents?.map((d) => [d.name, d.result]),
      [
        ['Dependent Sales', 'succeeded'],
        ['Board pack', 'not-found'],
      ],
    );
    assert.ok(
      detail.streams.every((s) => s.outcome === 'succeeded'),
      'the streams themselves loaded',
    );
  });

  it("is partial when a dependent refresh job fails, with Tableau's reason and the job id", async () => {
    const env = setup(['Dependent Sales'], async (id) => {
      throw new ApiError({
        service: 'tableau',
        code: 'JOB_FAILED',
        userMessage: `The Tableau RefreshExtract job ${id} failed: upstream database unreachable.`,
      });
    });
    const detail = await env.run();
    assert.equal(detail.outcome, 'partial');
    assert.match(
      detail.error?.message ?? '',
      /The refresh of "Dependent Sales" failed \(The Tableau RefreshExtract job refresh-dep-Dependent Sales failed: upstream database unreachable\.\)/,
    );
    assert.deepEqual(
      detail.dependents?.map((d) => [d.result, d.jobId]),
      [['failed', 'refresh-dep-Dependent Sales']],
    );
  });

  it('is partial when asking Tableau for the refresh fails', async () => {
    const env = setup(['Dependent Sales']);
    env.tableau.refreshDatasource = async () => {
      throw new ApiError({ service: 'tableau', code: '403004', userMessage: 'This user may not refresh that data source.' });
    };
    const detail = await env.run();
    assert.equal(detail.outcome, 'partial');
    assert.equal(detail.dependents?.[0]?.result, 'failed');
    assert.equal(detail.dependents?.[0]?.message, 'This user may not refresh that data source.');
  });
});

describe('the check before reading', () => {
  it('tries both sides and reports every problem at once', async () => {
    const env = setup([]);
    env.tableau.signInError = new AuthError({ service: 'tableau', code: '401001', userMessage: 'Tableau rejected the personal access token.' });
    const prepared: string[] = [];
    (env.source as { prepare?: () => Promise<void> }).prepare = async () => {
      prepared.push('intacct');
      throw new AuthError({ service: 'intacct', code: 'LOGIN_INVALID', userMessage: 'Intacct rejected the user ID or password.' });
    };
    const detail = await env.run();
    assert.deepEqual(prepared, ['intacct'], 'Intacct is checked although Tableau failed');
    assert.equal(detail.outcome, 'failed');
    assert.deepEqual(
      detail.error?.problems?.map((p) => [p.service, p.code]),
      [
        ['tableau', '401001'],
        ['intacct', 'LOGIN_INVALID'],
      ],
    );
    assert.match(detail.error?.message ?? '', /^2 problems were found before reading: Tableau rejected .* Also: Intacct rejected/);
    assert.equal(detail.streams.length, 0, 'nothing was read');
  });

  it('reports a single problem as itself', async () => {
    const env = setup([]);
    env.tableau.signInError = new AuthError({ service: 'tableau', userMessage: 'Tableau rejected the personal access token.' });
    const detail = await env.run();
    assert.equal(detail.error?.message, 'Tableau rejected the personal access token.');
    assert.equal(detail.error?.problems, undefined);
  });
});
