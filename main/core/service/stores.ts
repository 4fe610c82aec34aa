/**
 * Where the service keeps settings and secrets: two small interfaces.
 *
 * The Electron shell passes a keytar SecretStore and an electron-store SettingsStore; the CLI passes
 * a JSON-file SettingsStore and an in-memory SecretStore (filled from environment variables the CLI
 * reads itself); tests pass the in-memory ones. Secrets are never written to disk by this module.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SecretName, Settings } from '../../../shared/types';
import { defaultSettings } from './settings';
import { settingsFromStored } from './stored-settings';
import { ValidationError } from '../errors';

/** The OS keychain, or a stand-in. Write-only towards front ends: the service never returns a secret. */
export interface SecretStore {
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
}

/** Persistent settings. */
export interface SettingsStore {
  get(): Settings;
  set(s: Settings): void;
}

/** Secrets in memory only (tests, the CLI, the demo). */
export function memorySecretStore(initial: Partial<Record<SecretName, string>> = {}): SecretStore {
  const values = new Map<SecretName, string>(Object.entries(initial).filter(([, v]) => typeof v === 'string' && v !== '') as [SecretName, string][]);
  return {
    get: async (name) => values.get(name) ?? null,
    set: async (name, value) => void values.set(name, value),
    delete: async (name) => void values.delete(name),
  };
}

/** Settings in memory only. */
export function memorySettingsStore(initial: Settings = defaultSettings()): SettingsStore {
  let current = structuredClone(initial);
  return {
    get: () => structuredClone(current),
    set: (s) => void (current = structuredClone(s)),
  };
}

/**
 * Settings in a JSON file (the CLI's `<data dir>/settings.json`). A missing file gives the defaults;
 * a file missing some settings (added in a later version) is merged over the defaults field group
 * by field group, so those get their defaults. A file that is not JSON, or holds a value that is
 * not valid, is refused with a ValidationError naming the file and each field (issue #12: running
 * on silent defaults would sync with settings nobody chose). Writes go to a temporary file first
 * and are renamed over the old one, so a crash never leaves half a file.
 */
export function jsonFileSettingsStore(path: string, defaults: Settings = defaultSettings()): SettingsStore {
  const load = (): Settings => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(defaults);
      throw new ValidationError({ code: 'SETTINGS_FILE', userMessage: `The settings file ${path} cannot be read: ${(err as Error).message}` });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ValidationError({
        code: 'SETTINGS_FILE',
        userMessage: `The settings file ${path} is not valid JSON (${(err as Error).message}). Fix it, or move it aside to start from the defaults.`,
      });
    }
    return settingsFromStored(raw, defaults, `The settings file ${path}`);
  };
  let current = load();
  return {
    get: () => structuredClone(current),
    set: (s) => {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, path);
      current = structuredClone(s);
    },
  };
}
