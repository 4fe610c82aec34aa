/**
 * Settings read back from storage: the one rule the CLI's settings.json (service/stores.ts) and the
 * desktop app's electron-store file (electron/settings-store.ts) both follow, and the migrations of
 * what older versions saved.
 */
import { ValidationError } from '../errors';
import type { Settings } from '../../../shared/types';
import { validateSettings } from './settings';

/**
 * Settings saved before the fiscal year was read from Intacct hold `models.fiscalYearStartMonth`.
 * Its old default 1 (January) was not a choice the user made (Intacct was never read), so it becomes
 * "From Sage Intacct"; any other month was chosen and stays as an override.
 */
export function migrateFiscalYearStart(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const models = (raw as { models?: unknown }).models;
  if (!models || typeof models !== 'object' || !('fiscalYearStartMonth' in models)) return raw;
  const { fiscalYearStartMonth: old, ...rest } = models as Record<string, unknown>;
  const fiscalYearStart = 'fiscalYearStart' in rest ? rest.fiscalYearStart : old === 1 ? 'intacct' : old;
  return { ...(raw as Record<string, unknown>), models: { ...rest, fiscalYearStart } };
}

/**
 * The one rule for settings read back from storage (the CLI's settings.json, the desktop app's
 * electron-store file): valid as stored, or valid once new fields take their defaults (one level
 * deep per section); otherwise refused with a ValidationError naming `where` and each field, so a
 * hand-edited or damaged file never runs with a wrong value.
 */
export function settingsFromStored(raw: unknown, defaults: Settings, where: string): Settings {
  raw = migrateFiscalYearStart(raw);
  const checked = validateSettings(raw);
  if (checked.ok) return checked.settings;
  const merged = structuredClone(defaults) as unknown as Record<string, unknown>;
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      const d = merged[k];
      merged[k] = d && typeof d === 'object' && !Array.isArray(d) && v && typeof v === 'object' ? { ...d, ...v } : v;
    }
  }
  const again = validateSettings(merged);
  if (again.ok) return again.settings;
  const fields = Object.entries(again.errors).map(([field, message]) => `${field}: ${message}`);
  throw new ValidationError({
    code: 'SETTINGS_FILE',
    userMessage: `${where} has ${fields.length === 1 ? 'an invalid field' : `${fields.length} invalid fields`}: ${fields.join('; ')}. Fix ${fields.length === 1 ? 'it' : 'them'} and start again.`,
    fields: again.errors,
  });
}
