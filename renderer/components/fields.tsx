/**
 * Labelled form controls with their validation message wired for assistive technology
 * (`aria-invalid`, `aria-describedby`). `path` is the dotted settings path the service reports
 * errors against, and doubles as the control's id.
 */
import type { ReactNode } from 'react';

const idOf = (path: string) => `f-${path.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

interface FieldShellProps {
  path: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
  className?: string;
}

export function FieldShell({ path, label, hint, error, children, className }: FieldShellProps) {
  const id = idOf(path);
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`} data-path={path}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(error ? { 'aria-invalid': true } : {}), ...(described ? { 'aria-describedby': described } : {}) })}
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

interface TextFieldProps {
  path: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  type?: 'text' | 'url' | 'date' | 'time' | 'number' | 'password';
  placeholder?: string;
  autoComplete?: string;
  list?: string;
  min?: number;
  max?: number;
  className?: string;
}

/** A labelled `<input>`. */
export function TextField({
  path,
  label,
  value,
  onChange,
  error,
  hint,
  type = 'text',
  placeholder,
  autoComplete = 'off',
  list,
  min,
  max,
  className,
}: TextFieldProps) {
  return (
    <FieldShell path={path} label={label} hint={hint} error={error} {...(className ? { className } : {})}>
      {(a11y) => (
        <input
          {...a11y}
          name={path}
          type={type}
          value={value}
          placeholder={placeholder}
          autoComplete={autoComplete}
          spellCheck={false}
          list={list}
          min={min}
          max={max}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </FieldShell>
  );
}

interface NumberFieldProps extends Omit<TextFieldProps, 'value' | 'onChange' | 'type'> {
  value: number;
  onChange: (value: number) => void;
}

/** A labelled numeric `<input>`; an empty box reads as 0 so the service's validation reports it. */
export function NumberField({ value, onChange, ...rest }: NumberFieldProps) {
  return <TextField {...rest} type="number" value={Number.isFinite(value) ? String(value) : ''} onChange={(v) => onChange(v === '' ? 0 : Number(v))} />;
}

interface SelectFieldProps<T extends string> {
  path: string;
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  error?: string | undefined;
  hint?: ReactNode;
  className?: string;
}

/** A labelled `<select>`. */
export function SelectField<T extends string>({ path, label, value, options, onChange, error, hint, className }: SelectFieldProps<T>) {
  return (
    <FieldShell path={path} label={label} hint={hint} error={error} {...(className ? { className } : {})}>
      {(a11y) => (
        <select {...a11y} name={path} value={value} onChange={(e) => onChange(e.target.value as T)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

interface CheckboxProps {
  path: string;
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  error?: string | undefined;
}

/** A checkbox with its label to the right. */
export function Checkbox({ path, label, checked, onChange, error }: CheckboxProps) {
  const id = idOf(path);
  return (
    <div className={`check${error ? ' field-invalid' : ''}`} data-path={path}>
      <input
        id={id}
        name={path}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      <label htmlFor={id}>{label}</label>
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

interface RadioGroupProps<T extends string> {
  path: string;
  legend: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  error?: string | undefined;
}

/** A fieldset of radio buttons (arrow keys move between them natively). */
export function RadioGroup<T extends string>({ path, legend, value, options, onChange, error }: RadioGroupProps<T>) {
  const id = idOf(path);
  return (
    <fieldset className={`radio-group${error ? ' field-invalid' : ''}`} data-path={path}>
      <legend>{legend}</legend>
      <div className="radio-options">
        {options.map((o) => (
          <label key={o.value} className="radio">
            <input type="radio" name={id} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
            {o.label}
          </label>
        ))}
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

interface TextAreaFieldProps {
  path: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  rows?: number;
  placeholder?: string;
}

/** A labelled `<textarea>`. */
export function TextAreaField({ path, label, value, onChange, error, hint, rows = 3, placeholder }: TextAreaFieldProps) {
  return (
    <FieldShell path={path} label={label} hint={hint} error={error}>
      {(a11y) => (
        <textarea {...a11y} name={path} rows={rows} value={value} placeholder={placeholder} spellCheck={false} onChange={(e) => onChange(e.target.value)} />
      )}
    </FieldShell>
  );
}

/** The DOM id of the control for a settings path (to focus it from an error summary). */
export const fieldIdOf = idOf;
