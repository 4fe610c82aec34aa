/**
 * A scripted fake `fetch` for the Tableau client's unit and contract tests: routes by method and
 * path, records every request (headers and the whole body, streams included), and can answer with
 * the real fixtures in test/fixtures/tableau/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FetchLike } from '../../../../main/core/http/transport';

export const FIXTURES = join('test', 'fixtures', 'tableau');

/** A fixture's text. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** The serverInfo fixture with a REST version recent enough for the client. */
export function serverInfoXml(version = '3.25'): string {
  return fixture('server_info_get.xml').replace('<restApiVersion>3.10</restApiVersion>', `<restApiVersion>${version}</restApiVersion>`);
}

export interface RecordedRequest {
  method: string;
  url: URL;
  /** Path after /api/<version>/ and, for site calls, after sites/<luid>/. */
  route: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Reply {
  status: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export type Handler = (req: RecordedRequest, n: number) => Reply | Error | Promise<Reply | Error>;

/** A fake Tableau: `routes` maps "METHOD route" (route may end in `*`) to a handler. */
export class FakeTableau {
  readonly requests: RecordedRequest[] = [];
  private readonly counts = new Map<string, number>();
  readonly routes = new Map<string, Handler>();

  constructor(opts: { version?: string; token?: () => string } = {}) {
    let tokenNo = 0;
    const token = opts.token ?? (() => `token-${++tokenNo}`);
    this.on('GET serverInfo', () => ({ status: 200, body: serverInfoXml(opts.version) }));
    this.on('POST auth/signin', () => ({
      status: 200,
      body: fixture('auth_sign_in.xml').replace('eIX6mvFsqyansa4KqEI1UwOpS8ggRs2l', token()),
    }));
    this.on('POST auth/signout', () => ({ status: 204 }));
  }

  /** Sets the handler for `key`; its call counter `n` restarts at 1. */
  on(key: string, handler: Handler): this {
    this.routes.set(key, handler);
    this.counts.delete(key);
    return this;
  }

  /** Requests whose "METHOD route" matches `key` (exact, or prefix with a trailing `*`). */
  sent(key: string): RecordedRequest[] {
    return this.requests.filter((r) => matches(key, `${r.method} ${r.route}`));
  }

  readonly fetch: FetchLike = async (url, init = {}) => {
    const u = new URL(url);
    const headers: Record<string, string> = {};
    new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => (headers[k] = v));
    const body = await readBody(init.body);
    const route = u.pathname.replace(/^\/api\/[\d.]+\//, '').replace(/^sites\/[^/]+\//, '');
    const req: RecordedRequest = { method: init.method ?? 'GET', url: u, route, headers, body };
    this.requests.push(req);
    const key = `${req.method} ${route}`;
    const entry = [...this.routes.entries()].find(([k]) => matches(k, key));
    if (!entry) return new Response(`<html>no route ${key}</html>`, { status: 404 });
    const n = (this.counts.get(entry[0]) ?? 0) + 1;
    this.counts.set(entry[0], n);
    const reply = await entry[1](req, n);
    if (reply instanceof Error) throw reply;
    return new Response(reply.status === 204 ? null : (reply.body ?? ''), { status: reply.status, headers: reply.headers ?? {} });
  };
}

function matches(pattern: string, key: string): boolean {
  return pattern.endsWith('*') ? key.startsWith(pattern.slice(0, -1)) : pattern === key;
}

async function readBody(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  // A copy, as the bytes on the wire are: the client reuses one buffer for its upload blocks.
  if (Buffer.isBuffer(body)) return Buffer.from(body);
  if (body instanceof ReadableStream) {
    const chunks: Buffer[] = [];
    for await (const c of body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks);
  }
  throw new Error(`fake fetch: unsupported body ${typeof body}`);
}

/** A network error like undici's for a refused connection. */
export function refused(): Error {
  return Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
}

/** A reset after the request was sent. */
export function reset(): Error {
  return Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
}

/** A Tableau error body. */
export function tsError(code: string, summary: string, detail = ''): string {
  return `<?xml version='1.0' encoding='UTF-8'?><tsResponse xmlns="http://tableau.com/api"><error code="${code}"><summary>${summary}</summary><detail>${detail}</detail></error></tsResponse>`;
}

/** Splits a multipart/mixed body back into parts (a strict reader: CRLFs and delimiters must be exact). */
export function parseMultipart(body: Buffer, contentType: string): { headers: Record<string, string>; content: Buffer }[] {
  const boundary = /boundary=([^;\s]+)/.exec(contentType)?.[1];
  if (!boundary) throw new Error('no boundary');
  const text = body.toString('latin1');
  const close = `--${boundary}--\r\n`;
  if (!text.endsWith(close)) throw new Error('body does not end with the closing delimiter');
  const inner = text.slice(0, -close.length);
  const chunks = inner.split(`--${boundary}\r\n`);
  if (chunks.shift() !== '') throw new Error('body does not start with a delimiter');
  return chunks.map((c) => {
    if (!c.endsWith('\r\n')) throw new Error('part does not end with CRLF');
    const sep = c.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    for (const line of c.slice(0, sep).split('\r\n')) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    return { headers, content: Buffer.from(c.slice(sep + 4, -2), 'latin1') };
  });
}
