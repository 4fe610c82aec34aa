/**
 * Every Tableau REST call goes through `TableauHttp.request`: sendRequest for the exchange,
 * withRetry (the project's one retry helper) for transient failures, one RequestEvent per HTTP
 * attempt, the session token in X-Tableau-Auth, and one re-sign-in when a call meets an expired or
 * superseded token (401, tableau-rest.md §4: MIG and TSC both sign in again once and resend).
 *
 * Re-sending policy (`resend`):
 * - 'always': reads, sign-in, the PATCH (its RequestID makes a resend a no-op, §2), refresh (a
 *   duplicate only yields 409093 "already queued", §6), and overwrite publishes (same file, same
 *   result).
 * - 'if-not-processed': publish without overwrite, upload initiate/append, project create. These
 *   are re-sent only when Tableau cannot have acted on them: the connection was never made
 *   (refused, DNS, connect timeout), a 401 (rejected before processing), a 429, or a 503 that
 *   carries Retry-After. A 5xx, timeout or reset after the request went out becomes a
 *   RequestNotResentError and the caller decides (TSC #1339: blind re-sends made duplicates).
 */
import type { Clock } from '../clock';
import { ApiError, asConnectorError, AuthError, ConnectorError, NetworkError, RateLimitError, SessionExpiredError } from '../errors';
import type { RequestEvent, RequestEventListener } from '../http/request-events';
import { withRetry, type RetryPolicy } from '../http/retry';
import { sendRequest, type FetchLike } from '../http/transport';
import type { TableauSessionInfo, TableauSessionHolder } from './tableau-auth';
import { errorFromResponse, RequestNotResentError } from './tableau-errors';
import { parseTsBody, type TsTree } from './tableau-xml';

export interface TableauHttpDeps {
  baseUrl: string;
  fetch: FetchLike;
  clock: Clock;
  random?: () => number;
  retry: RetryPolicy;
  timeoutMs: number;
  onEvent?: RequestEventListener;
  authKind: 'pat' | 'connected-app';
}

export interface RequestBody {
  /**
   * The body, or a function that reads it into one Buffer of its exact length (an upload block
   * from disk, tableau-multipart.ts), so the network stack sets Content-Length from it: Electron's
   * net.fetch buffers a request body whole anyway (its ClientRequest without chunked encoding).
   */
  body: RequestInit['body'] | (() => Promise<Buffer>);
  contentType: string;
}

export interface TableauRequest {
  /** Words for messages and events: "query data sources". */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under /api/<version>/ ('auth/signin'), or under /api/<version>/sites/<site-luid>/ with `site`. */
  path: string;
  site?: boolean;
  /** Explicit API version (serverInfo probes); default: the negotiated one. */
  version?: string;
  query?: Readonly<Record<string, string | undefined>>;
  headers?: Readonly<Record<string, string>>;
  /** Built afresh for each attempt (a stream body cannot be sent twice). */
  body?: () => RequestBody;
  /** 'session': token + one renewal on 401; 'session-no-renew': token only (sign-out); 'none'. */
  auth: 'session' | 'session-no-renew' | 'none';
  resend: 'always' | 'if-not-processed';
  /** One attempt only; the caller retries around it (sign-in runs inside other requests' retries). */
  noRetry?: boolean;
  /** Fewer attempts than the client's policy (sign-out at shutdown should not linger). */
  maxAttempts?: number;
  isSignIn?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TableauResponse {
  status: number;
  headers: Headers;
  /** The parsed body; null when empty (204) or not a Tableau answer. */
  tree: TsTree | null;
  /** The raw body (downloads). */
  body: Buffer;
}

/** Transport errors that prove the request never reached Tableau. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL']);

export class TableauHttp {
  /** Set by the client right after construction (the session signs in through this object). */
  session: TableauSessionHolder | null = null;
  /** Requests each session has served: a session refused before serving any did not expire. */
  private readonly served = new WeakMap<TableauSessionInfo, number>();

  constructor(
    private readonly deps: TableauHttpDeps,
    private readonly negotiatedVersion: () => Promise<string>,
  ) {}

  /** Sends `req`, retrying per its policy, and turns the answer into `T` with `parse` (inside the attempt). */
  async request<T>(req: TableauRequest, parse: (res: TableauResponse) => T): Promise<T> {
    const { clock } = this.deps;
    let pending: RequestEvent | null = null;
    const flush = (retryInMs?: number) => {
      if (pending) this.emit(retryInMs === undefined ? pending : { ...pending, retryInMs });
      pending = null;
    };
    const record = (e: RequestEvent) => {
      flush();
      pending = e;
    };
    const maxAttempts = req.noRetry ? 1 : Math.min(req.maxAttempts ?? this.deps.retry.maxAttempts, this.deps.retry.maxAttempts);
    const policy = { ...this.deps.retry, maxAttempts };
    try {
      return await withRetry(
        async (attempt) => {
          const session = req.auth === 'none' ? null : await this.sessionHolder().get();
          try {
            return await this.once(req, session, attempt, parse, record);
          } catch (err) {
            if (!(err instanceof SessionExpiredError) || !session) throw err;
            // Without renewal (sign-out) a 401 is final: the token is already gone.
            if (req.auth !== 'session')
              throw new AuthError({ service: 'tableau', status: 401, code: err.code ?? '401', userMessage: err.userMessage, cause: err });
            // Sign in again (unless a concurrent call already did) and resend once at once; a second
            // 401 goes back to withRetry, which waits before the next attempt.
            flush(0);
            const fresh = await this.sessionHolder().renew(session);
            try {
              return await this.once(req, fresh, attempt, parse, record);
            } catch (again) {
              // A session refused before it served a single request did not expire: something ends
              // it (another client signing in with the same token, TSC #717) or it may not make this
              // call (a JWT session on Query Job before REST 3.25, TSC #1320). Signing in again would
              // only end the other client's session in turn: stop and say so. (One that served
              // requests and then expired goes back to withRetry like any expiry.)
              if (again instanceof SessionExpiredError && (this.served.get(fresh) ?? 0) === 0) throw this.persistent401(req, again);
              throw again;
            }
          }
        },
        policy,
        {
          clock,
          ...(this.deps.random ? { random: this.deps.random } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
          onRetry: (info) => flush(info.delayMs),
        },
      );
    } finally {
      flush();
    }
  }

  /** The URL for a request: base, /api/<version>/, the site segment when site-scoped, and the query. */
  async url(req: Pick<TableauRequest, 'path' | 'site' | 'version' | 'query'>, session: TableauSessionInfo | null): Promise<string> {
    const version = req.version ?? (await this.negotiatedVersion());
    const sitePart = req.site ? `sites/${encodeURIComponent(requireSite(session))}/` : '';
    const query = Object.entries(req.query ?? {})
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeQueryValue(v)}`)
      .join('&');
    return `${this.deps.baseUrl}/api/${version}/${sitePart}${req.path}${query ? `?${query}` : ''}`;
  }

  private sessionHolder(): TableauSessionHolder {
    if (!this.session) throw new Error('TableauHttp used before its session holder was set');
    return this.session;
  }

  private async once<T>(
    req: TableauRequest,
    session: TableauSessionInfo | null,
    attempt: number,
    parse: (res: TableauResponse) => T,
    record: (e: RequestEvent) => void,
  ): Promise<T> {
    const { clock } = this.deps;
    const url = await this.url(req, session);
    const path = new URL(url).pathname;
    const headers: Record<string, string> = { Accept: 'application/xml', ...(req.headers ?? {}) };
    if (session) headers['X-Tableau-Auth'] = session.token;
    const body = req.body?.();
    // No Content-Length (nor any other header the network stack owns) is set here: Electron's
    // net.fetch refuses Content-Length, Host, Transfer-Encoding, Trailer, TE, Upgrade, Keep-Alive and
    // Cookie2 with net::ERR_INVALID_ARGUMENT (https://www.electronjs.org/docs/latest/api/client-request,
    // request.setHeader). A body of known length goes out as bytes, whose length every stack sends.
    if (body) headers['Content-Type'] = body.contentType;
    const started = clock.now();
    const event = (status: number, outcome: string, elapsedMs: number, message?: string): RequestEvent => ({
      service: 'tableau',
      operation: req.operation,
      method: req.method,
      path,
      status,
      attempt,
      elapsedMs,
      outcome,
      ...(message ? { message } : {}),
      at: clock.now(),
    });

    let res;
    try {
      const payload = typeof body?.body === 'function' ? await body.body() : body?.body;
      res = await sendRequest(
        this.deps.fetch,
        {
          service: 'tableau',
          method: req.method,
          url,
          headers,
          body: payload,
          // Redirects are never followed: a followed 301/302 turns a POST into a GET, and any redirect
          // to another origin would carry the token (or the sign-in's credentials) there.
          redirect: 'manual',
          timeoutMs: req.timeoutMs ?? this.deps.timeoutMs,
          ...(req.signal ? { signal: req.signal } : {}),
        },
        () => clock.now(),
      );
    } catch (err) {
      if (req.signal?.aborted) throw err;
      const ce = asConnectorError(err, 'tableau');
      record(event(0, ce.name, clock.now() - started, ce.userMessage));
      throw this.guardResend(req, ce);
    }
    if (res.status >= 300 && res.status <= 399) {
      const err = redirectRefused(req, url, res.status, res.headers.get('location'));
      record(event(res.status, err.name, res.elapsedMs, err.userMessage));
      throw err;
    }
    const tree = parseTsBody(res.body);
    if (res.status < 200 || res.status > 299) {
      const err = errorFromResponse({
        status: res.status,
        headers: res.headers,
        body: res.body,
        operation: req.operation,
        isSignIn: req.isSignIn === true,
        authKind: this.deps.authKind,
        now: clock.now(),
      });
      record(event(res.status, err.name, res.elapsedMs, err.userMessage));
      throw this.guardResend(req, err);
    }
    let value: T;
    try {
      value = parse({ status: res.status, headers: res.headers, tree, body: res.body });
    } catch (err) {
      const ce = asConnectorError(err, 'tableau');
      record(event(res.status, ce.name, res.elapsedMs, ce.userMessage));
      throw this.guardResend(req, ce);
    }
    if (session) this.served.set(session, (this.served.get(session) ?? 0) + 1);
    this.emit(event(res.status, 'ok', res.elapsedMs));
    return value;
  }

  private persistent401(req: TableauRequest, err: SessionExpiredError): AuthError {
    const why =
      this.deps.authKind === 'pat'
        ? 'Another program (or another copy of the connector) is probably signing in with the same personal access token: each sign-in with a token ends the previous session of that token. Give the connector a token of its own.'
        : 'The connected app may not allow this call (check the scopes it grants and the Tableau version), or another program ends the session.';
    return new AuthError({
      service: 'tableau',
      status: 401,
      code: err.code ?? '401002',
      userMessage: `Tableau refused the connector's new session at once (${err.code ?? '401002'}) during ${req.operation}, right after signing in again. ${why} The connector does not sign in again.`,
      detail: { operation: req.operation, code: err.code ?? '401002', persistent: true },
      cause: err,
    });
  }

  private guardResend(req: TableauRequest, err: ConnectorError): ConnectorError {
    if (req.resend === 'always' || !err.retryable) return err;
    const safe =
      err instanceof SessionExpiredError ||
      err instanceof RateLimitError ||
      (err instanceof NetworkError && err.code !== undefined && NOT_SENT_CODES.has(err.code)) ||
      (err.status === 503 && err.retryAfterMs !== undefined);
    return safe ? err : new RequestNotResentError(err, req.operation);
  }

  private emit(e: RequestEvent): void {
    try {
      this.deps.onEvent?.(e);
    } catch {
      // A listener's bug must not break a load.
    }
  }
}

/** A redirect answer, refused (never followed): says where Tableau pointed, without the token. */
function redirectRefused(req: TableauRequest, url: string, status: number, location: string | null): ApiError {
  let target = 'another address';
  let otherOrigin = true;
  if (location) {
    try {
      const to = new URL(location, url);
      target = to.origin;
      otherOrigin = to.origin !== new URL(url).origin;
    } catch {
      target = 'an address that is not valid';
    }
  }
  const fix = otherOrigin
    ? `If ${target} is your Tableau, enter it as the server address in Settings › Tableau.`
    : 'Check the server address in Settings › Tableau (it may need https:// or a different path).';
  return new ApiError({
    service: 'tableau',
    kind: 'config',
    code: 'REDIRECT_REFUSED',
    status,
    userMessage: `Tableau answered ${req.operation} with a redirect (HTTP ${status}) to ${target}. The connector does not follow redirects, so that the token and the sign-in details are never sent elsewhere. ${fix}`,
    detail: { status, operation: req.operation, redirectTo: target },
  });
}

function requireSite(session: TableauSessionInfo | null): string {
  if (!session) throw new Error('A site-scoped Tableau request needs a session');
  return session.siteId;
}

/**
 * Query values keep `:` and `,` readable (filter=name:eq:GL%20Detail, tableau-rest.md §7) but
 * escape everything else, so a name with `&` or `#` cannot break the URL.
 */
function encodeQueryValue(v: string): string {
  return encodeURIComponent(v).replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}
