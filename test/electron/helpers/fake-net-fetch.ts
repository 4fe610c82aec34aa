/**
 * A stand-in for Electron's `net.fetch` that follows Electron's documented and implemented rules,
 * not the connector's expectations. It sends real HTTP (loopback only) through Node's fetch once
 * the request passed Electron's checks. The rules, with where they come from:
 *
 * - The request is built with the WHATWG `Request` of the Node runtime inside Electron, as
 *   Electron's `fetchWithSession` does (lib/browser/api/net-fetch.ts): a stream body without
 *   `duplex: 'half'` is a TypeError, exactly as there.
 * - Restricted headers: Chromium's network service refuses `Content-Length`, `Host`, `Trailer`,
 *   `TE`, `Upgrade`, `Cookie2`, `Keep-Alive`, `Transfer-Encoding`, and `Connection: upgrade`
 *   (Electron docs, ClientRequest `request.setHeader`: "Certain headers are restricted from being
 *   set by apps"). The URL loader then fails with `net::ERR_INVALID_ARGUMENT`, which `net.fetch`
 *   rejects with as a plain Error (electron/electron#21091, #25075).
 * - Bodies: `net.fetch` pipes the request body, stream or not, into a ClientRequest without
 *   chunked encoding, which buffers it whole and lets the network stack set Content-Length from
 *   its size (lib/common/api/net-client-request.ts, SlurpStream).
 * - Redirects (ClientRequest's redirect policy): 'follow' follows up to 20 hops (Chromium's
 *   limit, then net::ERR_TOO_MANY_REDIRECTS), turning POST into GET on 301/302/303; 'error'
 *   rejects with "Attempted to redirect, but redirect policy was 'error'"; 'manual' rejects with
 *   "Redirect was cancelled" (net.fetch listens to no 'redirect' event to follow it).
 * - An aborted signal rejects with the signal's reason.
 * - Only after app 'ready' (Electron: "the net module can only be used after the app is ready").
 */
import type { FetchLike } from '../../../main/core/http/transport';

/** Header names Chromium's network service refuses from apps (lower case). */
export const RESTRICTED_HEADERS = ['content-length', 'host', 'trailer', 'te', 'upgrade', 'cookie2', 'keep-alive', 'transfer-encoding'] as const;

export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Bytes of the body as the network stack sent it (null: no body). */
  bodyBytes: number | null;
  /** The caller handed over a stream (which Electron buffered). */
  streamed: boolean;
}

export interface FakeNetFetch {
  fetch: FetchLike;
  /** Every request that passed the checks and was sent. */
  readonly sent: SentRequest[];
  /** Every request refused, with Electron's error message. */
  readonly refused: { method: string; url: string; error: string; header?: string }[];
  /** Set by the fake electron when the app becomes ready. */
  markReady(): void;
}

const MAX_REDIRECTS = 20;

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export function createFakeNetFetch(): FakeNetFetch {
  let ready = false;
  const sent: SentRequest[] = [];
  const refused: FakeNetFetch['refused'] = [];

  const netFetch = async (input: string, init?: RequestInit & { duplex?: 'half' }): Promise<Response> => {
    if (!ready) throw new Error('net.fetch can only be used after the app is ready');
    const req = new Request(input, init as RequestInit);
    if (req.signal.aborted) throw req.signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');

    const headers: Record<string, string> = {};
    for (const [k, v] of req.headers) headers[k] = v;
    const bad =
      Object.keys(headers).find((k) => (RESTRICTED_HEADERS as readonly string[]).includes(k)) ??
      (/\bupgrade\b/i.test(headers.connection ?? '') ? 'connection' : undefined);
    if (bad) {
      refused.push({ method: req.method, url: req.url, error: 'net::ERR_INVALID_ARGUMENT', header: bad });
      if (req.body) await req.body.cancel().catch(() => {});
      throw new Error('net::ERR_INVALID_ARGUMENT');
    }

    const streamed = !!init?.body && typeof (init.body as ReadableStream).getReader === 'function';
    // ClientRequest without chunked encoding: the whole body first, then the request.
    const body = req.body ? Buffer.from(await new Response(req.body).arrayBuffer()) : null;

    let method = req.method;
    let url = req.url;
    let payload: Buffer | null = body;
    for (let hop = 0; ; hop++) {
      const target = new URL(url);
      if (!isLoopback(target.hostname)) throw new Error(`fake net.fetch sends to loopback only, not ${target.host}`);
      sent.push({ method, url, headers: { ...headers }, bodyBytes: payload ? payload.length : null, streamed });
      const res = await fetch(url, { method, headers, body: payload, redirect: 'manual', signal: req.signal });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status > 399 || res.status === 304 || !location) return res;
      await res.body?.cancel();
      if (req.redirect === 'error') throw new Error("Attempted to redirect, but redirect policy was 'error'");
      if (req.redirect === 'manual') throw new Error('Redirect was cancelled');
      if (hop + 1 >= MAX_REDIRECTS) throw new Error('net::ERR_TOO_MANY_REDIRECTS');
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        payload = null;
        delete headers['content-type'];
      }
      url = new URL(location, url).href;
    }
  };

  return { fetch: netFetch, sent, refused, markReady: () => void (ready = true) };
}
