/**
 * Which streams run, the Tableau data source each one loads, and where GL detail starts.
 */
import { Checkbox, TextField } from '../components/fields';
import { defaultDatasources, streamLabels, streamNames } from '../streams';
import type { SectionProps } from './section-props';

/** The streams table. */
export function StreamsSection({ settings, edit, errors }: SectionProps) {
  return (
    <section className="card settings-section" aria-labelledby="sec-streams">
      <h2 id="sec-streams">Streams</h2>
      <p className="section-intro">Each stream loads one Tableau data source (leave a name empty for the default shown). A stream's first sync is a full load.</p>
      <div className="stream-rows">
        <div className="stream-rows-head" aria-hidden="true">
          <span>Stream</span>
          <span>Tableau data source</span>
        </div>
        {streamNames.map((name) => (
          <div className="stream-row" key={name}>
            <Checkbox
              path={`streams.enabled.${name}`}
              label={streamLabels[name]}
              checked={settings.streams.enabled[name]}
              onChange={(v) => edit((d) => void (d.streams.enabled[name] = v))}
              error={errors[`streams.enabled.${name}`]}
            />
            <TextField
              path={`tableau.datasourceNames.${name}`}
              label={`Data source for ${streamLabels[name]}`}
              className="label-hidden"
              value={settings.tableau.datasourceNames[name] ?? ''}
              placeholder={defaultDatasources[name]}
              // Empty means "the default name", which the service reads from the stream definition.
              onChange={(v) =>
                edit((d) => {
                  if (v === '') delete d.tableau.datasourceNames[name];
                  else d.tableau.datasourceNames[name] = v;
                })
              }
              error={errors[`tableau.datasourceNames.${name}`]}
            />
          </div>
        ))}
      </div>
      <TextField
        path="streams.glDetailStartDate"
        label="GL detail starts on"
        type="date"
        value={settings.streams.glDetailStartDate}
        hint="The first day a full load of GL detail reads. Earlier entries stay out of Tableau."
        onChange={(v) => edit((d) => void (d.streams.glDetailStartDate = v))}
        error={errors['streams.glDetailStartDate']}
      />
    </section>
  );
}
