/**
 * What every Settings section receives: the draft, an editor, the field errors and the secrets.
 */
import type { FieldErrors, SecretName, Settings } from '../../shared/types';

export interface SectionProps {
  settings: Settings;
  /** Applies a change to a copy of the draft. */
  edit: (change: (draft: Settings) => void) => void;
  errors: FieldErrors;
  /** Replacement values typed for secrets (sent on Save, then cleared). */
  secrets: Partial<Record<SecretName, string>>;
  setSecret: (name: SecretName, value: string) => void;
  /** Which secrets the keychain holds. */
  credentialStatus: Record<SecretName, boolean> | null;
}

/** The message for `path` or for any path under it (e.g. `tableau.dependentDatasources.2`). */
export function firstError(errors: FieldErrors, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const key = Object.keys(errors).find((k) => k.startsWith(`${path}.`));
  return key ? errors[key] : undefined;
}
