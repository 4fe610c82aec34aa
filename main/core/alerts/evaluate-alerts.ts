/**
 * Which alerts the current run history calls for: a pure function of runs, the newest success and now.
 *
 * De-duplication works by key: every alert carries a `key` naming the fact it reports, so the same
 * fact evaluated again (every minute, or after a restart) yields the same key, and `createAlertGate`
 * lets each key through once.
 * - run-failed / consecutive-failures / run-succeeded: keyed by the run (one alert per run);
 * - stale-data: keyed by the last success time, so one alert per stale spell; a new success ends
 *   the spell and a later one raises a new alert.
 * Every failure alert carries the run's error and the next step the window shows for it
 * (shared/next-step.ts), so an email or a Teams/Slack message says what to do (issue #14 "Alerts").
 */
import type { Alert, ErrorInfo, RunSummary, Settings } from '../../../shared/types';
import { nextStepFor } from '../../../shared/next-step';
import { streamByName } from '../streams/definitions';
import { formatCount, formatUtcMinute } from '../../../shared/format';

/** An alert with the identity of the fact it reports. */
export interface KeyedAlert extends Alert {
  key: string;
}

/** What `evaluateAlerts` looks at. */
export interface AlertInput {
  /** Recent runs, any order (e.g. store.listRuns(50)). */
  runs: readonly RunSummary[];
  /** Finish time of the newest successful run (the age of the data in Tableau); null if none. */
  lastSuccessAt: number | null;
  now: number;
  settings: Settings['alerts'];
}

const hourMs = 3_600_000;
const failed = (r: RunSummary) => r.outcome === 'failed' || r.outcome === 'partial';

function age(ms: number): string {
  const hours = Math.floor(ms / hourMs);
  if (hours >= 48) return `${Math.floor(hours / 24)} days`;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

function reason(r: RunSummary): string {
  return r.error?.message ?? 'No error detail was recorded; see the log for this run.';
}

const labelOf = (s: Parameters<typeof streamByName>[0]) => {
  try {
    return streamByName(s).label;
  } catch {
    return s;
  }
};

/**
 * The next step for a run's error: each problem's own step when there were several (both sides
 * refused the sign-in), in order and without repeats.
 */
export function nextStepOfError(error: ErrorInfo | null | undefined): string {
  if (!error) return 'Open ml-connector and look at the log of this run; if it keeps failing, export a support bundle from Logs.';
  const problems = error.problems?.length ? error.problems : [error];
  return [...new Set(problems.map((p) => nextStepFor(p, labelOf).text))].join(' ');
}

/** The failure fields of an alert about run `r`. */
function failureOf(r: RunSummary): Pick<Alert, 'failure' | 'nextStep'> {
  return { ...(r.error ? { failure: r.error } : {}), nextStep: nextStepOfError(r.error) };
}

/**
 * The alerts that apply now:
 * - the newest finished run failed (or finished with some streams failed, 'partial'): run-failed;
 *   when it is the Nth failure in a row (N = settings.consecutiveFailures, N ≥ 2; 0 = off), a
 *   consecutive-failures alert is raised instead, so one failure makes one notification; a run
 *   whose only problem was a dependent data source not refreshed raises dependent-refresh-failed
 *   (the data was loaded, but dashboards built on those sources are stale);
 * - the newest run succeeded and settings.notifyOnSuccess: run-succeeded;
 * - the newest success is older than settings.freshnessHours (0 = off): stale-data. Never raised
 *   before a first success (failing runs already alert, and a new install has no data to age).
 * Cancelled runs are the user's choice: they neither alert nor break a failure streak.
 */
export function evaluateAlerts(input: AlertInput): KeyedAlert[] {
  const { settings, now } = input;
  const finished = input.runs.filter((r) => r.outcome !== 'running' && r.outcome !== 'cancelled').sort((a, b) => b.startedAt - a.startedAt);
  const alerts: KeyedAlert[] = [];
  const latest = finished[0];

  if (latest && failed(latest)) {
    let streak = 0;
    while (streak < finished.length && failed(finished[streak]!)) streak++;
    const threshold = settings.consecutiveFailures;
    const at = latest.finishedAt ?? now;
    if (threshold >= 2 && streak >= threshold) {
      alerts.push({
        key: `consecutive-failures:${latest.runId}`,
        kind: 'consecutive-failures',
        runId: latest.runId,
        at,
        message: `The last ${streak} sync runs failed, so Tableau is not being updated. Latest error: ${reason(latest)}`,
        ...failureOf(latest),
      });
    } else if (latest.error?.code === 'DEPENDENT_REFRESH_FAILED') {
      alerts.push({
        key: `dependent-refresh-failed:${latest.runId}`,
        kind: 'dependent-refresh-failed',
        runId: latest.runId,
        at,
        message: reason(latest),
        ...failureOf(latest),
      });
    } else {
      alerts.push({
        key: `run-failed:${latest.runId}`,
        kind: 'run-failed',
        runId: latest.runId,
        at,
        message: latest.outcome === 'partial' ? `The sync finished, but some streams failed: ${reason(latest)}` : `The sync failed: ${reason(latest)}`,
        ...failureOf(latest),
      });
    }
  } else if (latest && latest.outcome === 'succeeded' && settings.notifyOnSuccess) {
    alerts.push({
      key: `run-succeeded:${latest.runId}`,
      kind: 'run-succeeded',
      runId: latest.runId,
      at: latest.finishedAt ?? now,
      message: `The sync finished: ${formatCount(latest.rowsMoved)} rows moved to Tableau.`,
    });
  }

  const limitMs = settings.freshnessHours * hourMs;
  if (settings.freshnessHours > 0 && input.lastSuccessAt !== null && now - input.lastSuccessAt > limitMs) {
    alerts.push({
      key: `stale-data:${input.lastSuccessAt}`,
      kind: 'stale-data',
      at: now,
      message: `The data in Tableau is ${age(now - input.lastSuccessAt)} old, past your limit of ${age(limitMs)}. The last successful sync finished ${formatUtcMinute(input.lastSuccessAt)}.`,
      nextStep:
        latest && failed(latest)
          ? `Syncs have failed since then. ${nextStepOfError(latest.error)}`
          : 'No sync has succeeded since then: check that the schedule is not paused and that the computer or service running ml-connector is on, or press Sync now.',
    });
  }
  return alerts;
}
