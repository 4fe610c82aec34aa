/**
 * A stream's extra fields: the Intacct fields added to its standard columns (custom fields,
 * user-defined dimensions…), edited in the draft like every other setting, plus "Find fields in
 * Intacct", which lists the fields of the stream's object that are not columns yet.
 */
import { useRef, useState } from 'react';
import type { ExtraField, FieldChoice, FieldErrors, FieldType, Settings, StreamName } from '../../shared/types';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';
import { fieldIdOf, SelectField, TextField } from '../components/fields';
import { streamLabels } from '../streams';
import { unknownFieldProblem } from './field-checks';

const typeOptions: readonly { value: FieldType; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'bigint', label: 'Whole number' },
  { value: 'numeric', label: 'Decimal' },
  { value: 'date', label: 'Date' },
  { value: 'timestamp', label: 'Date & time' },
  { value: 'bool', label: 'Yes/No' },
];

/** The column a field becomes, upper-cased for comparing (main/core/streams/extra-fields.ts: `.` → `_`). */
const columnKey = (field: string) => field.trim().replace(/\./g, '_').toUpperCase();

/** The DOM id of a stream's panel (the disclosure button's aria-controls). */
export const extraFieldsPanelId = (stream: StreamName) => `extra-fields-${stream}`;

interface ExtraFieldsPanelProps {
  stream: StreamName;
  fields: readonly ExtraField[];
  /** Changes this stream's list in a copy of the draft. */
  edit: (change: (draft: Settings) => void) => void;
  errors: FieldErrors;
  hidden: boolean;
}

type Lookup = { state: 'idle' } | { state: 'running' } | { state: 'done'; choices: FieldChoice[] } | { state: 'failed'; message: string };

/** The panel under a stream row: the field list, "Add a field", "Find fields in Intacct" and the hint. */
export function ExtraFieldsPanel({ stream, fields, edit, errors, hidden }: ExtraFieldsPanelProps) {
  const api = useApi();
  const [lookup, setLookup] = useState<Lookup>({ state: 'idle' });
  const choicesRef = useRef<HTMLUListElement>(null);
  const findRef = useRef<HTMLButtonElement>(null);
  const label = streamLabels[stream];
  const base = `streams.extraFields.${stream}`;

  /** Edits this stream's list (created on first use, removed again when it empties). */
  const change = (update: (list: ExtraField[]) => void) =>
    edit((d) => {
      const list = d.streams.extraFields[stream] ?? [];
      update(list);
      if (list.length) d.streams.extraFields[stream] = list;
      else delete d.streams.extraFields[stream];
    });

  const find = async () => {
    setLookup({ state: 'running' });
    try {
      setLookup({ state: 'done', choices: await api.listFields({ stream }) });
    } catch (err) {
      setLookup({ state: 'failed', message: errorMessage(err) });
    }
  };

  const have = new Set(fields.map((f) => columnKey(f.field)));
  const offered = lookup.state === 'done' ? lookup.choices.filter((c) => !c.standard && !have.has(columnKey(c.field))) : [];

  const add = (choice: FieldChoice) => {
    change((list) => void list.push({ field: choice.field, type: choice.type }));
    // The Add button goes away with its row: keep the keyboard in the list (or on Find when it empties).
    window.requestAnimationFrame(() => (choicesRef.current?.querySelector('button') ?? findRef.current)?.focus());
  };

  return (
    <div
      className="extra-fields"
      id={extraFieldsPanelId(stream)}
      role="group"
      aria-label={`Extra fields of ${label}`}
      hidden={hidden}
      data-testid={`extra-fields-${stream}`}
    >
      {fields.length > 0 ? (
        <ul className="extra-field-list">
          {fields.map((f, i) => {
            const path = `${base}.${i}`;
            const name = f.field.trim() || `field ${i + 1}`;
            return (
              <li className="extra-field" key={i}>
                <TextField
                  path={`${path}.field`}
                  label={`Intacct field ${i + 1} of ${label}`}
                  className="label-hidden extra-field-name"
                  value={f.field}
                  placeholder="Intacct field name, e.g. GLDIMSALES_CHANNEL"
                  onChange={(v) => change((list) => void (list[i]!.field = v))}
                  error={errors[`${path}.field`] ?? unknownFieldProblem(f.field, lookup.state === 'done' ? lookup.choices : null, label)}
                />
                <SelectField
                  path={`${path}.type`}
                  label={`Type of ${name}`}
                  className="label-hidden"
                  value={f.type}
                  options={typeOptions}
                  onChange={(v) =>
                    change((list) => {
                      list[i]!.type = v;
                      // Decimals apply to Decimal only (the service rejects them on other types).
                      if (v !== 'numeric') delete list[i]!.scale;
                    })
                  }
                  error={errors[`${path}.type`]}
                />
                {f.type === 'numeric' ? (
                  <TextField
                    path={`${path}.scale`}
                    label="Decimals"
                    className="extra-field-scale"
                    type="number"
                    min={0}
                    max={6}
                    placeholder="2"
                    value={f.scale === undefined ? '' : String(f.scale)}
                    onChange={(v) =>
                      change((list) => {
                        if (v === '') delete list[i]!.scale;
                        else list[i]!.scale = Number(v);
                      })
                    }
                    error={errors[`${path}.scale`]}
                  />
                ) : null}
                <button
                  type="button"
                  className="btn btn-small extra-field-remove"
                  aria-label={`Remove ${name}`}
                  onClick={() => change((list) => void list.splice(i, 1))}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="muted small extra-fields-empty">No extra fields: {label} loads its standard columns.</p>
      )}
      {errors[base] ? (
        <p className="inline-error small" role="alert">
          {errors[base]}
        </p>
      ) : null}
      <div className="extra-fields-actions">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            change((list) => void list.push({ field: '', type: 'text' }));
            // Straight to the new row's name box.
            window.requestAnimationFrame(() => document.getElementById(fieldIdOf(`${base}.${fields.length}.field`))?.focus());
          }}
        >
          Add a field
        </button>
        <button type="button" className="btn btn-small" ref={findRef} onClick={() => void find()} disabled={lookup.state === 'running'}>
          {lookup.state === 'running' ? (
            <>
              <span className="spinner" aria-hidden="true" /> Finding fields…
            </>
          ) : (
            'Find fields in Intacct'
          )}
        </button>
        <span className="extra-fields-status" aria-live="polite">
          {lookup.state === 'failed' ? (
            <span className="inline-error" role="alert">
              {lookup.message}
            </span>
          ) : lookup.state === 'done' ? (
            <span className="muted small">
              {offered.length
                ? `${offered.length} more ${offered.length === 1 ? 'field' : 'fields'} in Intacct`
                : `Every field Intacct lists is already a column of ${label}.`}
            </span>
          ) : null}
        </span>
      </div>
      {offered.length > 0 ? (
        <ul className="field-choices" ref={choicesRef} aria-label={`Intacct fields not in ${label}`}>
          {offered.map((c) => (
            <li key={c.field} data-field={c.field}>
              <span className="field-choice-name">
                <span className="mono">{c.field}</span>
                {c.isCustom ? (
                  <span className="tag tag-custom">custom</span>
                ) : /^GLDIM/.test(c.field) ? (
                  <span className="tag tag-custom">dimension</span>
                ) : null}
              </span>
              <span className="field-choice-label">
                {c.label}
                <span className="muted"> · {c.intacctType}</span>
              </span>
              <button type="button" className="btn btn-small" aria-label={`Add ${c.field}`} onClick={() => add(c)}>
                Add
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <p className="hint">Added fields become columns of the data source. Changing them publishes it again in full on the next sync.</p>
    </div>
  );
}
