/**
 * Settings and credentials as the window and the API change them: saving (validated; the alert
 * command only from the file on disk; secrets dropped when their address changes, unless
 * confirmed), the write-only secrets (only "is it set" comes back), and the schedule's preview and
 * pause. Each change is logged and pushes a fresh status.
 */
import { ValidationError } from '../errors';
import { describeSchedule, nextRuns } from '../schedule';
import type { ConnectorApi } from '../../../shared/ipc-contract';
import { secretNames, type SaveSettingsRequest, type SecretName, type Status } from '../../../shared/types';
import { secretStatus } from './runtime';
import { validateSchedule, validateSettingsToSave } from './settings';
import { SIDE_SECRETS, endpointChanges } from './diagnostics';
import type { ServiceContext } from './service-context';

/** Why saveSettings refuses a changed alert command (shown next to the field). */
export const ALERT_COMMAND_REFUSED =
  'The alert command can only be set in settings.json in the data folder (by someone who can edit that file); it cannot be changed from the window or the API.';

type SettingsOperations = Pick<
  ConnectorApi,
  'getSettings' | 'saveSettings' | 'setCredential' | 'clearCredential' | 'getCredentialStatus' | 'previewSchedule' | 'setSchedulePaused'
>;

export function createSettingsOperations(ctx: ServiceContext, hooks: { getStatus(): Promise<Status>; pushStatus(): Promise<void> }): SettingsOperations {
  const { deps, clock, state, emit, log } = ctx;
  const { getStatus, pushStatus } = hooks;
  return {
    async getSettings() {
      return deps.settings.get();
    },
    async saveSettings(request) {
      const { confirmEndpointChange, ...s } = (request ?? {}) as SaveSettingsRequest;
      const r = validateSettingsToSave(s);
      if (!r.ok) return r;
      // The alert command runs a program: it comes only from the settings file on disk, never from
      // the window or the served API (issue #12: the served token must not be a shell).
      if (r.settings.alerts.command !== deps.settings.get().alerts.command) {
        return { ok: false, errors: { 'alerts.command': ALERT_COMMAND_REFUSED } };
      }
      // A secret is bound to the address it was entered for: a changed address drops it unless confirmed.
      const before = deps.settings.get();
      const cleared: SecretName[] = [];
      for (const side of endpointChanges(before, r.settings)) {
        for (const name of SIDE_SECRETS[side.side]) {
          if ((await deps.secrets.get(name)) === null) continue;
          if (confirmEndpointChange === true) continue;
          await deps.secrets.delete(name);
          cleared.push(name);
        }
        log(
          'warn',
          confirmEndpointChange === true
            ? `${side.label} changed from ${side.from || '(none)'} to ${side.to}; the stored secrets are kept for it, as confirmed.`
            : `${side.label} changed from ${side.from || '(none)'} to ${side.to}; its stored secrets were removed (they were entered for the old address). Enter them again.`,
        );
      }
      deps.settings.set(r.settings);
      state.scheduler?.update(r.settings.schedule);
      log('info', 'Settings saved.');
      void pushStatus();
      return cleared.length ? { ...r, clearedSecrets: cleared } : r;
    },
    async setCredential({ name, value }) {
      if (!secretNames.includes(name)) throw new ValidationError({ userMessage: `Unknown credential "${String(name)}".` });
      if (!value) throw new ValidationError({ userMessage: 'The secret is empty.', fields: { [name]: 'Required' } });
      await deps.secrets.set(name, value);
      log('info', `Credential ${name} updated.`);
      void pushStatus();
      return { ok: true };
    },
    async clearCredential({ name }) {
      await deps.secrets.delete(name);
      log('info', `Credential ${name} removed.`);
      void pushStatus();
      return { ok: true };
    },
    getCredentialStatus: () => secretStatus(deps.secrets, secretNames),
    async previewSchedule({ schedule, count }) {
      // The request is only shape-checked at the door: validate the schedule like saveSettings does.
      const checked = validateSchedule(schedule);
      if (!checked.ok)
        throw new ValidationError({
          userMessage: `The schedule is not valid: ${Object.entries(checked.errors)
            .map(([k, v]) => `${k}: ${v}`)
            .join('; ')}`,
          fields: checked.errors,
        });
      return { runs: nextRuns(checked.schedule, clock.now(), count ?? 5), description: describeSchedule(checked.schedule) };
    },
    async setSchedulePaused({ paused }) {
      const s = deps.settings.get();
      s.schedule.paused = paused;
      deps.settings.set(s);
      state.scheduler?.update(s.schedule);
      log('info', paused ? 'Schedule paused.' : 'Schedule resumed.');
      const status = await getStatus();
      emit({ type: 'status', status });
      return status;
    },
  };
}
