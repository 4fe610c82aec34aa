/**
 * The Tableau REST client's surface: its options, what it answers and the update actions it sends.
 * The client itself is tableau-client.ts.
 */
import type { Clock } from '../clock';
import type { RequestEventListener } from '../http/request-events';
import type { RetryPolicy } from '../http/retry';
import type { FetchLike } from '../http/transport';
import type { ScopeNeeds, TableauAuth } from './tableau-auth';
import type { VdsFieldMetadata, VdsQuery } from './tableau-readback';
import type { JobPollPolicy, WaitForJobOptions } from './tableau-jobs';
import type { PublishOptions, PublishResult, UploadOptions } from './tableau-upload';
import type { TableauAddress } from './tableau-version';
import type { DatasourceInfo, TableauJob } from './tableau-xml';

export interface TableauClientOptions {
  /** Tableau Server origin, or the Tableau Cloud pod host (https://10ay.online.tableau.com). */
  serverUrl: string;
  /** Site content URL; '' = Tableau Server's default site (Tableau Cloud needs one). */
  site: string;
  auth: TableauAuth;
  fetch: FetchLike;
  clock: Clock;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** Per plain request; uploads and publishes get at least 30 minutes. Default 120 s. */
  timeoutMs?: number;
  onEvent?: RequestEventListener;
  /** Upload block size; default 16 MB (tableau-upload.ts DEFAULT_CHUNK_BYTES), at most 64 MB. */
  chunkSizeBytes?: number;
  /** Files smaller than this are published in one request; default 16 MB, at most 64 MB. */
  singleCallLimitBytes?: number;
  /** Files from this size on are published as jobs (asJob); default 8 MB. */
  asyncPublishBytes?: number;
  /** Job polling cadence; default 0.5 s ×1.4 up to 30 s. */
  jobPoll?: Partial<JobPollPolicy>;
  /**
   * What the run does besides loading: decides the scopes a connected-app JWT asks for. `readBack:
   * 'auto'` asks for VDS on servers that have it (Cloud, Server 2025.1+) and for download otherwise.
   */
  scopeNeeds?: Omit<ScopeNeeds, 'readBack'> & { readBack?: ScopeNeeds['readBack'] | 'auto' };
}

/** One action of an "Update Data in Hyper Data Source" batch (tableau-rest.md §2). */
export type UpdateAction = {
  action: 'insert' | 'upsert' | 'update' | 'delete' | 'replace';
  'source-schema'?: string;
  'source-table'?: string;
  'target-schema': string;
  'target-table': string;
  condition?: unknown;
};

export interface ServerInfoResult {
  productVersion: string;
  /** What the server supports. */
  restApiVersion: string;
  /** What this client will use: min(server's, MAX_API_VERSION). */
  apiVersion: string;
}

export interface TableauClient {
  /** Product and REST API versions; refuses servers too old for incremental updates. */
  serverInfo(): Promise<ServerInfoResult>;
  /** Signs in (or returns the current session's LUIDs). */
  signIn(): Promise<{ siteId: string; userId: string }>;
  /** Ends the session (a no-op without one; an already-expired token counts as signed out). */
  signOut(): Promise<void>;
  /** A project by exact name (a top-level one preferred); created when missing and `create` is set. */
  findProject(name: string, opts?: { create?: boolean }): Promise<{ id: string; name: string } | null>;
  /** A data source by exact name, in the given project when `projectId` is set. */
  findDatasource(name: string, projectId?: string): Promise<DatasourceInfo | null>;
  getDatasource(id: string): Promise<DatasourceInfo | null>;
  publishHyper(opts: PublishOptions): Promise<PublishResult>;
  uploadFile(filePath: string, signal?: AbortSignal, opts?: Omit<UploadOptions, 'signal'>): Promise<string>;
  updateData(opts: {
    datasourceId: string;
    uploadSessionId?: string;
    actions: readonly UpdateAction[];
    requestId: string;
    signal?: AbortSignal;
  }): Promise<TableauJob>;
  getJob(jobId: string, signal?: AbortSignal): Promise<TableauJob>;
  waitForJob(jobId: string, opts?: WaitForJobOptions): Promise<TableauJob>;
  /** Runs an extract refresh; null when Tableau says one is already queued (409093). */
  refreshDatasource(id: string, signal?: AbortSignal): Promise<TableauJob | null>;
  /** Deletes a data source (Delete Data Source, 204). */
  deleteDatasource(id: string): Promise<void>;
  /** The connections of a data source (Query Data Source Connections). */
  datasourceConnections(id: string): Promise<{ id: string; type: string }[]>;
  /** Cancels a job (Cancel Job, PUT …/jobs/{id}); it then ends with finish code 2. */
  cancelJob(jobId: string): Promise<void>;
  /** Downloads a data source with its extract and returns its `.hyper` bytes (for the tie-out). */
  downloadDatasourceHyper(id: string, signal?: AbortSignal): Promise<Buffer>;
  /** VizQL Data Service read-metadata (throws VDS_UNAVAILABLE where the server has none). */
  vdsReadMetadata(datasourceId: string, signal?: AbortSignal): Promise<VdsFieldMetadata[]>;
  /** VizQL Data Service query-datasource, rows as objects keyed by field alias. */
  vdsQuery(datasourceId: string, query: VdsQuery, signal?: AbortSignal): Promise<Record<string, unknown>[]>;
  /** Whether this server should have VizQL Data Service (Tableau Cloud, or Server 2025.1 and later). */
  expectsVds(): Promise<boolean>;
  /** Server and site, with a note when they came from a pasted browser address. */
  readonly address: TableauAddress;
  /** Site LUID of the current session, null before sign-in. */
  readonly siteId: string | null;
  /** Sign-ins performed by this client (diagnostics, tests). */
  readonly signInCount: number;
}
