/**
 * Where Tableau is and which REST API version to speak.
 *
 * Tableau Server is addressed by its own origin, Tableau Cloud by its pod host
 * (`https://10ay.online.tableau.com`), tableau-rest.md §5. Users often paste a browser address
 * (`…/#/site/finance/home`, `…/t/finance/views/…`): it is split into the server and the site (and
 * the client says so, `TableauAddress.note`), instead of keeping the browser path as a prefix. A
 * path that is not a browser route (a Server behind a reverse proxy, `/analytics`) is kept.
 *
 * The API version is min(the server's, the newest we were built against). Servers older than REST
 * 3.12 (Tableau 2021.2), which lack "Update Data in Hyper Data Source" (§2), are refused, and so
 * are the 2021.2–2022.1 releases that cannot open the `.hyper` file format the writer produces
 * (see `fileFormatRefusal`).
 */
import { ValidationError } from '../errors';

/** Newest REST API version this client was written and tested against. */
export const MAX_API_VERSION = '3.25';
/** "Update Data in Hyper Data Source" (PATCH …/data) appeared in REST 3.12 / Tableau 2021.2 (§2). */
export const MIN_API_VERSION = '3.12';
/**
 * Connected-app JWT sign-in: Tableau Cloud June 2022 (3.16) and Tableau Server 2022.3 (3.17)
 * (tableau-rest.md §4). Cloud always runs the newest version, so 3.17 is the floor for both.
 */
export const MIN_JWT_API_VERSION = '3.17';
/**
 * Query Job with a JWT session answers 401002 before REST 3.25 (Tableau Cloud February 2025 /
 * Server 2025.1): TSC issues #1320 (2023, Cloud) and #1581 ("support for the jobs endpoint with
 * JWT authentication was added in February 2025", REST API what's new 3.25).
 */
export const MIN_JWT_JOBS_API_VERSION = '3.25';
/** Version used for the fallback serverInfo call on servers that do not know MAX_API_VERSION (TSC's default). */
export const FALLBACK_PROBE_VERSION = '2.4';

/**
 * `.hyper` file format 2, which the project's hyperd writes (`--default-database-version=2`,
 * main/core/hyper/hyper-engine.ts), opens in Tableau Server from these maintenance releases on
 * (Hyper API docs, "Hyper Database Versions": 2021.2.9, 2021.3.8, 2021.4.4, 2022.1.2; every release
 * from 2022.2 on). Older releases of those lines are refused with a message instead of publishing a
 * file they cannot read.
 */
export const FILE_FORMAT_2_FIRST_RELEASES: readonly string[] = ['2021.2.9', '2021.3.8', '2021.4.4', '2022.1.2'];

/** A Tableau address split into the REST base URL and the site. */
export interface TableauAddress {
  /** Scheme + host (+ a reverse-proxy path prefix). */
  baseUrl: string;
  /** The site content URL to sign in with. */
  site: string;
  /** Set when a browser address was split: says what was taken from it. */
  note?: string;
}

/**
 * Splits a pasted address into server and site. `site` is the site from settings ('' = none
 * given): a site in the address fills it; a different one is an error (which one is meant?).
 */
export function parseTableauAddress(serverUrl: string, site = ''): TableauAddress {
  let url: URL;
  try {
    url = new URL(serverUrl.trim());
  } catch {
    throw new ValidationError({
      userMessage: `"${serverUrl}" is not a valid Tableau address. Enter it like https://tableau.example.com or https://10ay.online.tableau.com.`,
      fields: { serverUrl: 'Not a valid URL' },
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError({ userMessage: `The Tableau address must start with https:// (got ${url.protocol}).`, fields: { serverUrl: 'Use https://' } });
  }
  let path = url.pathname.replace(/\/+$/, '');
  let fromAddress: string | null = null;
  // `#/site/<site>/…` (Cloud and Server browser addresses) or `#/…` without a site (Server's Default site).
  const fragSite = /^#\/site\/([^/?#]+)/.exec(url.hash);
  if (fragSite) fromAddress = decodeURIComponent(fragSite[1]!);
  // `/t/<site>/views/…` (view URLs) and the other browser routes: everything from there on is not the API base.
  const tSite = /\/t\/([^/]+)(?:\/|$)/.exec(path);
  if (tSite) {
    fromAddress ??= decodeURIComponent(tSite[1]!);
    path = path.slice(0, tSite.index);
  }
  const route = /\/(?:views|vizportal|vizql|authoring|#)(?:\/|$)/.exec(path);
  if (route) path = path.slice(0, route.index);
  path = path.replace(/\/+$/, '').replace(/\/api$/i, '');
  const baseUrl = `${url.protocol}//${url.host}${path}`;
  const given = site.trim();
  if (fromAddress !== null && given !== '' && given !== fromAddress) {
    throw new ValidationError({
      service: 'tableau',
      userMessage: `The Tableau address names the site "${fromAddress}" but the site setting is "${given}". Enter the server (${baseUrl}) as the address and the site you mean in the site field.`,
      fields: { site: 'Differs from the site in the address' },
    });
  }
  const chosen = given !== '' ? given : (fromAddress ?? '');
  const browser = fromAddress !== null || url.hash !== '' || route !== null;
  const note = !browser
    ? undefined
    : fromAddress !== null
      ? `The address was a browser address: using the server ${baseUrl} and the site "${fromAddress}".`
      : `The address was a browser address: using the server ${baseUrl}.`;
  return { baseUrl, site: chosen, ...(note ? { note } : {}) };
}

/** Normalised base URL (see parseTableauAddress; the site part of a browser address is dropped). */
export function normaliseServerUrl(serverUrl: string): string {
  return parseTableauAddress(serverUrl).baseUrl;
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

/**
 * Why this server cannot open format-2 `.hyper` files, or null when it can. REST 3.16 and later
 * (2022.2+, and Cloud) always can. For REST 3.12–3.15 (2021.2–2022.1) the product version decides;
 * one that cannot be read there is refused too (the safe side: a file the server cannot open would
 * fail every publish).
 */
export function fileFormatRefusal(restApiVersion: string, productVersion: string): string | null {
  if (compareVersions(restApiVersion, '3.16') >= 0) return null;
  const m = /^(\d{4})\.(\d+)(?:\.(\d+))?/.exec(productVersion.trim());
  if (!m) {
    return `Tableau Server with REST API ${restApiVersion} (2021.2 to 2022.1) opens the connector's .hyper files (file format 2) only from releases ${FILE_FORMAT_2_FIRST_RELEASES.join(', ')}, and this server did not say which release it is ("${productVersion}").`;
  }
  const line = `${m[1]}.${m[2]}`;
  const first = FILE_FORMAT_2_FIRST_RELEASES.find((r) => r.startsWith(`${line}.`));
  const release = `${line}.${m[3] ?? '0'}`;
  if (first && compareVersions(release, first) >= 0) return null;
  if (!first && compareVersions(line, '2022.1') > 0) return null;
  return `Tableau Server ${productVersion} cannot open the connector's .hyper files (file format 2 needs ${first ?? FILE_FORMAT_2_FIRST_RELEASES.join(' / ')} or later).`;
}
