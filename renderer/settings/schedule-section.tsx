/**
 * The schedule: a preset a finance user understands, its timezone, and the next five runs as the
 * service computes them (previewSchedule), refreshed as the fields change.
 */
import { useEffect, useMemo, useState } from 'react';
import type { SchedulePreset, Settings } from '../../shared/types';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/api-error';
import { Checkbox, NumberField, SelectField, TextField } from '../components/fields';
import { formatScheduleTime } from '../../shared/format';
import type { SectionProps } from './section-props';
import { firstError } from './section-props';

type Kind = SchedulePreset['kind'];

const kindOptions: readonly { value: Kind; label: string }[] = [
  { value: 'manual', label: 'Manual only (Sync now)' },
  { value: 'daily', label: 'Once a day' },
  { value: 'hourly', label: 'Every few hours' },
  { value: 'close', label: 'Close calendar (more often at month-end close)' },
];

/** A preset of another kind, keeping the fields the two have in common. */
export function switchPreset(from: SchedulePreset, kind: Kind): SchedulePreset {
  const time = 'time' in from ? from.time : '06:00';
  const businessDaysOnly = 'businessDaysOnly' in from ? from.businessDaysOnly : true;
  switch (kind) {
    case 'manual':
      return { kind };
    case 'daily':
      return { kind, time, businessDaysOnly };
    case 'hourly':
      return { kind, everyHours: 'everyHours' in from ? from.everyHours : 4, businessDaysOnly };
    case 'close':
      return { kind, time, closeBusinessDays: 5, closeEveryHours: 2 };
  }
}

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

/** 'demo' or 'other' when this service does not run its schedule (the demo), else null. */
function useScheduleNotRun(): 'demo' | 'other' | null {
  const api = useApi();
  const [state, setState] = useState<'demo' | 'other' | null>(null);
  useEffect(() => {
    let live = true;
    api.getStatus().then(
      (s) => live && setState(s.schedulerRunning === false ? (s.demo ? 'demo' : 'other') : null),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);
  return state;
}

/** Fetches the preview a moment after the last change, so typing does not flood the service. */
function useSchedulePreview(schedule: Settings['schedule']) {
  const api = useApi();
  const [state, setState] = useState<{ runs: number[]; description: string; error: string | null; loading: boolean }>({
    runs: [],
    description: '',
    error: null,
    loading: true,
  });
  const key = JSON.stringify(schedule);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    const timer = window.setTimeout(() => {
      api.previewSchedule({ schedule: JSON.parse(key) as Settings['schedule'], count: 5 }).then(
        (r) => live && setState({ runs: r.runs, description: r.description, error: null, loading: false }),
        (err: unknown) => live && setState({ runs: [], description: '', error: errorMessage(err), loading: false }),
      );
    }, 250);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [api, key]);
  return state;
}

/** The schedule fieldset. */
export function ScheduleSection({ settings, edit, errors }: SectionProps) {
  const schedule = settings.schedule;
  const preset = schedule.preset;
  const zones = useMemo(timeZones, []);
  const localZone = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone, []);
  const preview = useSchedulePreview(schedule);
  const notRun = useScheduleNotRun();
  const setPreset = (change: (p: SchedulePreset) => void) => edit((d) => change(d.schedule.preset));

  return (
    <section className="card settings-section" aria-labelledby="sec-schedule">
      <h2 id="sec-schedule">Schedule</h2>
      <div className="grid-2">
        <SelectField
          path="schedule.preset.kind"
          label="Sync"
          value={preset.kind}
          options={kindOptions}
          onChange={(k) => edit((d) => void (d.schedule.preset = switchPreset(d.schedule.preset, k)))}
          error={errors['schedule.preset.kind'] ?? errors['schedule.preset']}
        />
        <div className="field-with-action">
          <TextField
            path="schedule.timezone"
            label="Time zone"
            value={schedule.timezone}
            list="tz-list"
            onChange={(v) => edit((d) => void (d.schedule.timezone = v))}
            error={errors['schedule.timezone']}
            hint={
              schedule.timezone !== localZone ? (
                <button type="button" className="btn-link" onClick={() => edit((d) => void (d.schedule.timezone = localZone))}>
                  Use this computer's zone ({localZone})
                </button>
              ) : undefined
            }
          />
          <datalist id="tz-list">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </div>
      </div>
      {preset.kind === 'daily' ? (
        <div className="grid-2">
          <TextField
            path="schedule.preset.time"
            label="At"
            type="time"
            value={preset.time}
            onChange={(v) => setPreset((p) => void ('time' in p && (p.time = v)))}
            error={errors['schedule.preset.time']}
          />
          <Checkbox
            path="schedule.preset.businessDaysOnly"
            label="Business days only (Mon–Fri)"
            checked={preset.businessDaysOnly}
            onChange={(v) => setPreset((p) => void ('businessDaysOnly' in p && (p.businessDaysOnly = v)))}
            error={errors['schedule.preset.businessDaysOnly']}
          />
        </div>
      ) : null}
      {preset.kind === 'hourly' ? (
        <div className="grid-2">
          <NumberField
            path="schedule.preset.everyHours"
            label="Every (hours)"
            min={1}
            max={24}
            value={preset.everyHours}
            onChange={(v) => setPreset((p) => void ('everyHours' in p && (p.everyHours = v)))}
            error={errors['schedule.preset.everyHours']}
          />
          <Checkbox
            path="schedule.preset.businessDaysOnly"
            label="Business days only (Mon–Fri)"
            checked={preset.businessDaysOnly}
            onChange={(v) => setPreset((p) => void ('businessDaysOnly' in p && (p.businessDaysOnly = v)))}
            error={errors['schedule.preset.businessDaysOnly']}
          />
        </div>
      ) : null}
      {preset.kind === 'close' ? (
        <div className="grid-3">
          <TextField
            path="schedule.preset.time"
            label="Daily at"
            type="time"
            value={preset.time}
            onChange={(v) => setPreset((p) => void ('time' in p && (p.time = v)))}
            error={errors['schedule.preset.time']}
          />
          <NumberField
            path="schedule.preset.closeBusinessDays"
            label="Close: first N business days"
            min={1}
            max={15}
            value={preset.closeBusinessDays}
            onChange={(v) => setPreset((p) => void ('closeBusinessDays' in p && (p.closeBusinessDays = v)))}
            error={errors['schedule.preset.closeBusinessDays']}
          />
          <NumberField
            path="schedule.preset.closeEveryHours"
            label="During close, every (hours)"
            min={1}
            max={12}
            value={preset.closeEveryHours}
            onChange={(v) => setPreset((p) => void ('closeEveryHours' in p && (p.closeEveryHours = v)))}
            error={errors['schedule.preset.closeEveryHours']}
          />
        </div>
      ) : null}
      <Checkbox
        path="schedule.paused"
        label="Pause the schedule"
        checked={schedule.paused}
        onChange={(v) => edit((d) => void (d.schedule.paused = v))}
        error={errors['schedule.paused']}
      />
      {firstError(errors, 'schedule') &&
      !Object.keys(errors).some((k) =>
        /^schedule\.(timezone|paused|preset\.(kind|time|everyHours|businessDaysOnly|closeBusinessDays|closeEveryHours))$/.test(k),
      ) ? (
        <p className="field-error" role="alert">
          {firstError(errors, 'schedule')}
        </p>
      ) : null}

      <div className="schedule-preview" aria-live="polite" aria-busy={preview.loading} data-testid="schedule-preview">
        <h3>Next runs</h3>
        {notRun && preset.kind !== 'manual' ? (
          <p className="inline-note" data-testid="schedule-not-run">
            {notRun === 'demo'
              ? 'The demo does not run its schedule: these are the runs it would start in an installed connector. Use Sync now to run the demo.'
              : 'This process does not run the schedule: these are the runs the connector that owns the data folder starts.'}
          </p>
        ) : null}
        {preview.error ? (
          <p className="inline-error">{preview.error}</p>
        ) : preset.kind === 'manual' ? (
          <p className="muted">{preview.description || 'No scheduled runs: sync with Sync now or the tray menu.'}</p>
        ) : (
          <>
            {preview.description ? <p className="schedule-description">{preview.description}</p> : null}
            <ol className="next-runs">
              {preview.runs.map((t) => (
                <li key={t}>
                  <time dateTime={new Date(t).toISOString()}>{formatScheduleTime(t, schedule.timezone)}</time>
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
    </section>
  );
}
