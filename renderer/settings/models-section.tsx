/**
 * Finance models (issue 15): each model on or off and its Tableau data source name, the month the
 * fiscal year starts in (from Sage Intacct's entities by default, or a month that overrides it;
 * main/core/models/fiscal-year-source.ts), and how long AP aging snapshots are kept.
 */
import { Checkbox, NumberField, SelectField, TextField } from '../components/fields';
import { MODEL_DATASOURCES, MODEL_LABELS, MODEL_NAMES } from '../../shared/models';
import type { SectionProps } from './section-props';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const fiscalYearOptions = [
  { value: 'intacct', label: 'From Sage Intacct' },
  ...MONTHS.map((label, i) => ({ value: String(i + 1), label: `${label} (override)` })),
];

/** The finance models fieldset. */
export function ModelsSection({ settings, edit, errors }: SectionProps) {
  const m = settings.models;
  return (
    <section className="card settings-section" aria-labelledby="sec-models">
      <h2 id="sec-models">Finance models</h2>
      <p className="section-intro">
        After each sync the connector computes these from the synced data on this computer and publishes each as its own Tableau data source, ready to chart.
        The three accounting checks run whatever is published.
      </p>
      <div className="models-list">
        {MODEL_NAMES.map((name) => (
          <div className="grid-2 model-row" key={name} data-testid={`model-setting-${name}`}>
            <Checkbox
              path={`models.enabled.${name}`}
              label={MODEL_LABELS[name]}
              checked={m.enabled[name]}
              onChange={(v) => edit((d) => void (d.models.enabled[name] = v))}
              error={errors[`models.enabled.${name}`]}
            />
            <TextField
              path={`models.datasourceNames.${name}`}
              label="Data source"
              value={m.datasourceNames[name] ?? ''}
              placeholder={MODEL_DATASOURCES[name]}
              onChange={(v) =>
                edit((d) => {
                  if (v) d.models.datasourceNames[name] = v;
                  else delete d.models.datasourceNames[name];
                })
              }
              error={errors[`models.datasourceNames.${name}`]}
            />
          </div>
        ))}
      </div>
      <div className="grid-2">
        <SelectField
          path="models.fiscalYearStart"
          label="Fiscal year starts in"
          value={String(m.fiscalYearStart)}
          options={fiscalYearOptions}
          onChange={(v) => edit((d) => void (d.models.fiscalYearStart = v === 'intacct' ? 'intacct' : Number(v)))}
          hint="From Sage Intacct: each entity's first fiscal month (January when none is set). Choose a month to override it. P&L balances restart at zero then."
          error={errors['models.fiscalYearStart']}
        />
        <NumberField
          path="models.apAgingKeepDays"
          label="Keep AP aging snapshots (days)"
          min={1}
          value={m.apAgingKeepDays}
          onChange={(v) => edit((d) => void (d.models.apAgingKeepDays = v))}
          error={errors['models.apAgingKeepDays']}
        />
      </div>
    </section>
  );
}
