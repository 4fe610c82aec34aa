/**
 * What an alert says when it leaves the machine (email, Teams, Slack): a title, a subject line and
 * labelled facts (the run, the failure, the next step), built once so every channel says the same.
 * Every string passes through `redact` before it is returned: the alert's words come from typed
 * errors that hold no secret by design (errors.ts), and this is the second line of defence, as in
 * the support bundle (support-bundle.ts `redactSecrets`).
 */
import type { Alert, ErrorInfo } from '../../../shared/types';
import { formatUtcMinute } from '../../../shared/format';

/** One labelled line of an alert ("Run", "Failure", "Next step"). */
export interface AlertFact {
  label: string;
  value: string;
}

/** An alert rendered for people. */
export interface AlertContent {
  /** Short, for a notification or a card heading ("Sync failed"). */
  title: string;
  /** The email subject: product, title and the run. */
  subject: string;
  /** The alert's sentence. */
  summary: string;
  facts: AlertFact[];
  /** The whole alert as plain text (email body, Slack fallback). */
  text: string;
}

/** The heading of an alert of each kind (also the desktop notification's title). */
export function alertTitle(alert: Pick<Alert, 'kind'>): string {
  switch (alert.kind) {
    case 'run-failed':
      return 'Sync failed';
    case 'consecutive-failures':
      return 'Sync keeps failing';
    case 'stale-data':
      return 'Tableau data is out of date';
    case 'dependent-refresh-failed':
      return 'Dependent data sources were not refreshed';
    case 'run-succeeded':
      return 'Sync finished';
    case 'test':
      return 'Test alert';
  }
}

/** A UTC time as people read it: 2026-01-15 12:01 UTC. */
export function utcTime(ms: number): string {
  return formatUtcMinute(ms);
}

const SERVICE_NAMES: Record<ErrorInfo['service'], string> = {
  intacct: 'Sage Intacct',
  tableau: 'Tableau',
  hyper: 'Hyper (the local data engine)',
  local: 'this computer',
};

function failureLine(e: ErrorInfo): string {
  const where = [SERVICE_NAMES[e.service], e.code].filter(Boolean).join(', ');
  return `${e.message} (${where})`;
}

/** Renders `alert` for people; `redact` removes any secret value from each string. */
export function renderAlert(alert: Alert, redact: (text: string) => string = (t) => t): AlertContent {
  const title = alertTitle(alert);
  const facts: AlertFact[] = [];
  if (alert.runId) facts.push({ label: 'Run', value: alert.runId });
  facts.push({ label: 'When', value: utcTime(alert.at) });
  const problems = alert.failure ? (alert.failure.problems?.length ? alert.failure.problems : [alert.failure]) : [];
  problems.forEach((p, i) => facts.push({ label: problems.length > 1 ? `Failure ${i + 1}` : 'Failure', value: failureLine(p) }));
  if (alert.nextStep) facts.push({ label: 'Next step', value: alert.nextStep });
  const clean = facts.map((f) => ({ label: f.label, value: redact(f.value) }));
  const summary = redact(alert.message);
  const subject = redact(`ml-connector: ${title}${alert.runId ? ` (run ${alert.runId})` : ''}`);
  const text = [summary, '', ...clean.map((f) => `${f.label}: ${f.value}`), '', '— ml-connector (Sage Intacct → Tableau)'].join('\n');
  return { title, subject, summary, facts: clean, text: `${text}\n` };
}
