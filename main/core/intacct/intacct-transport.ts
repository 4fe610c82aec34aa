/**
 * Sends one Intacct request: through the per-company semaphore, `sendRequest` (timeouts, typed
 * network errors) and the response parser; reports a RequestEvent per attempt and counts API
 * transactions.
 *
 * Only the HTTP exchange holds the semaphore: parsing happens after the slot is released, so with
 * one request allowed per company (intacct-xml.md §6) the next request is already on the wire while
 * this answer is parsed.
 */
import type { Clock } from '../clock';
import { ConnectorError, NetworkError } from '../errors';
import type { RequestEvent, RequestEventListener } from '../http/request-events';
import { withRetry, type RetryPolicy } from '../http/retry';
import { sendRequest, type FetchLike } from '../http/transport';
import { Semaphore } from '../util/semaphore';
import { parseResponse, resultOrThrow, type IntacctResult, type ParsedResponse } from './response-parser';
import type { RecordBuilder } from './flat-records';

export interface IntacctTransportOptions {
  fetch: FetchLike;
  clock: Clock;
  random?: () => number;
  retry: RetryPolicy;
  timeoutMs: number;
  concurrency: number;
  onEvent?: RequestEventListener;
}

/** Per-call bookkeeping so a failed attempt's event can say when the retry will happen. */
export class CallContext {
  pending: RequestEvent | null = null;
  constructor(private readonly emit: (e: RequestEvent) => void) {}
  flush(retryInMs?: number): void {
    if (!this.pending) return;
    const e = this.pending;
    this.pending = null;
    this.emit(retryInMs === undefined ? e : { ...e, retryInMs });
  }
}

/** The HTTP side of the client: one per company (its semaphore is the company's slot limit). */
export class IntacctTransport {
  private readonly semaphore: Semaphore;
  private count = 0;
  /** Requests waiting for a slot. */
  private queued = 0;

  /** Credentials travel in the body: never let a redirect resend it elsewhere (307/308 would). */
  private readonly fetch: FetchLike;

  constructor(private readonly opts: IntacctTransportOptions) {
    this.semaphore = new Semaphore(opts.concurrency);
    this.fetch = (url, init) => opts.fetch(url, { ...init, redirect: 'manual' });
  }

  /** API transactions so far: every request that got an HTTP answer, or was cut off after it was sent, counts 1. */
  get transactions(): number {
    return this.count;
  }

  /** Requests currently holding a slot (for tests). */
  get inFlight(): number {
    return this.semaphore.inUse;
  }

  /**
   * Runs `op` under the one retry helper. `op` gets a CallContext to pass to {@link send} and the
   * attempt number; each attempt rebuilds its request (the session may have changed).
   */
  async withRetries<T>(op: (ctx: CallContext, attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const ctx = new CallContext((e) => this.emit(e));
    try {
      return await withRetry((attempt) => op(ctx, attempt), this.opts.retry, {
        clock: this.opts.clock,
        random: this.opts.random,
        signal,
        onRetry: (info) => ctx.flush(info.delayMs),
      });
    } finally {
      ctx.flush();
    }
  }

  /**
   * One HTTP attempt: POST the document, parse the answer and check the function's result (so the
   * attempt's event reports a result-level failure too); throws typed errors. `onParsed` sees every
   * answer whose authentication succeeded, before the result is checked (sliding session expiry).
   */
  async send(
    ctx: CallContext,
    req: {
      url: string;
      xml: string;
      operation: string;
      attempt: number;
      controlId: string;
      signal?: AbortSignal;
      onParsed?: (p: ParsedResponse) => void;
      /** Builds the rows of a flat page while it is parsed (ParseOptions.build). */
      build?: RecordBuilder;
    },
  ): Promise<IntacctResult> {
    const { url, xml, operation, attempt, signal } = req;
    ctx.flush();
    const clock = this.opts.clock;
    let started = clock.now();
    let status = 0;
    try {
      this.queued++;
      let release: () => void;
      try {
        release = await this.semaphore.acquire();
      } finally {
        this.queued--;
      }
      let http;
      // The event's elapsedMs is the exchange itself, not the wait for a slot.
      started = clock.now();
      try {
        if (signal?.aborted) throw signal.reason;
        // Counted as it goes out, so a run that ends (or is cancelled) while it is in flight counts it.
        this.count++;
        http = await sendRequest(
          this.fetch,
          {
            service: 'intacct',
            method: 'POST',
            url,
            headers: { 'Content-Type': 'application/xml', Accept: 'application/xml' },
            body: xml,
            timeoutMs: this.opts.timeoutMs,
            signal,
            // Read as text at once: the parser needs a string, and a 2,000-row page is ~1.7 MB.
            responseType: 'text',
          },
          () => clock.now(),
        ).catch((err: unknown) => {
          // No answer because the connection failed (refused, reset, no such host): not counted.
          // A request cut off by a cancel or a timeout stays counted: it was on the wire and Intacct
          // may have processed (and billed) it. Whether Intacct bills a request whose answer was
          // never read is UNCONFIRMED; counting it keeps the month's figure from falling short.
          if (err instanceof NetworkError && err.code !== 'TIMEOUT' && !signal?.aborted) this.count--;
          throw err;
        });
      } finally {
        release();
      }
      status = http.status;
      // Let a request waiting for the slot go out before this answer is parsed (parsing a 2,000-row
      // page is CPU-bound and would otherwise delay its dispatch by the whole parse).
      if (this.queued > 0) await yieldToEventLoop();
      const parsed = parseResponse(http, { now: clock.now(), ...(req.build ? { build: req.build } : {}) });
      req.onParsed?.(parsed);
      const result = resultOrThrow(parsed, req.controlId);
      ctx.pending = this.event(operation, url, status, attempt, started, 'ok');
      ctx.flush();
      return result;
    } catch (err) {
      if (err instanceof ConnectorError) {
        ctx.pending = this.event(operation, url, err.status ?? status, attempt, started, err.name, err.userMessage);
      } else if (!signal?.aborted) {
        ctx.pending = this.event(operation, url, status, attempt, started, err instanceof Error ? err.name : 'Error');
      }
      throw err;
    }
  }

  private event(operation: string, url: string, status: number, attempt: number, started: number, outcome: string, message?: string): RequestEvent {
    const now = this.opts.clock.now();
    return {
      service: 'intacct',
      operation,
      method: 'POST',
      path: safePath(url),
      status,
      attempt,
      elapsedMs: now - started,
      outcome,
      ...(message ? { message } : {}),
      at: now,
    };
  }

  private emit(e: RequestEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // A listener's bug must not break a read.
    }
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
