/**
 * The headless server (`ml-connector serve`): the service's operations over HTTP, its events over
 * Server-Sent Events, and the built renderer as static files, as shared/http-api.ts describes.
 *
 * Guards, because anything on the machine (and any web page the user opens) can reach a loopback
 * port:
 * - it listens on 127.0.0.1 only;
 * - every API call needs the random per-launch token (`Authorization: Bearer`, or `?token=` for the
 *   SSE stream, which EventSource cannot give headers); compared in constant time;
 * - the Host header must name the loopback address and our port, which defeats DNS rebinding (a
 *   hostile page whose domain re-resolves to 127.0.0.1 still sends its own Host);
 * - operations take `Content-Type: application/json` only (a cross-site form cannot send it without
 *   a CORS preflight, which we never answer), bodies are size-limited and validated per operation;
 * - static pages carry a strict Content-Security-Policy, and nothing is served outside staticDir.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ConnectorError } from '../errors';
import { InvalidRequestError, validateRequest } from '../api/request-validation';
import { toEnvelope } from '../api/error-envelope';
import { isOperation, type Operation } from '../../../shared/ipc-contract';
import { API_PREFIX, EVENTS_PATH, type ApiEnvelope } from '../../../shared/http-api';
import type { AuditQuery, ServiceEvent } from '../../../shared/types';
import type { ConnectorService } from '../service/connector-service';

/** The Content-Security-Policy of every page the server sends. */
export const CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const MAX_BODY_BYTES = 1024 * 1024;
const KEEPALIVE_MS = 15_000;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Options of `startServer`. */
export interface ServerOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** The built renderer (dist/renderer); absent: no static files. */
  staticDir?: string;
  /** The token to require; absent: a random one (32 bytes, hex). */
  token?: string;
  /** Event streams open at once; one more is answered 503. Default 16 (a few browser tabs). */
  maxEventStreams?: number;
  /**
   * Bytes of events a stream may have waiting for a reader that does not read; past it the stream
   * is closed (EventSource reconnects and gets a fresh status). Default 1 MiB.
   */
  maxEventBacklogBytes?: number;
  /** Told about an unexpected error (with the reference its answer shows), to log it: the answer never carries its text. */
  onUnexpected?: (reference: string, err: unknown) => void;
}

/** A running server. */
export interface RunningServer {
  /** http://127.0.0.1:<port> */
  url: string;
  token: string;
  close(): Promise<void>;
}

/** Starts serving `service` on 127.0.0.1. */
export async function startServer(service: ConnectorService, opts: ServerOptions = {}): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const tokenBuf = Buffer.from(token);
  const sse = new Set<ServerResponse>();
  let port = 0;

  /** Every failure the API answers is described once, the same way IPC and the run record do. */
  const envelopeOf = (err: unknown) => toEnvelope(err, { ...(opts.onUnexpected ? { onUnexpected: opts.onUnexpected } : {}) });

  const tokenOk = (candidate: string | null | undefined): boolean => {
    if (!candidate) return false;
    const c = Buffer.from(candidate);
    return c.length === tokenBuf.length && timingSafeEqual(c, tokenBuf);
  };
  const hostOk = (host: string | undefined): boolean => host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendEnvelope(res, 500, { ok: false, error: envelopeOf(err) });
      else res.destroy();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!hostOk(req.headers.host)) {
      return sendEnvelope(res, 403, { ok: false, error: { message: 'Forbidden host.', service: 'local', code: 'BAD_HOST' } });
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname === EVENTS_PATH) {
      if (req.method !== 'GET') return sendEnvelope(res, 405, errorBody('Use GET for the event stream.', 'METHOD'));
      if (!tokenOk(url.searchParams.get('token'))) return sendEnvelope(res, 401, errorBody('Missing or wrong token.', 'UNAUTHORIZED'));
      return openEvents(req, res);
    }
    if (url.pathname.startsWith(API_PREFIX)) {
      const auth = req.headers.authorization ?? '';
      if (!tokenOk(auth.startsWith('Bearer ') ? auth.slice(7) : null)) return sendEnvelope(res, 401, errorBody('Missing or wrong token.', 'UNAUTHORIZED'));
      const op = url.pathname.slice(API_PREFIX.length);
      if (!isOperation(op)) return sendEnvelope(res, 404, errorBody(`Unknown operation "${op.slice(0, 60)}".`, 'UNKNOWN_OPERATION'));
      if (req.method !== 'POST') return sendEnvelope(res, 405, errorBody('Use POST for operations.', 'METHOD'));
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
        return sendEnvelope(res, 415, errorBody('Send the request as application/json.', 'CONTENT_TYPE'));
      let body: unknown;
      try {
        const text = await readBody(req);
        body = text.trim() === '' ? null : JSON.parse(text);
      } catch (err) {
        if (err instanceof BodyTooLarge) return sendEnvelope(res, 413, errorBody('Request too large.', 'TOO_LARGE'));
        return sendEnvelope(res, 400, errorBody('The request body is not valid JSON.', 'BAD_JSON'));
      }
      return callOperation(op, body, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendEnvelope(res, 405, errorBody('Method not allowed.', 'METHOD'));
    return serveStatic(url.pathname, req, res);
  };

  const callOperation = async (op: Operation, body: unknown, res: ServerResponse): Promise<void> => {
    let request: unknown;
    try {
      request = validateRequest(op, body);
    } catch (err) {
      if (err instanceof InvalidRequestError) return sendEnvelope(res, 400, { ok: false, error: envelopeOf(err) });
      throw err;
    }
    if (op === 'exportAudit' && typeof service.auditCsv === 'function') return streamAuditExport(request as AuditQuery, res);
    try {
      const fn = service[op] as (r: unknown) => Promise<unknown>;
      const result = await fn.call(service, request);
      sendEnvelope(res, 200, { ok: true, result: result === undefined ? null : result });
    } catch (err) {
      const status = err instanceof ConnectorError && err.kind === 'config' ? 400 : 500;
      sendEnvelope(res, status, { ok: false, error: envelopeOf(err) });
    }
  };

  /**
   * exportAudit's envelope written as it is read, a page of rows at a time with backpressure: the
   * same JSON as `{ ok: true, result: { fileName, csv } }`, never held whole in memory (issue #12).
   */
  const streamAuditExport = async (q: AuditQuery, res: ServerResponse): Promise<void> => {
    const { fileName, lines } = service.auditCsv(q);
    const it = lines[Symbol.iterator]();
    let first: IteratorResult<string>;
    try {
      first = it.next();
    } catch (err) {
      return sendEnvelope(res, 500, { ok: false, error: envelopeOf(err) });
    }
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    const write = async (text: string) => {
      if (!res.write(text))
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
    };
    try {
      await write(`{"ok":true,"result":{"fileName":${JSON.stringify(fileName)},"csv":"`);
      let chunk = '';
      for (let r = first; !r.done; r = it.next()) {
        if (res.destroyed) return;
        chunk += JSON.stringify(r.value).slice(1, -1);
        if (chunk.length >= 64 * 1024) {
          await write(chunk);
          chunk = '';
        }
      }
      await write(`${chunk}"}}`);
      res.end();
    } catch {
      // Half an answer must not look whole: the client sees a broken response, not a short CSV.
      res.destroy();
    }
  };

  const maxStreams = opts.maxEventStreams ?? 16;
  const maxBacklog = opts.maxEventBacklogBytes ?? 1024 * 1024;
  const openEvents = (req: IncomingMessage, res: ServerResponse) => {
    if (sse.size >= maxStreams) {
      res.setHeader('Retry-After', '5');
      return sendEnvelope(res, 503, errorBody(`Too many event streams are open (${maxStreams}); close other ml-connector tabs.`, 'TOO_MANY_STREAMS'));
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(': connected\n\n');
    sse.add(res);
    const send = (e: ServiceEvent) => {
      if (res.destroyed || res.writableEnded) return;
      // One JSON per data line: JSON.stringify never emits a raw newline.
      res.write(`data: ${JSON.stringify(e)}\n\n`);
      // A reader that does not keep up would make us hold every event for it: drop it instead.
      if (res.writableLength > maxBacklog) {
        cleanup();
        res.destroy();
      }
    };
    const unsubscribe = service.onEvent(send);
    void service.getStatus().then(
      (status) => {
        if (!res.writableEnded) send({ type: 'status', status });
      },
      () => undefined,
    );
    const keepAlive = setInterval(() => {
      if (!res.destroyed) res.write(': keep-alive\n\n');
    }, KEEPALIVE_MS);
    keepAlive.unref();
    function cleanup() {
      clearInterval(keepAlive);
      unsubscribe();
      sse.delete(res);
    }
    req.on('close', cleanup);
    res.on('error', cleanup);
  };

  const serveStatic = async (pathname: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!opts.staticDir) return sendText(res, 404, 'Not found (the renderer is not built: run npm run build).');
    const root = resolve(opts.staticDir);
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendText(res, 400, 'Bad path.');
    }
    if (decoded.includes('\0')) return sendText(res, 400, 'Bad path.');
    let file = resolve(join(root, decoded));
    if (file !== root && !file.startsWith(root + sep)) return sendText(res, 404, 'Not found.');
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => null);
    }
    // A single-page app: unknown paths without an extension get index.html.
    if (!info && !extname(decoded)) {
      file = join(root, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!info?.isFile()) return sendText(res, 404, 'Not found.');
    const type = MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': body.length,
      'Content-Security-Policy': CSP,
      'Cache-Control': type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: async () => {
      for (const res of sse) res.end();
      sse.clear();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorBody(message: string, code: string): ApiEnvelope<never> {
  return { ok: false, error: { message, service: 'local', code } };
}

function sendEnvelope(res: ServerResponse, status: number, body: ApiEnvelope<unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CSP });
  res.end(text);
}
