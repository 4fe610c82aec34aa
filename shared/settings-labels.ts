/**
 * The label of each settings path as the Settings form shows it, for messages that must name
 * their field (issue #14, validation): the service's words for settings problems
 * (main/core/service/settings-messages.ts) and the page's error summary (renderer) both use it.
 * Table names come from the caller (the core's stream definitions, the renderer's copy of them).
 */
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

/** The label of a settings path as the form shows it ('intacct.userId' → 'User ID'). */
export function settingsFieldLabel(path: string, tableLabel: (stream: string) => string = (s) => s): string {
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
