/**
 * Tableau answers → typed errors, in one place (as stripe-node keeps its error classes: https://github.com/stripe/stripe-node/blob/master/src/Error.ts).
 *
 * Classification follows tableau-rest.md §8: the `tsResponse` error code's first three digits are
 * the HTTP status; 401001 is a failed sign-in (bad, expired or revoked token, wrong site), 401002 a
 * session that expired or was superseded by another sign-in with the same PAT (§4); 429 is
 * throttling (Retry-After honoured when present, UNCONFIRMED on Cloud); 5xx, 408 and non-Tableau
 * bodies (HTML pages from proxies, TSC #1174) are transient. Messages say what to fix and never
 * carry a token or secret: only the code, summary and detail Tableau wrote are kept.
 */
import { ApiError, AuthError, ConnectorError, NetworkError, RateLimitError, SessionExpiredError } from '../errors';
import { parseRetryAfter } from '../http/retry';
import { parseTsBody, readError, type TableauJob, type TsError } from './tableau-xml';

/** A Tableau job ended with finish code 1 (failed) or 2 (cancelled); its notes are the reason. */
export class TableauJobFailedError extends ApiError {
  readonly jobId: string;
  readonly jobType: string;
  readonly finishCode: number;
  readonly notes: readonly string[];
  constructor(job: TableauJob) {
    const cancelled = job.finishCode === 2;
    const what = job.type ? `${job.type} job` : 'job';
    const reason = job.notes.length ? job.notes.join(' ') : 'Tableau gave no reason (no job notes).';
    const unknown = job.finishCode !== 1 && !cancelled;
    super({
      service: 'tableau',
      code: cancelled ? 'JOB_CANCELLED' : 'JOB_FAILED',
      userMessage: cancelled
        ? `The Tableau ${what} ${job.id} was cancelled${job.notes.length ? ` (${reason})` : ''}. Nothing from it was applied; run the sync again.`
        : unknown
          ? `The Tableau ${what} ${job.id} ended with ${job.finishCode === null ? 'no finish code' : `finish code ${job.finishCode}`}, which is not a success; it is treated as failed. ${reason}`
          : `The Tableau ${what} ${job.id} failed: ${reason}`,
      detail: { jobId: job.id, jobType: job.type, finishCode: job.finishCode, notes: job.notes },
    });
    this.jobId = job.id;
    this.jobType = job.type;
    this.finishCode = job.finishCode ?? 1;
    this.notes = job.notes;
  }
}

/**
 * A request that may already have been processed by Tableau (a 5xx, timeout or reset on a publish
 * POST or an upload) and that the client therefore did not re-send on its own (TSC #1339: a blind
 * re-send produced duplicate jobs). The caller decides: the upload restarts with a fresh upload
 * session, an overwrite publish is repeated (same file, same result).
 */
export class RequestNotResentError extends NetworkError {
  constructor(original: ConnectorError, operation: string) {
    super({
      service: 'tableau',
      retryable: false,
      code: original.code ?? 'NOT_RESENT',
      ...(original.status !== undefined ? { status: original.status } : {}),
      userMessage: `${original.userMessage} (${operation} was not re-sent automatically because Tableau may already have processed it.)`,
      detail: { ...(original.detail ?? {}), operation, maybeProcessed: true, originalError: original.name },
      cause: original,
    });
  }
}

export interface ResponseContext {
  status: number;
  headers: Headers;
  body: Buffer;
  /** What we were doing, for the message ("publish data source 'GL Detail'"). */
  operation: string;
  /** Sign-in: any 401 means the credentials were refused, not that a session expired. */
  isSignIn?: boolean;
  /** Connected app instead of PAT: changes what the message tells the user to check. */
  authKind?: 'pat' | 'connected-app';
  now: number;
}

/** Turns a non-2xx answer into a typed error. */
export function errorFromResponse(ctx: ResponseContext): ConnectorError {
  const tree = parseTsBody(ctx.body);
  const ts = tree ? readError(tree) : null;
  const status = ctx.status;
  const code = ts?.code || undefined;
  const detail = { status, operation: ctx.operation, ...(ts ? { code: ts.code, summary: ts.summary, detail: ts.detail } : {}) };
  const said = ts ? ` (${describe(ts)})` : '';
  const base = { service: 'tableau' as const, status, ...(code ? { code } : {}), detail };

  if (status === 401) {
    if (ctx.isSignIn) {
      const check =
        ctx.authKind === 'connected-app'
          ? 'Check the connected app (client ID, secret ID and secret value, app enabled, scopes) and the username it signs in as, and the site content URL.'
          : 'Check the personal access token name and secret (a token unused for 15 days expires), and the site content URL.';
      return new AuthError({ ...base, userMessage: `Tableau refused the sign-in${said}. ${check}` });
    }
    // 401002 and any other 401 mid-session: the token expired or another sign-in with the same PAT
    // superseded it (tableau-rest.md §4, TSC #717). Sign in again once and resend.
    return new SessionExpiredError({
      ...base,
      code: code ?? '401',
      userMessage: `The Tableau session expired or was replaced by another sign-in with the same token${said}.`,
    });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(ctx.headers.get('retry-after'), ctx.now);
    return new RateLimitError({
      ...base,
      code: code ?? '429000',
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      userMessage: `Tableau is throttling requests (too many requests)${retryAfterMs !== undefined ? `; it asked to wait ${Math.ceil(retryAfterMs / 1000)} s` : ''}. The connector waits and retries.`,
    });
  }
  if (status >= 500 || status === 408) {
    const retryAfterMs = parseRetryAfter(ctx.headers.get('retry-after'), ctx.now);
    return new NetworkError({
      ...base,
      code: code ?? `HTTP_${status}`,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      userMessage: ts
        ? `Tableau had an internal problem during ${ctx.operation}${said}. It will be retried.`
        : `Tableau (or a proxy in front of it) answered HTTP ${status} during ${ctx.operation}. It will be retried.`,
    });
  }
  if (!ts) {
    return new ApiError({
      ...base,
      code: `HTTP_${status}`,
      kind: 'config',
      userMessage: `Tableau answered HTTP ${status} with a page that is not an API response during ${ctx.operation}. A proxy or firewall may be blocking the Tableau REST API; check the server address and proxy settings.`,
    });
  }
  return new ApiError({ ...base, kind: apiKind(status, ts.code), userMessage: apiMessage(status, ts, ctx.operation) });
}

/** True for "Resource Not Found" answers (404xxx). */
export function isNotFound(err: unknown): boolean {
  return err instanceof ConnectorError && err.status === 404;
}

/** True when Tableau says the same job is already queued (409093, tableau-rest.md §6). */
export function isAlreadyQueued(err: unknown): boolean {
  return err instanceof ApiError && err.code === '409093';
}

function apiKind(status: number, code: string): 'config' | 'system' {
  if (status === 403 || status === 404 || code === '409006') return 'config';
  return 'system';
}

function apiMessage(status: number, ts: TsError, operation: string): string {
  const said = describe(ts);
  switch (status) {
    case 403:
      return ts.code === '403045'
        ? `Tableau did not allow ${operation} (${said}). Create the project in Tableau, or ask a site administrator to let the token's user create projects.`
        : `Tableau denied permission for ${operation} (${said}). Ask a site administrator to give the token's user the needed permission (for example Publish on the project and Overwrite on the data source).`;
    case 404:
      return `Tableau could not find what ${operation} refers to (${said}). Check the site, project and data source names in the settings; a data source deleted in Tableau is published again by a full load.`;
    case 409:
      if (ts.code === '409006') return `${capitalise(operation)} conflicts with an existing item of the same name (${said}).`;
      // 409090: no extract to refresh, e.g. a data source published from a .hyper (tableau-rest.md §6).
      if (ts.code === '409090')
        return `Tableau cannot ${operation} (${said}). Only data sources with their own upstream connection can be refreshed; the ones the connector loads are current without a refresh.`;
      return `Tableau reported a conflict during ${operation} (${said}).`;
    default:
      return `Tableau rejected ${operation} (${said}). This is probably a bug in the connector or an unsupported Tableau version; the log has the details.`;
  }
}

function describe(ts: TsError): string {
  return [ts.code, [ts.summary, ts.detail].filter(Boolean).join(': ')].filter(Boolean).join(' ');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
