/**
 * The one HTTP transport both clients use, injected.
 *
 * The transport is a WHATWG `fetch`. Inside Electron the shell passes `net.fetch` (system proxy, OS
 * certificate store: finance workstations often sit behind a TLS-inspecting proxy). Under plain
 * Node, `createNodeFetch` builds one on undici that honours a configured proxy or the
 * HTTPS_PROXY/HTTP_PROXY/NO_PROXY values handed in by the caller (core code never reads
 * `process.env` itself), with a connect timeout. `sendRequest` adds the whole-request timeout and
 * turns every transport failure into a typed, retryable NetworkError.
 */
import { Agent, EnvHttpProxyAgent, fetch as undiciFetch, type Dispatcher } from 'undici';
import { ApiError, ConnectorError, NetworkError, type Service } from '../errors';

/**
 * The largest answer read by default: 64 MiB. The largest legitimate answer is an Intacct page of
 * 2,000 records (~1.7 MB with the standard columns, intacct-transport.ts; tens of extra fields make
 * it a few times that); Tableau's XML answers are kilobytes. An answer beyond this is a broken or
 * hostile server (issue #12: an endless body took the process to 6 GB), so it is cut off.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A fetch function: globalThis.fetch, undici's, Electron's net.fetch, or a test double. */
export type FetchLike = (url: string, init?: RequestInit & { duplex?: 'half' }) => Promise<Response>;

export interface NodeFetchOptions {
  /** Explicit proxy URL from settings; wins over the environment values. */
  proxyUrl?: string;
  /** The process environment's proxy variables, passed in by the caller. */
  env?: { HTTPS_PROXY?: string; https_proxy?: string; HTTP_PROXY?: string; http_proxy?: string; NO_PROXY?: string; no_proxy?: string };
  connectTimeoutMs?: number;
}

/** Builds a fetch for plain Node with proxy support and a connect timeout. */
export function createNodeFetch(options: NodeFetchOptions = {}): FetchLike {
  const env = options.env ?? {};
  const connect = { timeout: options.connectTimeoutMs ?? 15_000 };
  const httpsProxy = options.proxyUrl ?? env.HTTPS_PROXY ?? env.https_proxy;
  const httpProxy = options.proxyUrl ?? env.HTTP_PROXY ?? env.http_proxy;
  const noProxy = env.NO_PROXY ?? env.no_proxy ?? '';
  // Idle sockets are dropped after 4 s, before common servers close theirs (Node: 5 s), so a request
  // is never written to a socket the server is closing (undici then fails with UND_ERR_SOCKET).
  const keepAliveTimeout = 4_000;
  const dispatcher: Dispatcher =
    httpsProxy || httpProxy
      ? new EnvHttpProxyAgent({ httpProxy, httpsProxy, noProxy, connect, keepAliveTimeout })
      : new Agent({ connect, keepAliveTimeout, bodyTimeout: 0, headersTimeout: 0 });
  return ((url, init) =>
    undiciFetch(url, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>) as FetchLike;
}

export interface SendOptions {
  service: Service;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: RequestInit['body'];
  /** Whole-request timeout (connect + send + full response body). */
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Redirect handling (fetch's `redirect`). 'manual' hands a 3xx back to the caller, which decides:
   * the Tableau client refuses them, so credentials never follow a redirect to another origin.
   */
  redirect?: 'follow' | 'manual' | 'error';
  /**
   * 'text' reads the body straight into a string (one UTF-8 decode, BOM dropped) for callers that
   * parse text anyway: it skips the ArrayBuffer copy and the Buffer. Default 'buffer'.
   */
  responseType?: 'buffer' | 'text';
  /** Largest response body accepted, in bytes (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Buffer;
  elapsedMs: number;
}

/** {@link HttpResult} with the body as text (`responseType: 'text'`). */
export interface HttpTextResult extends Omit<HttpResult, 'body'> {
  body: string;
}

/**
 * Sends one request and reads the whole body, with a whole-request timeout.
 * Throws NetworkError (retryable) for timeouts, refused/reset connections and truncated bodies;
 * rethrows the caller's abort reason when the caller cancelled.
 */
export function sendRequest(fetchFn: FetchLike, opts: SendOptions & { responseType: 'text' }, now?: () => number): Promise<HttpTextResult>;
export function sendRequest(fetchFn: FetchLike, opts: SendOptions, now?: () => number): Promise<HttpResult>;
export async function sendRequest(fetchFn: FetchLike, opts: SendOptions, now: () => number = Date.now): Promise<HttpResult | HttpTextResult> {
  const started = now();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error('timeout')), opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;
  try {
    const res = await fetchFn(opts.url, {
      method: opts.method,
      headers: opts.headers,
      body: opts.body,
      signal,
      ...(opts.redirect ? { redirect: opts.redirect } : {}),
      ...(isStreamBody(opts.body) ? { duplex: 'half' as const } : {}),
    });
    const body = await readBounded(res, opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, opts);
    if (opts.responseType === 'text') {
      // One UTF-8 decode, BOM dropped (what Response.text() does). Invalid UTF-8 is refused rather
      // than loaded as replacement characters: a vendor name must never change silently.
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(body);
      } catch {
        throw new InvalidTextError(opts.service, safeHost(opts.url), body);
      }
      return { status: res.status, headers: res.headers, body: text, elapsedMs: now() - started };
    }
    return { status: res.status, headers: res.headers, body, elapsedMs: now() - started };
  } catch (err) {
    if (err instanceof ResponseTooLargeError || err instanceof InvalidTextError) throw err;
    if (opts.signal?.aborted) throw opts.signal.reason ?? err;
    const host = safeHost(opts.url);
    if (timeout.signal.aborted) {
      throw new NetworkError({
        service: opts.service,
        code: 'TIMEOUT',
        userMessage: `${serviceName(opts.service)} did not answer within ${Math.round(opts.timeoutMs / 1000)} s (${host}). It may be busy; the request will be retried.`,
        cause: err,
      });
    }
    throw new NetworkError({
      service: opts.service,
      code: networkCode(err),
      userMessage: `Could not reach ${serviceName(opts.service)} at ${host} (${networkCode(err)}). Check the network or proxy settings.`,
      cause: err,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** An answer larger than the bound: not retried (it would be read again), and not read further. */
export class ResponseTooLargeError extends ConnectorError {
  constructor(service: Service, host: string, limit: number, declared?: number) {
    super({
      service,
      kind: 'system',
      retryable: false,
      code: 'RESPONSE_TOO_LARGE',
      userMessage:
        `${serviceName(service)} (${host}) sent an answer ${declared !== undefined ? `of ${formatBytes(declared)}` : `larger than ${formatBytes(limit)}`}, ` +
        `more than the ${formatBytes(limit)} the connector accepts (the largest page it asks for is a few MB), so it was not read${declared !== undefined ? '' : ' further'}. ` +
        'A proxy or the server is sending something else than an API answer; check the address in Settings.',
      detail: { limit, ...(declared !== undefined ? { declared } : {}) },
    });
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MB` : `${Math.round(n / 1024)} KB`;
}

/** Reads the whole body once, at most `limit` bytes; a larger one is cancelled and refused. */
async function readBounded(res: Response, limit: number, opts: SendOptions): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(opts.service, safeHost(opts.url), limit, declared);
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(opts.service, safeHost(opts.url), limit);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? Buffer.from(chunks[0]!.buffer, chunks[0]!.byteOffset, chunks[0]!.byteLength) : Buffer.concat(chunks, size);
}

function isStreamBody(body: unknown): boolean {
  return !!body && typeof body === 'object' && (Symbol.asyncIterator in (body as object) || typeof (body as ReadableStream).getReader === 'function');
}

function networkCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.name : 'NETWORK_ERROR';
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid address';
  }
}

function serviceName(s: Service): string {
  return s === 'intacct' ? 'Sage Intacct' : s === 'tableau' ? 'Tableau' : s;
}

/** A text answer that is not valid UTF-8 (the offset of the first bad byte is in the message). */
export class InvalidTextError extends ApiError {
  constructor(service: SendOptions['service'], host: string, body: Uint8Array) {
    const at = firstInvalidUtf8(body);
    super({
      service,
      code: 'INVALID_UTF8',
      userMessage: `${serviceName(service)} (${host}) sent an answer that is not valid UTF-8 text (first bad byte at ${at}); it was refused rather than loaded with damaged characters. If this repeats, contact support.`,
    });
  }
}

/** Offset of the first byte that breaks UTF-8, or -1 when there is none. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}
