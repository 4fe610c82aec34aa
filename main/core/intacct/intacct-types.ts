/**
 * The Intacct client's public types (docs/architecture.md; names and shapes are shared with the
 * emulator, the sync engine and the bench).
 */
import type { Clock } from '../clock';
import type { RequestEventListener } from '../http/request-events';
import type { RetryPolicy } from '../http/retry';
import type { FetchLike } from '../http/transport';
import type { ColumnDef, FixedFilter, Row } from '../streams/types';
import type { ConnectionTestResult } from '../../../shared/types';

export interface IntacctCredentials {
  senderId: string;
  senderPassword: string;
  companyId: string;
  userId: string;
  userPassword: string;
  /** Sign in to this entity of a multi-entity company (login `locationid`); top level when absent. */
  entityId?: string;
}

export interface IntacctClientOptions {
  /** Passed by the caller (later from the OS keychain); never logged, never put on an error. */
  credentials: IntacctCredentials;
  /** Login gateway, default 'https://api.intacct.com/ia/xml/xmlgw.phtml'. */
  endpoint?: string;
  /** Which session endpoint hosts may be used; default: https and host ending in '.intacct.com'. */
  allowedEndpointHosts?: (host: string) => boolean;
  fetch: FetchLike;
  clock: Clock;
  random?: () => number;
  /** Requests in flight per company: default 1, at most 2 (intacct-xml.md §6). */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Whole-request timeout, default 120 s. */
  timeoutMs?: number;
  /** The whole sign-in's budget, retries included, default 90 s (intacct-session.ts). */
  signInBudgetMs?: number;
  /** The API user's zone for WHENMODIFIED etc. (IANA, 'UTC' or '+02:00'); default read via readUserFormatting, fallback UTC. */
  timeZone?: string;
  onEvent?: RequestEventListener;
}

/** An AUDITHISTORY window that kept failing and was skipped (UTC ms, `to` inclusive). */
export interface SkippedAuditWindow {
  objectType: string;
  from: number;
  to: number;
  reason: string;
}

export interface KeysetCursor {
  /** UTC epoch ms of the row's WHENMODIFIED. */
  whenModified: number;
  /** RECORDNO as Intacct sent it: a number on most objects, text on GLDETAIL. */
  recordNo: number | string;
}

export interface ReadSpec {
  /** e.g. 'GLDETAIL'. */
  object: string;
  /** Selected sources, converted to typed Rows keyed by column.name. */
  columns: readonly ColumnDef[];
  filters?: readonly FixedFilter[];
  /** Keyset cursor (exclusive); null = from the start. */
  since?: KeysetCursor | null;
  /** Subtracted from since.whenModified (then the RECORDNO tie-break is ignored: `>=`). */
  lookbackMs?: number;
  /** UTC ms upper bound on WHENMODIFIED (the run start), inclusive. */
  until?: number;
  /** Dates `YYYY-MM-DD`: from and to inclusive, before exclusive; isNull = only rows without a date. */
  dateRange?: { column: string; from?: string; to?: string; before?: string; isNull?: boolean };
  /** The date column a partitioned read splits by (GL detail: BATCH_DATE); default dateRange.column. */
  partitionColumn?: string;
  /** For an open-ended date partition: where it may be split in two (internal to partitioned reads). */
  openEndSplitAt?: string;
  /** Inclusive, for partitioned reads. */
  recordNoRange?: { from: number; to: number };
  /** Default 2000 (the `query` maximum). */
  pageSize?: number;
  /** Runaway guard, default 100_000. */
  maxPages?: number;
}

export interface Page {
  rows: Row[];
  /** The last row's keyset values: a safe resume point. */
  cursor: KeysetCursor;
  /** Rows the read's first query matched (Intacct's totalcount), or null when unknown. */
  totalCount: number | null;
  /** 1-based, per read (per partition for partitioned reads). */
  pageNo: number;
}

/** One field of an object, from `lookup`. */
export interface FieldInfo {
  id: string;
  label: string;
  /** Intacct's DATATYPE (e.g. 'INTEGER', 'DECIMAL', 'TIMESTAMP', 'TEXT', 'BOOLEAN', 'DATE'). */
  type: string;
  isCustom: boolean;
  /** Set for fields that link to another object (from the lookup's relationships). */
  relationship?: { objectPath: string; objectName: string; type?: string; relatedBy?: string };
}

export interface IntacctSessionInfo {
  sessionId: string;
  endpoint: string;
  /** Local epoch ms at which the session is considered expired (sliding). */
  expiresAt: number;
}

export interface DeletedRecord {
  recordNo: number;
  /** UTC epoch ms of the deletion. */
  deletedAt: number;
}

export interface IntacctClient {
  getSession(signal?: AbortSignal): Promise<IntacctSessionInfo>;
  /** Lazy, keyset-paged: one request per page, started when the page is asked for. */
  readChanged(spec: ReadSpec, signal?: AbortSignal): AsyncGenerator<Page>;
  /** RECORDNO partitions read so that one request is always in flight while the previous page is parsed/consumed; pages from different partitions interleave. */
  readPartitioned(spec: ReadSpec, opts: { partitions: number }, signal?: AbortSignal): AsyncGenerator<Page>;
  count(spec: ReadSpec, signal?: AbortSignal): Promise<number>;
  recordNoBounds(spec: ReadSpec, signal?: AbortSignal): Promise<{ min: number; max: number; count: number }>;
  /** RECORDNOs only, keyset paged, for key reconciliation. */
  readKeys(object: string, filters: readonly FixedFilter[], signal?: AbortSignal): AsyncGenerator<string[]>;
  /** AUDITHISTORY deletions; throws IntacctPermissionError (code 'AUDIT_NOT_PERMITTED') when not readable. */
  /** `onSkipped` hears of AUDITHISTORY windows that kept failing and were skipped (deleted-read.ts). */
  readDeleted(objectType: string, sinceMs: number, signal?: AbortSignal, onSkipped?: (w: SkippedAuditWindow) => void): AsyncGenerator<DeletedRecord[]>;
  lookup(object: string, signal?: AbortSignal): Promise<FieldInfo[]>;
  testConnection(signal?: AbortSignal): Promise<ConnectionTestResult>;
  /** Signs in and reads the API user's preferences, refusing a date format or clock the connector cannot read. */
  prepare(signal?: AbortSignal): Promise<void>;
  /** API transactions (each request answered counts 1) since creation. */
  readonly transactions: number;
  close(): void;
}
