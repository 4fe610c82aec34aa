/**
 * Which streams run, the Tableau data source each one loads, the fields added to each, where
 * GL detail starts, and what a full load of the enabled streams would cost in Intacct.
 */
import { useEffect, useState } from 'react';
import type { StreamName } from '../../shared/types';
import { Checkbox, TextField } from '../components/fields';
import { defaultDatasources, streamLabels, streamNames } from '../streams';
import { ExtraFieldsPanel, extraFieldsPanelId } from './extra-fields';
import { FullLoadEstimatePanel } from './full-load-estimate';
import { ReloadInFull } from './reload-in-full';
import { useApi } from '../api/api-context';
import type { SectionProps } from './section-props';
import { firstError } from './section-props';

/** The streams table. */
export function StreamsSection({ settings, edit, errors, secrets }: SectionProps) {
  const api = useApi();
  // Tables already waiting for a full reload, and those Tableau holds (only they can be reloaded:
  // a table's first sync is a full load anyway). The service's status knows both.
  const [pendingReloads, setPendingReloads] = useState<StreamName[]>([]);
  const [loaded, setLoaded] = useState<ReadonlySet<StreamName>>(new Set());
  useEffect(() => {
    let live = true;
    api.getStatus().then(
      (s) => {
        if (!live) return;
        setPendingReloads(s.pendingReloads ?? []);
        setLoaded(new Set(s.streams.filter((x) => x.checkpoint !== null || x.totalRowsInTableau !== null).map((x) => x.stream)));
      },
      () => undefined, // the page shows load errors
    );
    return () => {
      live = false;
    };
  }, [api]);
  return (
    <section className="card settings-section" aria-labelledby="sec-streams">
      <h2 id="sec-streams">Streams</h2>
      <p className="section-intro">
        Each stream loads one Tableau data source (leave a name empty for the default shown). A stream's first sync is a full load.
      </p>
      <div className="stream-rows">
        <div className="stream-rows-head" aria-hidden="true">
          <span>Stream</span>
          <span>Tableau data source</span>
          <span />
        </div>
        {streamNames.map((name) => (
          <StreamRow
            key={name}
            name={name}
            settings={settings}
            edit={edit}
            errors={errors}
            reloadable={loaded.has(name)}
            pendingReload={pendingReloads.includes(name)}
            onReloadAsked={setPendingReloads}
          />
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
      <FullLoadEstimatePanel settings={settings} secrets={secrets} />
    </section>
  );
}

/** One stream: enabled, data source name, and its extra fields behind a disclosure button. */
function StreamRow({
  name,
  settings,
  edit,
  errors,
  reloadable,
  pendingReload,
  onReloadAsked,
}: Pick<SectionProps, 'settings' | 'edit' | 'errors'> & {
  name: StreamName;
  reloadable: boolean;
  pendingReload: boolean;
  onReloadAsked: (pending: StreamName[]) => void;
}) {
  const [open, setOpen] = useState(false);
  const fields = settings.streams.extraFields[name] ?? [];
  // A save that rejects one of this stream's fields opens the panel, so the message is seen.
  const fieldError = firstError(errors, `streams.extraFields.${name}`) !== undefined;
  useEffect(() => {
    if (fieldError) setOpen(true);
  }, [fieldError]);
  return (
    <div className="stream-item">
      <div className="stream-row">
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
        <button
          type="button"
          className={`btn btn-small extra-fields-toggle${fieldError ? ' has-error' : ''}`}
          aria-expanded={open}
          aria-controls={extraFieldsPanelId(name)}
          onClick={() => setOpen((o) => !o)}
          data-testid={`extra-fields-toggle-${name}`}
        >
          <span className="disclosure" aria-hidden="true" />
          Extra fields ({fields.length})<span className="sr-only"> for {streamLabels[name]}</span>
        </button>
      </div>
      <ExtraFieldsPanel stream={name} fields={fields} edit={edit} errors={errors} hidden={!open} />
      {settings.streams.enabled[name] && reloadable ? <ReloadInFull stream={name} pending={pendingReload} onAsked={onReloadAsked} /> : null}
    </div>
  );
}
