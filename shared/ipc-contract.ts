/**
 * The one contract between the front ends and the core service.
 *
 * Every operation is a channel with one request and one response type. The Electron main process
 * serves it over IPC (`ml-connector:<op>`), the headless server over HTTP (`POST /api/<op>`), and
 * pushes ServiceEvents over IPC or SSE. The preload and the browser client both expose the same
 * verbs (`ConnectorApi`), so the renderer cannot tell which one it talks to. A channel added here
 * without a contract entry does not compile.
 */
import type { ApiEnvelope } from './http-api';
import type {
  AlertDeliveryResult,
  AuditEntry,
  AuditQuery,
  ConnectionTestResult,
  FieldChoice,
  FullLoadEstimate,
  HistoryPoint,
  LogEntry,
  LogQuery,
  RunDetail,
  RunSummary,
  SaveSettingsRequest,
  SaveSettingsResult,
  SecretName,
  ServiceEvent,
  Settings,
  Status,
  StreamName,
} from './types';

export const CHANNEL_PREFIX = 'ml-connector:';

/** The operations, in the order a front end typically needs them. */
export const OPERATIONS = [
  'getStatus',
  'syncNow',
  'cancelSync',
  'getSettings',
  'saveSettings',
  'setCredential',
  'clearCredential',
  'getCredentialStatus',
  'testConnection',
  'listFields',
  'estimateFullLoad',
  'listRuns',
  'getRun',
  'queryLogs',
  'queryAudit',
  'exportAudit',
  'getHistory',
  'previewSchedule',
  'setSchedulePaused',
  'exportSupportBundle',
  'sendTestAlert',
  'requestFullReload',
  'resetDemo',
] as const;

export type Operation = (typeof OPERATIONS)[number];

interface Contract {
  request: unknown;
  response: unknown;
}

type AssertCoverage<T extends Record<Operation, Contract>> = T;

export type Contracts = AssertCoverage<{
  getStatus: { request: void; response: Status };
  syncNow: {
    request: { streams?: StreamName[]; fullReload?: StreamName[] } | void;
    response: { started: boolean; runId: string | null; reason?: string };
  };
  cancelSync: { request: void; response: { cancelled: boolean } };
  getSettings: { request: void; response: Settings };
  saveSettings: { request: SaveSettingsRequest; response: SaveSettingsResult };
  /** Write-only: a secret goes in, only "is it set" ever comes back. */
  setCredential: { request: { name: SecretName; value: string }; response: { ok: true } };
  clearCredential: { request: { name: SecretName }; response: { ok: true } };
  getCredentialStatus: { request: void; response: Record<SecretName, boolean> };
  /**
   * Tests one side. With `draft` it tests those settings (and the typed, unsaved `secrets`) without
   * saving anything; without it, the saved settings. `confirmEndpointChange` as for saveSettings:
   * without it, stored secrets are not sent to a draft address they were not entered for.
   */
  testConnection: {
    request: { side: 'intacct' | 'tableau'; draft?: Settings; secrets?: Partial<Record<SecretName, string>>; confirmEndpointChange?: boolean };
    response: ConnectionTestResult;
  };
  /** The fields of a stream's Intacct object (custom ones first), to add as extra columns. */
  listFields: { request: { stream: StreamName }; response: FieldChoice[] };
  /** Counts the streams' records in Intacct (default: the enabled streams) and what a full load would cost. */
  estimateFullLoad: { request: { streams?: StreamName[] } | void; response: FullLoadEstimate };
  listRuns: { request: { limit?: number } | void; response: RunSummary[] };
  getRun: { request: { runId: string }; response: RunDetail | null };
  queryLogs: { request: LogQuery | void; response: LogEntry[] };
  queryAudit: { request: AuditQuery; response: AuditEntry[] };
  exportAudit: { request: AuditQuery; response: { fileName: string; csv: string } };
  getHistory: { request: { limit?: number } | void; response: HistoryPoint[] };
  previewSchedule: { request: { schedule: Settings['schedule']; count?: number }; response: { runs: number[]; description: string } };
  setSchedulePaused: { request: { paused: boolean }; response: Status };
  /** Logs and recent runs as one zip for support, no secrets in it. */
  exportSupportBundle: { request: void; response: { fileName: string; base64: string } };
  /**
   * Sends a test alert by email and to the Teams/Slack webhook and reports each channel. With
   * `draft`, its alert settings and the typed, unsaved `secrets` are used; nothing is saved.
   */
  sendTestAlert: {
    request: { draft?: Settings; secrets?: Partial<Record<'smtpPassword' | 'alertWebhookUrl', string>> } | void;
    response: { results: AlertDeliveryResult[] };
  };
  /**
   * Asks for a full reload of one table at the next run (Settings › "Reload in full…"); the
   * request is kept until a run has reloaded it. Answers every table still waiting.
   */
  requestFullReload: { request: { stream: StreamName }; response: { pending: StreamName[] } };
  /**
   * The built-in demo only: puts back the demo's settings and sign-in as it started (undoing
   * "Connect your own Sage Intacct" and any edit) and reloads every table in full from the sample company.
   */
  resetDemo: { request: void; response: { started: boolean; runId: string | null; reason?: string } };
}>;

export type RequestOf<O extends Operation> = Contracts[O]['request'];
export type ResponseOf<O extends Operation> = Contracts[O]['response'];

/** The verbs a front end calls. Operations with a `void` request take no argument. */
export type ConnectorApi = {
  [O in Operation]: RequestOf<O> extends void
    ? (request?: Exclude<RequestOf<O>, void>) => Promise<ResponseOf<O>>
    : (request: RequestOf<O>) => Promise<ResponseOf<O>>;
} & {
  /** Subscribes to pushed events; returns the unsubscribe function (return it from React effects). */
  onEvent(listener: (event: ServiceEvent) => void): () => void;
};

/**
 * What the Electron preload exposes as `window.mlConnector`: the same verbs, answering the
 * envelope instead of throwing. contextBridge copies only an error's message to the page (custom
 * properties are lost: https://www.electronjs.org/docs/latest/api/context-bridge, "Parameter /
 * Error / Return Type support"; https://github.com/electron/electron/pull/28346), so the code,
 * fields and reference cross as data and the renderer throws (renderer/api/bridge-client.ts), as
 * its HTTP client does with the same envelope.
 */
export type BridgeApi = {
  [O in Operation]: (request?: RequestOf<O>) => Promise<ApiEnvelope<ResponseOf<O>>>;
} & {
  onEvent(listener: (event: ServiceEvent) => void): () => void;
};

export const channelOf = (op: Operation): string => `${CHANNEL_PREFIX}${op}`;
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`;

export function isOperation(value: unknown): value is Operation {
  return typeof value === 'string' && (OPERATIONS as readonly string[]).includes(value);
}
