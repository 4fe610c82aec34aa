/**
 * Where Tableau is and which REST API version to speak.
 *
 * Tableau Server is addressed by its own origin, Tableau Cloud by its pod host
 * (`https://10ay.online.tableau.com`), tableau-rest.md §5. Users often paste a browser address
 * (`…/#/site/finance/home`), so the fragment, query and trailing slashes are dropped. The API
 * version is min(the server's, the newest we were built against), and servers older than REST
 * 3.12 (Tableau 2021.2), which lack "Update Data in Hyper Data Source" (§2), are refused.
 */
import { ValidationError } from '../errors';

/** Newest REST API version this client was written and tested against. */
export const MAX_API_VERSION = '3.25';
/** "Update Data in Hyper Data Source" (PATCH …/data) appeared in REST 3.12 / Tableau 2021.2 (§2). */
export const MIN_API_VERSION = '3.12';
/** Connected-app JWT sign-in: Cloud June 2022 (3.16) / Server 2022.3 (3.17); 3.16 is the lower bound (§4). */
export const MIN_JWT_API_VERSION = '3.16';
/** Version used for the fallback serverInfo call on servers that do not know MAX_API_VERSION (TSC's default). */
export const FALLBACK_PROBE_VERSION = '2.4';

/** Normalised base URL: scheme + host (+ a path prefix for a Server behind a reverse proxy). */
export function normaliseServerUrl(serverUrl: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl.trim());
  } catch {
    throw new ValidationError({ userMessage: `"${serverUrl}" is not a valid Tableau address. Enter it like https://tableau.example.com or https://10ay.online.tableau.com.`, fields: { serverUrl: 'Not a valid URL' } });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError({ userMessage: `The Tableau address must start with https:// (got ${url.protocol}).`, fields: { serverUrl: 'Use https://' } });
  }
  // Drop what a browser address adds (#/site/…, a query) and a trailing /api or /.
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api$/i, '');
  return `${url.protocol}//${url.host}${path}`;
}

/** True for Tableau Cloud pod hosts (which have no usable default site, §5). */
export function isTableauCloud(baseUrl: string): boolean {
  return /(^|\.)online\.tableau\.com$/i.test(new URL(baseUrl).hostname);
}

/** Compares dotted versions numerically ("3.10" > "3.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The version to use with a server that reports `serverVersion`. */
export function pickApiVersion(serverVersion: string): string {
  return compareVersions(serverVersion, MAX_API_VERSION) < 0 ? serverVersion : MAX_API_VERSION;
}
