/**
 * Settings: their defaults and their validation, field by field (issue #4 "One service").
 *
 * Front ends send a whole Settings object; `validateSettings` checks shape and content with zod and
 * returns every problem keyed by its dotted path ('intacct.companyId'), so a form can show each
 * message next to its field. Nothing secret is part of Settings: passwords and token secrets live
 * in the SecretStore.
 */
import { z } from 'zod';
import { streamDefinitions } from '../streams/definitions';
import { columnNameOf, FIELD_NAME, MAX_EXTRA_FIELDS } from '../streams/extra-fields';
import { alertCommandProblem } from '../alerts/alert-command';
import type { FieldErrors, SaveSettingsResult, Settings, StreamName } from '../../../shared/types';
import { MODEL_DATASOURCES, MODEL_LABELS, MODEL_NAMES, type ModelName, type ModelSettings } from '../../../shared/models';
import { settingsIssueMessage } from './settings-messages';

/** Intacct's production gateway (intacct-xml.md §1). */
export const DEFAULT_INTACCT_ENDPOINT = 'https://api.intacct.com/ia/xml/xmlgw.phtml';

/**
 * Settings for a fresh installation. `now` (UTC ms) sets the GL-detail backfill start to 1 January of
 * the previous year; without it the start date is empty, i.e. all history.
 */
export function defaultSettings(now?: number): Settings {
  const enabled = Object.fromEntries(streamDefinitions.map((d) => [d.name, d.enabledByDefault])) as Record<StreamName, boolean>;
  return {
    intacct: { senderId: '', companyId: '', userId: '', entityId: '', endpoint: DEFAULT_INTACCT_ENDPOINT, concurrency: 1, glBookId: 'ACCRUAL' },
    tableau: {
      kind: 'cloud',
      serverUrl: '',
      site: '',
      auth: 'pat',
      patName: '',
      connectedAppClientId: '',
      connectedAppSecretId: '',
      connectedAppUser: '',
      project: 'Sage Intacct',
      createProject: false,
      datasourceNames: {},
      dependentDatasources: [],
    },
    streams: { enabled, glDetailStartDate: now === undefined ? '' : `${new Date(now).getUTCFullYear() - 1}-01-01`, extraFields: {} },
    schedule: { preset: { kind: 'daily', time: '06:00', businessDaysOnly: true }, timezone: 'UTC', paused: false },
    alerts: {
      consecutiveFailures: 3,
      freshnessHours: 26,
      notifyOnSuccess: false,
      command: '',
      email: { host: '', port: 587, security: 'starttls', user: '', from: '', to: [] },
      webhook: { kind: 'off' },
    },
    retention: { auditDays: 400, logDays: 90 },
    models: defaultModelSettings(),
    startAtLogin: false,
  };
}

/**
 * Finance models: all on, default names, AP aging snapshots kept 400 days (a year of trend and a
 * month to compare with the year before), fiscal year start from Sage Intacct (the entities'
 * LOCATION.FIRSTMONTH, main/core/models/fiscal-year-source.ts); a month set here overrides it.
 */
export function defaultModelSettings(): ModelSettings {
  return {
    enabled: Object.fromEntries(MODEL_NAMES.map((m) => [m, true])) as Record<ModelName, boolean>,
    datasourceNames: {},
    fiscalYearStart: 'intacct',
    apAgingKeepDays: 400,
  };
}

const streamNames = streamDefinitions.map((d) => d.name) as [StreamName, ...StreamName[]];
const modelNames = [...MODEL_NAMES] as [ModelName, ...ModelName[]];
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use a 24-hour time like 06:00.');
const isoDate = z
  .string()
  .refine(
    (s) => s === '' || (/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)),
    'Use a date like 2025-01-01.',
  );
const text = (max = 200) => z.string().max(max, `At most ${max} characters.`);

function isHttpUrl(s: string, allowHttp: (host: string) => boolean): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || (u.protocol === 'http:' && allowHttp(u.hostname));
  } catch {
    return false;
  }
}
// Plain http is only acceptable to a loopback emulator: credentials must never cross a network in clear text.
const loopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const extraFieldSchema = z
  .object({
    field: z.string().regex(FIELD_NAME, 'Use the Intacct field name, like GLDIMSALES_CHANNEL or VENDOR.NAME.'),
    type: z.enum(['bigint', 'text', 'numeric', 'date', 'timestamp', 'bool']),
    scale: z.number().int().min(0, 'At least 0 decimals.').max(6, 'At most 6 decimals.').optional(),
  })
  .strict();

const presetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('manual') }).strict(),
  z.object({ kind: z.literal('daily'), time, businessDaysOnly: z.boolean() }).strict(),
  z
    .object({ kind: z.literal('hourly'), everyHours: z.number().int().min(1, 'At least 1 hour.').max(24, 'At most 24 hours.'), businessDaysOnly: z.boolean() })
    .strict(),
  z
    .object({
      kind: z.literal('close'),
      time,
      closeBusinessDays: z.number().int().min(1, 'At least 1 day.').max(15, 'At most 15 business days.'),
      closeEveryHours: z.number().int().min(1, 'At least 1 hour.').max(12, 'At most 12 hours.'),
    })
    .strict(),
]);

/**
 * An email address as a mail server takes it in an SMTP envelope: local part, @, a domain with a
 * dot (or `localhost`), no spaces or angle brackets. Deliberately loose (RFC 5321 allows far more);
 * its job is to catch a typo or a pasted "Name <address>" before an alert is lost.
 */
const EMAIL = /^[^\s@<>,;"]+@(localhost|[^\s@<>,;"]+\.[^\s@<>,;".]+)$/;
const emailAddress = z.string().max(254, 'At most 254 characters.').regex(EMAIL, 'Write one address like controller@example.com (no name, no angle brackets).');
// Host names and IP literals; a URL or a "host:port" is refused so the port field is the only port.
const SMTP_HOST = /^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])$/;

const emailSchema = z
  .object({
    host: z
      .string()
      .max(253, 'At most 253 characters.')
      .refine((h) => h === '' || SMTP_HOST.test(h), 'Enter the mail server’s name only, like smtp.office365.com (no https://, no :port).'),
    port: z
      .number({ message: 'Enter the port as a number (587 for STARTTLS, 465 for TLS).' })
      .int('Enter a whole port number.')
      .min(1, 'Ports run from 1 to 65535 (587 for STARTTLS, 465 for TLS).')
      .max(65535, 'Ports run from 1 to 65535 (587 for STARTTLS, 465 for TLS).'),
    security: z.enum(['starttls', 'tls', 'none'], { message: 'Choose STARTTLS, TLS or none.' }),
    user: text(254),
    from: z.string().refine((f) => f === '' || EMAIL.test(f), 'Write the sender like alerts@example.com (no name, no angle brackets).'),
    to: z.array(emailAddress).max(50, 'At most 50 recipients; use a distribution list for more.'),
  })
  .strict();

/** The zod schema of Settings (shape and ranges; cross-field rules are in `validateSettings`). */
export const settingsSchema = z
  .object({
    intacct: z
      .object({
        senderId: text(),
        companyId: text(),
        userId: text(),
        entityId: text(),
        endpoint: z.string().refine((s) => isHttpUrl(s, loopback), 'Use an https:// URL.'),
        concurrency: z.number().int().min(1, 'At least 1.').max(2, 'At most 2: other integrations share the company’s request slots.'),
        glBookId: text(60).min(1, 'Name the GL book (usually ACCRUAL).'),
      })
      .strict(),
    tableau: z
      .object({
        kind: z.enum(['cloud', 'server']),
        serverUrl: z.string().refine((s) => s === '' || isHttpUrl(s, loopback), 'Use the https:// address of your Tableau site (for Cloud, the pod URL).'),
        site: text(),
        auth: z.enum(['pat', 'connected-app']),
        patName: text(),
        connectedAppClientId: text(),
        connectedAppSecretId: text(),
        connectedAppUser: text(),
        project: text().min(1, 'Name the Tableau project the data sources go to.'),
        createProject: z.boolean(),
        datasourceNames: z.partialRecord(z.enum(streamNames), text(255)),
        dependentDatasources: z.array(text(255).min(1, 'Empty data source name.')).max(100),
      })
      .strict(),
    streams: z
      .object({
        enabled: z.record(z.enum(streamNames), z.boolean()),
        glDetailStartDate: isoDate,
        extraFields: z.partialRecord(
          z.enum(streamNames),
          z.array(extraFieldSchema).max(MAX_EXTRA_FIELDS, `At most ${MAX_EXTRA_FIELDS} extra fields per stream.`),
        ),
      })
      .strict(),
    schedule: z
      .object({
        preset: presetSchema,
        timezone: z.string().refine(isTimeZone, 'Unknown time zone; use an IANA name like America/New_York.'),
        paused: z.boolean(),
      })
      .strict(),
    alerts: z
      .object({
        consecutiveFailures: z.number().int().min(1).max(100),
        freshnessHours: z
          .number()
          .min(0)
          .max(24 * 90),
        notifyOnSuccess: z.boolean(),
        command: text(1000).superRefine((c, ctx) => {
          const problem = alertCommandProblem(c);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
        email: emailSchema,
        webhook: z.object({ kind: z.enum(['off', 'teams', 'slack'], { message: 'Choose Teams, Slack or off.' }) }).strict(),
      })
      .strict(),
    retention: z.object({ auditDays: z.number().int().min(1).max(3650), logDays: z.number().int().min(1).max(3650) }).strict(),
    models: z
      .object({
        enabled: z.record(z.enum(modelNames), z.boolean()),
        datasourceNames: z.partialRecord(z.enum(modelNames), text(255)),
        fiscalYearStart: z.union(
          [
            z.literal('intacct'),
            z
              .number({ message: 'Choose the month the fiscal year starts in.' })
              .int('Choose a month from January (1) to December (12).')
              .min(1, 'Choose a month from January (1) to December (12).')
              .max(12, 'Choose a month from January (1) to December (12).'),
          ],
          { message: 'Choose "From Sage Intacct" or a month from January (1) to December (12).' },
        ),
        apAgingKeepDays: z
          .number({ message: 'Enter the days to keep AP aging snapshots as a number.' })
          .int('Enter a whole number of days.')
          .min(1, 'Keep AP aging snapshots at least 1 day.')
          .max(3650, 'Keep AP aging snapshots at most 3650 days (10 years).'),
      })
      .strict(),
    startAtLogin: z.boolean(),
  })
  .strict();

/** Checks settings; on success returns them (typed), otherwise every problem by dotted path. */
export function validateSettings(input: unknown): SaveSettingsResult {
  const parsed = settingsSchema.safeParse(input, { error: (issue) => settingsIssueMessage(issue) });
  const errors: FieldErrors = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.') || '(settings)';
      errors[path] ??= issue.message;
    }
    return { ok: false, errors };
  }
  const s = parsed.data as Settings;
  for (const name of streamNames) {
    if (typeof s.streams.enabled[name] !== 'boolean') errors[`streams.enabled.${name}`] = 'Say whether this stream is synced.';
  }
  if (s.tableau.auth === 'pat' && s.tableau.serverUrl && !s.tableau.patName) errors['tableau.patName'] = 'Enter the token name of the personal access token.';
  if (s.tableau.auth === 'connected-app' && s.tableau.serverUrl) {
    if (!s.tableau.connectedAppClientId) errors['tableau.connectedAppClientId'] = 'Enter the connected app’s client ID.';
    if (!s.tableau.connectedAppSecretId) errors['tableau.connectedAppSecretId'] = 'Enter the connected app’s secret ID.';
    if (!s.tableau.connectedAppUser) errors['tableau.connectedAppUser'] = 'Enter the Tableau user the connector acts as.';
  }
  const mail = s.alerts.email;
  if (mail.host) {
    if (!mail.from) errors['alerts.email.from'] = 'Enter the sender address the mail server accepts, like alerts@example.com.';
    if (!mail.to.length) errors['alerts.email.to'] = 'Enter at least one recipient, or clear the mail server to send no email.';
    // Without TLS the SMTP password and the alert cross the network readable by anyone on the way.
    if (mail.security === 'none' && !loopback(mail.host))
      errors['alerts.email.security'] =
        'Use STARTTLS (port 587) or TLS (port 465): without encryption the password and the alert cross the network in clear text. "None" is only for a relay on this computer (localhost).';
  }
  const names = new Map<string, string>();
  for (const d of streamDefinitions) {
    const n = (s.tableau.datasourceNames[d.name] || d.target.datasource).toLowerCase();
    const other = names.get(n);
    if (other) errors[`tableau.datasourceNames.${d.name}`] = `Same data source name as ${other}.`;
    names.set(n, d.name);
  }
  for (const m of MODEL_NAMES) {
    if (typeof s.models.enabled[m] !== 'boolean') errors[`models.enabled.${m}`] = `Say whether ${MODEL_LABELS[m]} is published.`;
    // A model publishes with overwrite: sharing a name with a stream or another model would replace it.
    const n = (s.models.datasourceNames[m]?.trim() || MODEL_DATASOURCES[m]).toLowerCase();
    const other = names.get(n);
    if (other)
      errors[`models.datasourceNames.${m}`] =
        `Same data source name as ${MODEL_LABELS[other as ModelName] ?? streamDefinitions.find((d) => d.name === other)?.label ?? other}: each model needs its own data source.`;
    names.set(n, m);
  }
  for (const d of streamDefinitions) {
    // Column names must stay unique: an extra field may not repeat a standard column or another extra.
    const taken = new Set(d.columns.map((c) => c.name.toUpperCase()));
    (s.streams.extraFields[d.name] ?? []).forEach((f, i) => {
      const column = columnNameOf(f.field).toUpperCase();
      if (taken.has(column)) {
        errors[`streams.extraFields.${d.name}.${i}.field`] = d.columns.some((c) => c.name.toUpperCase() === column)
          ? `${f.field} is already a standard column of ${d.label}.`
          : `${f.field} is listed twice.`;
      }
      taken.add(column);
      if (f.scale !== undefined && f.type !== 'numeric') errors[`streams.extraFields.${d.name}.${i}.scale`] = 'Decimals apply to numeric fields only.';
    });
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, settings: s };
}

/**
 * A section being filled in needs all of its sign-in (issue #14, validation): a half-filled one
 * would otherwise only fail at the first sync, as "not set up". Checked when settings are saved
 * (saveSettings), not when a stored file is read: a file saved half-way must still open.
 */
export function sectionGaps(s: Settings): FieldErrors {
  const errors: FieldErrors = {};
  const intacct = s.intacct;
  if (intacct.senderId || intacct.companyId || intacct.userId) {
    if (!intacct.senderId) errors['intacct.senderId'] = 'Enter the sender ID: the Web Services sender Sage gave you (not the user ID).';
    if (!intacct.companyId) errors['intacct.companyId'] = 'Enter the company ID you sign in to Sage Intacct with.';
    if (!intacct.userId) errors['intacct.userId'] = 'Enter the user ID of the Web Services (API) user.';
  }
  const t = s.tableau;
  if (!t.serverUrl && (t.site || t.patName || t.connectedAppClientId))
    errors['tableau.serverUrl'] = 'Enter the Tableau server URL (for Tableau Cloud, the pod URL like https://10ax.online.tableau.com).';
  return errors;
}

/** validateSettings, and then the rules of saving (sectionGaps): what saveSettings checks. */
export function validateSettingsToSave(input: unknown): SaveSettingsResult {
  const r = validateSettings(input);
  if (!r.ok) {
    // Every problem at once, the gaps too, as far as the (invalid) input lets them be read.
    let gaps: FieldErrors = {};
    try {
      gaps = sectionGaps(input as Settings);
    } catch {
      // Not even the sections' shape: zod's problems say what is wrong.
    }
    return { ok: false, errors: { ...gaps, ...r.errors } };
  }
  const gaps = sectionGaps(r.settings);
  return Object.keys(gaps).length ? { ok: false, errors: gaps } : r;
}

/** Checks a schedule alone (previewSchedule), with errors keyed like saveSettings' ('schedule.preset.time'). */
export function validateSchedule(input: unknown): { ok: true; schedule: Settings['schedule'] } | { ok: false; errors: FieldErrors } {
  const parsed = settingsSchema.shape.schedule.safeParse(input, { error: (issue) => settingsIssueMessage(issue, ['schedule']) });
  if (parsed.success) return { ok: true, schedule: parsed.data as Settings['schedule'] };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) errors[['schedule', ...issue.path.map(String)].join('.')] ??= issue.message;
  return { ok: false, errors };
}

/** Whether each side has the non-secret settings it needs (secrets are checked separately). */
export function configuredSides(s: Settings): { intacct: boolean; tableau: boolean } {
  const i = s.intacct;
  const t = s.tableau;
  return {
    intacct: Boolean(i.senderId && i.companyId && i.userId && i.endpoint),
    tableau: Boolean(t.serverUrl && (t.auth === 'pat' ? t.patName : t.connectedAppClientId && t.connectedAppSecretId && t.connectedAppUser)),
  };
}
