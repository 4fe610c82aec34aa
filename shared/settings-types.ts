/**
 * The settings' shapes (what Settings shows and the stores keep), apart from the run and status
 * shapes in types.ts, which re-exports them. No Node, no DOM, no Electron here.
 */
import type { ModelSettings } from './models';
import type { StreamName } from './types';

export type SchedulePreset =
  | { kind: 'manual' }
  | { kind: 'daily'; time: string /* HH:MM */; businessDaysOnly: boolean }
  | { kind: 'hourly'; everyHours: number; businessDaysOnly: boolean }
  | {
      /** Close calendar: every `closeEveryHours` on the first `closeBusinessDays` business days of the month, otherwise daily at `time`. */
      kind: 'close';
      time: string;
      closeBusinessDays: number;
      closeEveryHours: number;
    };

/** The types a column can have in Tableau (BIGINT, TEXT, NUMERIC(18,s), DATE, TIMESTAMP, BOOL). */
export type FieldType = 'bigint' | 'text' | 'numeric' | 'date' | 'timestamp' | 'bool';

/**
 * A field the user adds to a stream beyond its standard columns: an Intacct custom field or
 * user-defined dimension (found with `lookup`), or any standard field the stream leaves out.
 * It becomes a nullable column named like the field (`.` → `_`).
 */
export interface ExtraField {
  /** Intacct field name, e.g. GLDIMSALES_CHANNEL or a one-hop related field like VENDOR.NAME. */
  field: string;
  type: FieldType;
  /** Decimals kept for a numeric field (0–6; default 2). */
  scale?: number;
}

/** A field of a stream's Intacct object, as `listFields` offers it. */
export interface FieldChoice {
  field: string;
  label: string;
  /** Intacct's own type name (TEXT, DECIMAL, DATE…). */
  intacctType: string;
  /** The column type it would load as. */
  type: FieldType;
  isCustom: boolean;
  /** One of the stream's standard columns (never offered as an extra field). */
  standard: boolean;
  /** Already a column of the stream (standard, or an extra field in the saved settings). */
  inStream: boolean;
}

/** How alert email is sent. */
export interface AlertEmailSettings {
  /** SMTP server name; empty = no email. */
  host: string;
  port: number;
  /** starttls: plain connection upgraded (port 587); tls: TLS from the start (465); none: loopback relays only. */
  security: 'starttls' | 'tls' | 'none';
  /** SMTP user name; empty = the server takes mail without signing in. */
  user: string;
  /** The sender address (From). */
  from: string;
  /** Who receives the alerts. */
  to: string[];
}

export interface Settings {
  intacct: {
    senderId: string;
    companyId: string;
    userId: string;
    /** Optional entity (location) id to log in to; empty = top level. */
    entityId: string;
    /** Gateway URL; the default is Intacct's. The demo points it at the emulator. */
    endpoint: string;
    /** Requests in flight per company: 1 by default, at most 2. */
    concurrency: number;
    /** Which GL book GL detail is read for. */
    glBookId: string;
  };
  tableau: {
    kind: 'cloud' | 'server';
    /** Pod URL for Cloud (https://10ax.online.tableau.com) or the server's origin. */
    serverUrl: string;
    /** Site content URL; empty = the default site on Server. */
    site: string;
    auth: 'pat' | 'connected-app';
    patName: string;
    connectedAppClientId: string;
    connectedAppSecretId: string;
    connectedAppUser: string;
    project: string;
    createProject: boolean;
    /** Data source name per stream (defaults from the stream definitions). */
    datasourceNames: Partial<Record<StreamName, string>>;
    /** Data sources (by name) whose extracts depend on the loaded data and are refreshed after a run. */
    dependentDatasources: string[];
  };
  streams: {
    enabled: Record<StreamName, boolean>;
    /** YYYY-MM-DD: first day of GL detail read by a full load. */
    glDetailStartDate: string;
    /** Fields added to a stream's standard columns. Changing them reloads that stream in full. */
    extraFields: Partial<Record<StreamName, ExtraField[]>>;
  };
  schedule: {
    preset: SchedulePreset;
    /** IANA zone the schedule is read in, e.g. America/New_York. */
    timezone: string;
    paused: boolean;
  };
  alerts: {
    consecutiveFailures: number;
    /** Alert when the newest successful data is older than this many hours (0 = off). */
    freshnessHours: number;
    notifyOnSuccess: boolean;
    /** Headless service only: a command run with the alert as JSON on stdin. */
    command: string;
    /** Alerts by email; off while `host` is empty. The SMTP password is the `smtpPassword` secret. */
    email: AlertEmailSettings;
    /** Alerts to a Teams or Slack incoming webhook, whose address is the `alertWebhookUrl` secret. */
    webhook: { kind: 'off' | 'teams' | 'slack' };
  };
  retention: { auditDays: number; logDays: number };
  /** The finance models built and published after each run (issue 15). */
  models: ModelSettings;
  /** Settings that may be changed without a restart. */
  startAtLogin: boolean;
}
