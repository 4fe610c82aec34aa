import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAlertGate, evaluateAlerts } from '../../../../main/core/alerts/index';
import { defaultSettings } from '../../../../main/core/service/settings';
import type { RunSummary, Settings } from '../../../../shared/types';

const h = 3_600_000;
const t0 = Date.UTC(2026, 0, 15, 6, 0);
const settings: Settings['alerts'] = { ...defaultSettings().alerts, consecutiveFailures: 3, freshnessHours: 24, notifyOnSuccess: false, command: '' };

let seq = 0;
function run(outcome: RunSummary['outcome'], startedAt: number, message?: string): RunSummary {
  return {
    runId: `r${++seq}`,
    trigger: 'schedule',
    startedAt,
    finishedAt: outcome === 'running' ? null : startedAt + 60_000,
    outcome,
    rowsMoved: 1234,
    durationMs: outcome === 'running' ? null : 60_000,
    apiTransactions: 5,
    error: message ? { message, service: 'intacct' } : null,
  };
}

describe('evaluateAlerts', () => {
  it('raises nothing when the newest run succeeded and data is fresh', () => {
    const runs = [run('failed', t0 - 2 * h, 'x'), run('succeeded', t0 - h)];
    assert.deepEqual(evaluateAlerts({ runs, lastSuccessAt: t0 - h + 60_000, now: t0, settings }), []);
  });

  it('raises run-failed with the error for a failed run, and for a partial one', () => {
    const failedRun = run('failed', t0 - h, 'Sign-in to Intacct failed: check the user password.');
    const [a, ...rest] = evaluateAlerts({ runs: [run('succeeded', t0 - 2 * h), failedRun], lastSuccessAt: t0 - 2 * h, now: t0, settings });
    assert.equal(rest.length, 0);
    assert.equal(a?.kind, 'run-failed');
    assert.equal(a?.runId, failedRun.runId);
    assert.equal(a?.at, failedRun.finishedAt);
    assert.match(a!.message, /check the user password/);
    const partial = evaluateAlerts({ runs: [run('partial', t0 - h, 'GL detail failed')], lastSuccessAt: null, now: t0, settings });
    assert.equal(partial[0]?.kind, 'run-failed');
    assert.match(partial[0]!.message, /some streams failed: GL detail failed/);
  });

  it('raises consecutive-failures instead at the Nth failure in a row; cancelled runs do not break the streak', () => {
    const runs = [run('succeeded', t0 - 5 * h), run('failed', t0 - 4 * h, 'a'), run('cancelled', t0 - 3 * h), run('failed', t0 - 2 * h, 'b')];
    assert.deepEqual(
      evaluateAlerts({ runs, lastSuccessAt: null, now: t0, settings }).map((a) => a.kind),
      ['run-failed'],
    );
    const third = run('failed', t0 - h, 'Tableau is unreachable.');
    const alerts = evaluateAlerts({ runs: [third, ...runs], lastSuccessAt: null, now: t0, settings });
    assert.deepEqual(
      alerts.map((a) => [a.kind, a.runId]),
      [['consecutive-failures', third.runId]],
    );
    assert.match(alerts[0]!.message, /last 3 sync runs failed.*Tableau is unreachable/);
    assert.deepEqual(
      evaluateAlerts({ runs: [third, ...runs], lastSuccessAt: null, now: t0, settings: { ...settings, consecutiveFailures: 0 } }).map((a) => a.kind),
      ['run-failed'],
    );
  });

  it('carries the run’s error and the next step the window shows for it, for each problem when there were several', () => {
    const both: RunSummary = {
      ...run('failed', t0 - h),
      error: {
        message: 'Intacct sign-in failed: check the user ID, company ID and user password.',
        service: 'intacct',
        code: 'LOGIN_INVALID',
        kind: 'config',
        problems: [
          { message: 'Intacct sign-in failed: check the user ID, company ID and user password.', service: 'intacct', code: 'LOGIN_INVALID', kind: 'config' },
          { message: 'Tableau sign-in failed: the token was refused.', service: 'tableau', code: '401001', kind: 'config' },
        ],
      },
    };
    const [a] = evaluateAlerts({ runs: [both], lastSuccessAt: null, now: t0, settings });
    assert.equal(a?.failure?.code, 'LOGIN_INVALID');
    assert.equal(a?.failure?.problems?.length, 2);
    assert.equal(
      a?.nextStep,
      'Check the company ID, user ID and user password, run “Test Intacct connection”, then Sync now again. ' +
        'Check the Tableau token name and secret (or connected app) and the site, run “Test Tableau connection”, then Sync now again.',
    );
  });

  it('raises dependent-refresh-failed for a run whose only problem was a dependent data source, with its next step', () => {
    const r: RunSummary = {
      ...run('partial', t0 - h),
      error: {
        message: 'The data was loaded, but dependent data sources were not refreshed: "AP Dashboard" was not found in Tableau.',
        service: 'tableau',
        code: 'DEPENDENT_REFRESH_FAILED',
        kind: 'config',
      },
    };
    const [a, ...rest] = evaluateAlerts({ runs: [r], lastSuccessAt: null, now: t0, settings });
    assert.equal(rest.length, 0);
    assert.deepEqual([a?.kind, a?.runId], ['dependent-refresh-failed', r.runId]);
    assert.match(a!.message, /"AP Dashboard" was not found/);
    assert.match(a!.nextStep ?? '', /^Correct or remove the data source names under Dependent data sources/);
  });

  it('tells what to do about stale data: check the schedule when nothing failed, the failure’s step when runs fail', () => {
    const ok = run('succeeded', t0 - 30 * h);
    const quiet = evaluateAlerts({ runs: [ok], lastSuccessAt: ok.finishedAt, now: t0, settings });
    assert.match(quiet.find((x) => x.kind === 'stale-data')?.nextStep ?? '', /schedule is not paused/);
    const bad = {
      ...run('failed', t0 - h),
      error: { message: 'Tableau sign-in failed: the token was refused.', service: 'tableau' as const, kind: 'config' as const },
    };
    const failing = evaluateAlerts({ runs: [bad, ok], lastSuccessAt: ok.finishedAt, now: t0, settings });
    assert.match(failing.find((x) => x.kind === 'stale-data')?.nextStep ?? '', /^Syncs have failed since then\. Check the Tableau token name and secret/);
  });

  it('ignores a run still in progress and a cancelled newest run', () => {
    const failedRun = run('failed', t0 - 3 * h, 'x');
    const alerts = evaluateAlerts({ runs: [failedRun, run('cancelled', t0 - 2 * h), run('running', t0 - h)], lastSuccessAt: null, now: t0, settings });
    assert.deepEqual(
      alerts.map((a) => a.runId),
      [failedRun.runId],
    );
    assert.deepEqual(evaluateAlerts({ runs: [run('running', t0)], lastSuccessAt: null, now: t0, settings }), []);
  });

  it('raises stale-data past the freshness limit, never when off or before a first success', () => {
    const last = t0 - 30 * h;
    const stale = evaluateAlerts({ runs: [], lastSuccessAt: last, now: t0, settings });
    assert.deepEqual(
      stale.map((a) => a.kind),
      ['stale-data'],
    );
    assert.match(stale[0]!.message, /30 hours old, past your limit of 24 hours.*2026-01-14 00:00 UTC/);
    assert.deepEqual(evaluateAlerts({ runs: [], lastSuccessAt: t0 - 23 * h, now: t0, settings }), []);
    assert.deepEqual(evaluateAlerts({ runs: [], lastSuccessAt: last, now: t0, settings: { ...settings, freshnessHours: 0 } }), []);
    assert.deepEqual(evaluateAlerts({ runs: [], lastSuccessAt: null, now: t0, settings }), []);
    assert.match(evaluateAlerts({ runs: [], lastSuccessAt: t0 - 80 * h, now: t0, settings })[0]!.message, /3 days old/);
  });

  it('raises run-succeeded only when asked to', () => {
    const ok = run('succeeded', t0 - h);
    assert.deepEqual(evaluateAlerts({ runs: [ok], lastSuccessAt: ok.finishedAt, now: t0, settings }), []);
    const alerts = evaluateAlerts({ runs: [ok], lastSuccessAt: ok.finishedAt, now: t0, settings: { ...settings, notifyOnSuccess: true } });
    assert.deepEqual(
      alerts.map((a) => a.kind),
      ['run-succeeded'],
    );
    assert.match(alerts[0]!.message, /1,234 rows/);
  });
});

describe('createAlertGate', () => {
  it('lets the same stale-data alert through once, and again only after a new success goes stale', () => {
    const gate = createAlertGate();
    const raised: string[] = [];
    const last = t0 - 30 * h;
    for (let minute = 0; minute < 120; minute++) {
      for (const a of gate.admit(evaluateAlerts({ runs: [], lastSuccessAt: last, now: t0 + minute * 60_000, settings }))) raised.push(a.kind);
    }
    assert.deepEqual(raised, ['stale-data']);
    const later = t0 + 2 * h;
    assert.equal(gate.admit(evaluateAlerts({ runs: [], lastSuccessAt: later, now: later + h, settings })).length, 0);
    assert.deepEqual(
      gate.admit(evaluateAlerts({ runs: [], lastSuccessAt: later, now: later + 25 * h, settings })).map((a) => a.kind),
      ['stale-data'],
    );
  });

  it('raises each failed run once, and seeding suppresses facts known at startup', () => {
    const gate = createAlertGate();
    const first = run('failed', t0, 'x');
    const input = { runs: [first], lastSuccessAt: null, now: t0 + h, settings };
    assert.equal(gate.admit(evaluateAlerts(input)).length, 1);
    assert.equal(gate.admit(evaluateAlerts(input)).length, 0);
    const second = run('failed', t0 + h, 'y');
    assert.equal(gate.admit(evaluateAlerts({ ...input, runs: [first, second] })).length, 1);

    const restarted = createAlertGate({ memory: 2 });
    restarted.seed(evaluateAlerts({ ...input, runs: [first, second] }));
    assert.equal(restarted.admit(evaluateAlerts({ ...input, runs: [first, second] })).length, 0);
  });
});
