/**
 * The API session: `getAPISession` (alone in its request, DOC-SESS) exchanges the credentials for a
 * sessionid and the endpoint later calls must use (intacct-xml.md §3.1).
 *
 * - The endpoint's host is checked (default: https and `*.intacct.com`, as the JS SDK does, §1.1)
 *   so a response can never redirect the session elsewhere.
 * - Expiry comes from the `sessiontimeout` every response reports; it slides forward (§3.2). We
 *   refresh a little before it, and never later than 50 minutes after the session was obtained
 *   (issue #2), whatever the server says.
 * - Single-flight: concurrent callers share one sign-in.
 * - Credentials stay in this object; they are never logged and never put on an error.
 */
import { abortReason, type Clock } from '../clock';
import { ApiError, ConnectorError, NetworkError } from '../errors';
import { buildRequest, getApiSessionFunction } from './request-envelope';
import type { AuthenticationBlock } from './response-parser';
import type { IntacctCredentials, IntacctSessionInfo } from './intacct-types';
import type { IntacctTransport } from './intacct-transport';

/** A session is refreshed at the latest this long after it was obtained (issue #2). */
export const MAX_SESSION_AGE_MS = 50 * 60_000;

interface SessionState {
  sessionId: string;
  endpoint: string;
  obtainedAt: number;
  expiresAt: number;
  refreshAt: number;
}

export interface SessionManagerOptions {
  transport: IntacctTransport;
  credentials: IntacctCredentials;
  loginEndpoint: string;
  allowedEndpointHosts?: (host: string) => boolean;
  clock: Clock;
  newControlId: () => string;
  /** Aborted when the client closes: a shared sign-in outlives any one caller's signal. */
  closeSignal: AbortSignal;
  /** The whole sign-in's time budget, retries included (default SIGN_IN_BUDGET_MS). */
  signInBudgetMs?: number;
}

/** A sign-in (getAPISession and its retries) that takes longer than this gives up. */
export const SIGN_IN_BUDGET_MS = 90_000;

/** Default endpoint guard: https and a host under intacct.com. */
export function isIntacctHost(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return url.protocol === 'https:' && (host === 'intacct.com' || host.endsWith('.intacct.com'));
}

export class IntacctSessionManager {
  private current: SessionState | null = null;
  private pending: Promise<SessionState> | null = null;
  /** Sign-ins made (for tests and diagnostics). */
  logins = 0;

  constructor(private readonly opts: SessionManagerOptions) {}

  /** A valid session, signing in (once, shared) when there is none or it is due for refresh. */
  async get(signal?: AbortSignal): Promise<SessionState> {
    const now = this.opts.clock.now();
    if (this.current && now < this.current.refreshAt) return this.current;
    this.pending ??= this.login().finally(() => {
      this.pending = null;
    });
    try {
      return await raceAbort(this.pending, signal);
    } catch (err) {
      // An early refresh that fails for a transient reason must not fail a call the current
      // session can still serve: keep using it until it really expires (then sign-in errors surface).
      const current = this.current;
      if (current && err instanceof ConnectorError && err.retryable && !signal?.aborted && this.opts.clock.now() < current.expiresAt) return current;
      throw err;
    }
  }

  /** What callers see. */
  info(): IntacctSessionInfo | null {
    return this.current ? { sessionId: this.current.sessionId, endpoint: this.current.endpoint, expiresAt: this.current.expiresAt } : null;
  }

  /** Drops the session if it is still the current one (called on "Invalid session"). */
  invalidate(sessionId: string): void {
    if (this.current?.sessionId === sessionId) this.current = null;
  }

  /** Slides the expiry forward from a response's authentication block. */
  touch(sessionId: string, auth: AuthenticationBlock | null): void {
    const s = this.current;
    if (!s || s.sessionId !== sessionId || !auth) return;
    const expiresAt = expiryFrom(this.opts.clock.now(), auth);
    if (expiresAt === null) return;
    s.expiresAt = expiresAt;
    s.refreshAt = refreshTime(s.obtainedAt, expiresAt, this.opts.clock.now());
  }

  private async login(): Promise<SessionState> {
    const { transport, credentials: c } = this.opts;
    const controlId = this.opts.newControlId();
    // The whole sign-in, retries included, has one time budget: a dead or trickling gateway must not
    // hold a run (or Test connection) for the sum of every attempt's timeout.
    const budgetMs = this.opts.signInBudgetMs ?? SIGN_IN_BUDGET_MS;
    const budget = AbortSignal.timeout(budgetMs);
    const signal = AbortSignal.any([this.opts.closeSignal, budget]);
    try {
      return await this.loginWithin(signal, controlId, transport, c);
    } catch (err) {
      if (budget.aborted && !this.opts.closeSignal.aborted) {
        throw new NetworkError({
          service: 'intacct',
          code: 'SIGN_IN_TIMEOUT',
          retryable: false,
          userMessage: `Intacct did not complete the sign-in within ${Math.round(budgetMs / 1000)} s. Check the network, proxy and the Intacct gateway URL; the run stopped rather than wait longer.`,
          cause: err,
        });
      }
      throw err;
    }
  }

  private async loginWithin(signal: AbortSignal, controlId: string, transport: IntacctTransport, c: IntacctCredentials): Promise<SessionState> {
    const state = await transport.withRetries(async (ctx, attempt) => {
      const xml = buildRequest({
        senderId: c.senderId,
        senderPassword: c.senderPassword,
        controlId: this.opts.newControlId(),
        auth: { kind: 'login', userId: c.userId, companyId: c.companyId, password: c.userPassword, locationId: c.entityId || undefined },
        functions: [{ controlId, body: getApiSessionFunction() }],
      });
      let auth: AuthenticationBlock | null = null;
      const result = await transport.send(ctx, {
        url: this.opts.loginEndpoint,
        xml,
        operation: 'getAPISession',
        attempt,
        controlId,
        signal,
        onParsed: (p) => {
          auth = p.authentication;
        },
      });
      const api = result.data?.records[0] ?? {};
      const sessionId = typeof api['sessionid'] === 'string' ? api['sessionid'] : '';
      if (!sessionId) {
        throw new ApiError({
          service: 'intacct',
          code: 'NO_SESSION',
          userMessage: 'Intacct signed in but returned no session. Try again; if it persists, contact Sage support.',
        });
      }
      const endpoint = this.checkEndpoint(typeof api['endpoint'] === 'string' ? api['endpoint'] : '');
      const now = this.opts.clock.now();
      // UNCONFIRMED default when no sessiontimeout is reported: assume the 50-minute cap.
      const expiresAt = (auth && expiryFrom(now, auth)) ?? now + MAX_SESSION_AGE_MS;
      return { sessionId, endpoint, obtainedAt: now, expiresAt, refreshAt: refreshTime(now, expiresAt, now) };
    }, signal);
    this.logins++;
    this.current = state;
    return state;
  }

  private checkEndpoint(endpoint: string): string {
    // UNCONFIRMED whether Intacct can omit the endpoint; the login gateway is the safe fallback.
    if (!endpoint) return this.opts.loginEndpoint;
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      url = new URL('invalid://');
    }
    const allowed = this.opts.allowedEndpointHosts ? url.protocol.startsWith('http') && this.opts.allowedEndpointHosts(url.hostname) : isIntacctHost(url);
    if (!allowed) {
      throw new ApiError({
        service: 'intacct',
        kind: 'config',
        code: 'ENDPOINT_REJECTED',
        userMessage: `Intacct named an unexpected server for the session (${url.hostname || 'invalid address'}); the connector refuses to use it. Check the Intacct gateway URL in the settings.`,
      });
    }
    return endpoint;
  }
}

/**
 * Local expiry time from an authentication block. `sessiontimeout` is absolute server time; we take
 * the earlier of it and "now + (timeout − timestamp)" so a skewed local clock can only make us
 * refresh early, never late.
 */
export function expiryFrom(now: number, auth: AuthenticationBlock): number | null {
  const timeout = auth.sessionTimeout ? Date.parse(auth.sessionTimeout) : NaN;
  if (!Number.isFinite(timeout)) return null;
  const stamp = auth.sessionTimestamp ? Date.parse(auth.sessionTimestamp) : NaN;
  return Number.isFinite(stamp) ? Math.min(timeout, now + (timeout - stamp)) : timeout;
}

/** Refresh a little before expiry (a tenth of the remaining time, at most a minute), and by 50 min. */
function refreshTime(obtainedAt: number, expiresAt: number, now: number): number {
  const margin = Math.min(60_000, Math.max(0, (expiresAt - now) / 10));
  return Math.min(expiresAt - margin, obtainedAt + MAX_SESSION_AGE_MS);
}

function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
