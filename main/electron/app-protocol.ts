/**
 * The renderer is served through a custom protocol, `app://ml-connector/…`, not `file://`
 * (Electron security checklist, "Use a custom protocol instead of file://"): a page on file:// can
 * read any file the user can, and every file:// URL is one origin. The handler serves only files
 * under the built renderer folder, GET only, and sends the window's Content-Security-Policy as a
 * header (the page's own meta tag, shared with served mode, is enforced too; both must allow a load).
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { ProtocolHandler, ProtocolSurface } from './electron-surface';

export const APP_SCHEME = 'app';
export const APP_HOST = 'ml-connector';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * The desktop window's policy: only the app's own scripts and styles, no plugins (`object-src`),
 * no `<base>` rewriting (`base-uri`), no form posts anywhere (`form-action`), never framed.
 */
export const WINDOW_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Must run before the app is ready (Electron refuses it later). */
export function registerAppScheme(protocol: Pick<ProtocolSurface, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** True for the app's page (any route in the fragment). */
export function isAppPageUrl(url: string): boolean {
  return url.split('#')[0] === APP_INDEX_URL;
}

export function createAppProtocolHandler(rendererDir: string): ProtocolHandler {
  const base = resolve(rendererDir);
  const notFound = () => new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET') return notFound();
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return notFound();
    }
    const file = resolve(base, `.${path === '/' ? '/index.html' : path}`);
    if (!file.startsWith(base + sep)) return notFound();
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return notFound();
    }
    return new Response(new Uint8Array(bytes), {
      status: 200,
      headers: {
        'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Security-Policy': WINDOW_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      },
    });
  };
}
