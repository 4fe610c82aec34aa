/**
 * Non-secret settings in electron-store, with a schema and versioned migrations.
 *
 * electron-store writes a JSON file in the user's data folder atomically. Secrets never go here:
 * the Settings type has no secret fields, and `set` refuses any key that looks like one, as a
 * second line of defence against a future field added by mistake.
 */
import type { Settings } from '../../shared/types';
import type { SettingsStore } from '../core/service/stores';
import { settingsFromStored } from '../core/service/stored-settings';

export type { SettingsStore };

/** The electron-store instance API used (the real class satisfies it; tests pass a fake). */
export interface KeyValueStore {
  get(key: 'settings'): unknown;
  set(key: 'settings', value: unknown): void;
}

export type KeyValueStoreFactory = (options: {
  name: string;
  schema: Record<string, unknown>;
  migrations: Record<string, (store: KeyValueStore) => void>;
  projectVersion?: string;
}) => KeyValueStore;

/** JSON schema for electron-store: shape only; the service validates content field by field. */
export const settingsSchema = {
  settings: {
    type: 'object',
    properties: {
      intacct: { type: 'object' },
      tableau: { type: 'object' },
      streams: { type: 'object' },
      schedule: { type: 'object' },
      alerts: { type: 'object' },
      retention: { type: 'object' },
      startAtLogin: { type: 'boolean' },
    },
  },
} as const;

/**
 * Migrations keyed by app version (electron-store runs those newer than the file's version).
 * 0.1.0 is the first shape; later versions add entries here.
 */
export const settingsMigrations: Record<string, (store: KeyValueStore) => void> = {
  '0.1.0': () => {},
};

const secretLooking = /(password|secret|token)$/i;

/** Keys anywhere in `value` whose names look like they hold a secret. */
export function secretLookingKeys(value: unknown, path = ''): string[] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const p = path ? `${path}.${k}` : k;
    return [...(secretLooking.test(k) ? [p] : []), ...secretLookingKeys(v, p)];
  });
}

export function createSettingsStore(factory: KeyValueStoreFactory, defaults: () => Settings, projectVersion?: string): SettingsStore {
  const store = factory({ name: 'settings', schema: settingsSchema, migrations: settingsMigrations, projectVersion });
  return {
    // The same rule as the CLI's settings.json (core/service/settings.ts): a stored value that does
    // not validate is refused with the field named, never used.
    get: () => {
      const stored = store.get('settings');
      return stored === undefined ? defaults() : settingsFromStored(stored, defaults(), "The desktop app's settings file");
    },
    set: (settings) => {
      const bad = secretLookingKeys(settings);
      if (bad.length) throw new Error(`Refusing to store secret-looking settings keys in the settings file: ${bad.join(', ')}`);
      store.set('settings', settings);
    },
  };
}
