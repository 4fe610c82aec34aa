/**
 * Words for settings problems (issue #14, "every message names its field, none is a raw schema
 * message"): each settings path has the label the form shows for it, and a problem zod reports
 * without a message of ours (a wrong type, an unknown value, a number out of range) is said in
 * those words instead of zod's ("Invalid input: expected number, received string"). Used by
 * validateSettings (settings.ts) as zod's per-parse error map, which zod consults only where a
 * schema gave no message of its own (https://zod.dev/error-customization, "Error precedence").
 */
import type { z } from 'zod';
import { streamDefinitions } from '../streams/definitions';

const labels: Record<string, string> = {
  'intacct.senderId': 'Sender ID',
  'intacct.companyId': 'Company ID',
  'intacct.userId': 'User ID',
  'intacct.entityId': 'Entity ID',
  'intacct.endpoint': 'Gateway URL',
  'intacct.concurrency': 'Requests in flight',
  'intacct.glBookId': 'GL book',
  'tableau.kind': 'Tableau product',
  'tableau.serverUrl': 'Tableau server URL',
  'tableau.site': 'Tableau site',
  'tableau.auth': 'Tableau sign-in method',
  'tableau.patName': 'Token name',
  'tableau.connectedAppClientId': 'Connected app client ID',
  'tableau.connectedAppSecretId': 'Connected app secret ID',
  'tableau.connectedAppUser': 'Connected app user',
  'tableau.project': 'Tableau project',
  'tableau.createProject': 'Create the project',
  'tableau.dependentDatasources': 'Dependent data sources',
  'streams.glDetailStartDate': 'GL detail start date',
  'schedule.preset.kind': 'Schedule',
  'schedule.preset.time': 'Schedule time',
  'schedule.preset.everyHours': 'Schedule interval (hours)',
  'schedule.preset.businessDaysOnly': 'Business days only',
  'schedule.preset.closeBusinessDays': 'Close business days',
  'schedule.preset.closeEveryHours': 'Close interval (hours)',
  'schedule.timezone': 'Time zone',
  'schedule.paused': 'Pause the schedule',
  'alerts.consecutiveFailures': 'Failures in a row before an alert',
  'alerts.freshnessHours': 'Stale-data alert (hours)',
  'alerts.notifyOnSuccess': 'Notify on success',
  'alerts.command': 'Alert command',
  'alerts.email.host': 'SMTP server',
  'alerts.email.port': 'SMTP port',
  'alerts.email.security': 'SMTP encryption',
  'alerts.email.user': 'SMTP user',
  'alerts.email.from': 'Alert sender',
  'alerts.email.to': 'Alert recipients',
  'alerts.webhook.kind': 'Incoming webhook',
  'retention.auditDays': 'Audit trail retention (days)',
  'retention.logDays': 'Log retention (days)',
  startAtLogin: 'Start at sign-in',
};

const tableLabel = (name: string) => streamDefinitions.find((d) => d.name === name)?.label ?? name;

/** The label of a settings path as the form shows it ('intacct.userId' → 'User ID'). */
export function settingsFieldLabel(path: string): string {
  if (labels[path]) return labels[path];
  const p = path.split('.');
  if (p[0] === 'tableau' && p[1] === 'datasourceNames' && p[2]) return `Data source name for ${tableLabel(p[2])}`;
  if (p[0] === 'tableau' && p[1] === 'dependentDatasources' && p[2]) return `Dependent data source ${Number(p[2]) + 1}`;
  if (p[0] === 'streams' && p[1] === 'enabled' && p[2]) return `Sync ${tableLabel(p[2])}`;
  if (p[0] === 'streams' && p[1] === 'extraFields' && p[2]) {
    const which = p[3] === undefined ? '' : ` ${Number(p[3]) + 1}`;
    const part = p[4] === 'scale' ? ' (decimals)' : p[4] === 'type' ? ' (type)' : '';
    return `Extra field${which}${part} of ${tableLabel(p[2])}`;
  }
  // A path of ours without a label (or an unknown one): its last word, spaced out.
  const last = p[p.length - 1] ?? path;
  return last.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

const kindOf = (expected: unknown) => (expected === 'int' ? 'a whole number' : expected === 'number' ? 'a number' : expected === 'boolean' ? 'yes or no' : expected === 'array' ? 'a list' : expected === 'object' ? 'a group of settings' : 'text');

/** zod's per-parse error map: our words for an issue no schema message covers. */
export function settingsIssueMessage(issue: z.core.$ZodRawIssue, prefix: readonly string[] = []): string {
  const label = settingsFieldLabel([...prefix, ...(issue.path ?? []).map(String)].join('.'));
  const i = issue as z.core.$ZodRawIssue & { expected?: unknown; minimum?: unknown; maximum?: unknown; origin?: unknown; keys?: string[]; values?: unknown[] };
  const chars = i.origin === 'string' ? ' characters' : i.origin === 'array' ? ' entries' : '';
  switch (issue.code) {
    case 'invalid_type':
      return i.input === undefined ? `${label} is missing.` : `${label}: enter ${kindOf(i.expected)}.`;
    case 'too_small':
      return i.origin === 'string' ? `${label}: enter it.` : `${label}: at least ${String(i.minimum)}${chars}.`;
    case 'too_big':
      return `${label}: at most ${String(i.maximum)}${chars}.`;
    case 'invalid_value':
    case 'invalid_union':
      return `${label}: choose one of the offered values.`;
    case 'unrecognized_keys':
      return `${label === 'Settings' || !issue.path?.length ? 'These settings' : label} are not known to this version: ${(i.keys ?? []).join(', ')}.`;
    case 'not_multiple_of':
      return `${label}: enter a whole number.`;
    default:
      return `${label} is not valid.`;
  }
}
