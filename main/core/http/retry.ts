/**
 * The one retry helper of the project (issue #2 "Retries").
 *
 * Decides by the error's `retryable` flag only: typed errors know whether they may be retried, so
 * bad credentials are never retried (lock-out risk) while 5xx, 429, timeouts, resets and Intacct's
 * "too many operations" / "Temporarily Off-line" are. Backoff is exponential, capped and jittered
 * (stripe-node `_getSleepTimeInMS`), and a server's Retry-After wins when it is longer. Sleeps go
 * through the injected clock and stop at once when the signal aborts.
 */
import { abortReason, type Clock } from '../clock';
import { ConnectorError } from '../errors';

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  /** First backoff in ms; doubled each attempt. */
  baseDelayMs: number;
  /** Upper bound on one backoff (before Retry-After, which may ask for longer). */
  maxDelayMs: number;
  /** Upper bound on a Retry-After we are willing to honour. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 5 * 60_000,
};

export interface RetryAttemptInfo {
  attempt: number;
  error: ConnectorError;
  delayMs: number;
}

export interface RetryDeps {
  clock: Clock;
  /** [0,1) source for jitter; injected so tests are deterministic. */
  random?: () => number;
  signal?: AbortSignal;
  /** Told before each wait (feeds request events, the UI's "rate limited, waiting 30 s"). */
  onRetry?: (info: RetryAttemptInfo) => void;
}

/** The wait before attempt `attempt + 1`: min(base·2^(n-1), max) × jitter(0.5–1), at least base/2. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(exp * (0.5 + random() / 2));
}

/**
 * Runs `op` until it succeeds, throws a non-retryable error, or attempts run out.
 * `op` receives the attempt number (1-based).
 */
export async function withRetry<T>(op: (attempt: number) => Promise<T>, policy: RetryPolicy, deps: RetryDeps): Promise<T> {
  const random = deps.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    if (deps.signal?.aborted) throw abortReason(deps.signal);
    try {
      return await op(attempt);
    } catch (err) {
      if (deps.signal?.aborted) throw abortReason(deps.signal);
      if (!(err instanceof ConnectorError) || !err.retryable || attempt >= policy.maxAttempts) throw err;
      let delayMs = backoffDelay(attempt, policy, random);
      if (err.retryAfterMs !== undefined) delayMs = Math.max(delayMs, Math.min(err.retryAfterMs, policy.maxRetryAfterMs));
      deps.onRetry?.({ attempt, error: err, delayMs });
      await deps.clock.sleep(delayMs, deps.signal);
    }
  }
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
