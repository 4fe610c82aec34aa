/**
 * A write-only secret: shows whether one is stored ("•••• set" / "not set") and takes a
 * replacement. The stored value never comes back to the renderer.
 */
import { FieldShell } from '../components/fields';
import type { SecretName } from '../../shared/types';

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
  const state = isSet === undefined ? '' : isSet ? '•••• set' : 'not set';
  return (
    <FieldShell
      path={`secrets.${name}`}
      label={
        <>
          {label}{' '}
          <span className={`secret-state ${isSet ? 'is-set' : 'not-set'}`} data-testid={`secret-${name}`}>
            {state}
          </span>
        </>
      }
      error={error}
      {...(isSet ? { hint: 'Type a new value to replace it.' } : {})}
    >
      {(a11y) => (
        <input
          {...a11y}
          name={name}
          type="password"
          value={value}
          autoComplete="new-password"
          placeholder={isSet ? 'Unchanged' : 'Required'}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </FieldShell>
  );
}
