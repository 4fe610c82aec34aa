/**
 * A write-only secret: shows whether one is stored ("•••• set" / "not set") and takes a
 * replacement. The stored value never comes back to the renderer.
 */
import { FieldShell } from '../components/fields';
import type { SecretName } from '../../shared/types';
import { useSecretStorageNote } from './secret-storage';

interface SecretFieldProps {
  name: SecretName;
  label: string;
  isSet: boolean | undefined;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
}

/** A password box with the stored/not-stored state beside its label. */
export function SecretField({ name, label, isSet, value, onChange, error }: SecretFieldProps) {
  const note = useSecretStorageNote(name);
  const state = note?.fromEnvironment ? '•••• from the environment' : isSet === undefined ? '' : isSet ? '•••• set' : 'not set';
  const hint = note ? note.text : isSet ? 'Type a new value to replace it.' : undefined;
  return (
    <FieldShell
      path={`secrets.${name}`}
      label={
        <>
          {label}{' '}
          <span className={`secret-state ${isSet || note?.fromEnvironment ? 'is-set' : 'not-set'}`} data-testid={`secret-${name}`}>
            {state}
          </span>
        </>
      }
      error={error}
      {...(hint ? { hint: <span data-testid={`secret-note-${name}`}>{hint}</span> } : {})}
    >
      {(a11y) => (
        <input
          {...a11y}
          name={name}
          type="password"
          value={value}
          autoComplete="new-password"
          placeholder={note?.fromEnvironment ? 'From the environment' : isSet ? 'Unchanged' : 'Required'}
          disabled={note?.fromEnvironment}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </FieldShell>
  );
}
