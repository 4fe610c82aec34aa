/**
 * Alerts, retention and start-up options.
 */
import { Checkbox, FieldShell, NumberField } from '../components/fields';
import type { SectionProps } from './section-props';
import { AlertChannels } from './alert-channels';

/** The alerts fieldset. */
export function AlertsSection(props: SectionProps) {
  const { settings, edit, errors } = props;
  const a = settings.alerts;
  return (
    <section className="card settings-section" aria-labelledby="sec-alerts">
      <h2 id="sec-alerts">Alerts and housekeeping</h2>
      <p className="section-intro">
        Every failed run raises an alert: a desktop notification, and an email or a Teams/Slack message when set up below. Each names the run, what failed and
        the next step.
      </p>
      <div className="grid-2">
        <NumberField
          path="alerts.consecutiveFailures"
          label="Alert after this many failures in a row"
          min={1}
          value={a.consecutiveFailures}
          onChange={(v) => edit((d) => void (d.alerts.consecutiveFailures = v))}
          error={errors['alerts.consecutiveFailures']}
        />
        <NumberField
          path="alerts.freshnessHours"
          label="Alert when data is older than (hours, 0 = off)"
          min={0}
          value={a.freshnessHours}
          onChange={(v) => edit((d) => void (d.alerts.freshnessHours = v))}
          error={errors['alerts.freshnessHours']}
        />
      </div>
      <Checkbox
        path="alerts.notifyOnSuccess"
        label="Also notify when a sync succeeds"
        checked={a.notifyOnSuccess}
        onChange={(v) => edit((d) => void (d.alerts.notifyOnSuccess = v))}
        error={errors['alerts.notifyOnSuccess']}
      />
      <AlertChannels {...props} />
      {/* Read-only here: the command runs a program, so only settings.json on disk can set it. */}
      <FieldShell
        path="alerts.command"
        label="Alert command (headless service only)"
        hint="Set it in settings.json in the data folder. It runs without a shell, with the alert as JSON on standard input and no secrets in its environment."
        error={errors['alerts.command']}
      >
        {(a11y) => <input {...a11y} name="alerts.command" type="text" value={a.command} placeholder="(none)" readOnly />}
      </FieldShell>
      <div className="grid-2">
        <NumberField
          path="retention.auditDays"
          label="Keep the audit trail (days)"
          min={1}
          value={settings.retention.auditDays}
          onChange={(v) => edit((d) => void (d.retention.auditDays = v))}
          error={errors['retention.auditDays']}
        />
        <NumberField
          path="retention.logDays"
          label="Keep logs (days)"
          min={1}
          value={settings.retention.logDays}
          onChange={(v) => edit((d) => void (d.retention.logDays = v))}
          error={errors['retention.logDays']}
        />
      </div>
      <Checkbox
        path="startAtLogin"
        label="Start ml-connector when I sign in (desktop app)"
        checked={settings.startAtLogin}
        onChange={(v) => edit((d) => void (d.startAtLogin = v))}
        error={errors['startAtLogin']}
      />
    </section>
  );
}
