/**
 * What every HTTP call of both clients reports: clients emit events, they don't log.
 * The engine turns these into the log view, the transaction count and the audit trail. Secrets are
 * never part of an event: `path` is the URL path only, `detail` carries only safe values.
 */
import type { Service } from '../errors';

export interface RequestEvent {
  service: Service;
  /** e.g. 'query GLDETAIL', 'getAPISession', 'PATCH datasources/…/data'. */
  operation: string;
  method: string;
  path: string;
  /** HTTP status; 0 for transport failures. */
  status: number;
  attempt: number;
  elapsedMs: number;
  /** 'ok', or the error class name ('NetworkError', 'RateLimitError', …). */
  outcome: string;
  /** Set when this attempt failed and another will follow after `retryInMs`. */
  retryInMs?: number;
  message?: string;
  at: number;
}

export type RequestEventListener = (event: RequestEvent) => void;
