/**
 * The served-mode access token: `ml-connector serve` prints `http://127.0.0.1:<port>/#token=<t>`.
 *
 * The token arrives in the URL fragment (never sent to a server, so never in a Referer or a server
 * log, shared/http-api.ts), is kept in sessionStorage for reloads of this tab only, and is stripped
 * from the address bar so it does not end up in the history or a screenshot.
 */

const STORAGE_KEY = 'ml-connector.token';

/** Reads the token from `#token=` (then removes it from the URL) or from sessionStorage. */
export function takeToken(loc: Location = window.location, storage: Storage = window.sessionStorage, hist: History = window.history): string | null {
  const match = /(?:^#|[#&])token=([^&]+)/.exec(loc.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    storage.setItem(STORAGE_KEY, token);
    hist.replaceState(null, '', `${loc.pathname}${loc.search}#/status`);
    return token;
  }
  return storage.getItem(STORAGE_KEY);
}
