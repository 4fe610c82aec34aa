/**
 * Version discovery: which REST API version to speak to a Tableau server, and which servers are
 * refused before anything is sent (too old for the PATCH API, or for file format 2).
 */
import { ApiError } from '../errors';
import type { ServerInfoResult } from './tableau-client-types';
import { isNotFound } from './tableau-errors';
import type { TableauHttp } from './tableau-http';
import { FALLBACK_PROBE_VERSION, MAX_API_VERSION, MIN_API_VERSION, compareVersions, fileFormatRefusal, pickApiVersion } from './tableau-version';
import { readServerInfo, requireTree, type ServerInfo } from './tableau-xml';

/**
 * The server's product and REST API versions, and the version this client will use; refuses a
 * server too old for incremental updates or for the Hyper file format the payload writer makes.
 */
export async function discoverServerVersion(http: TableauHttp): Promise<ServerInfoResult> {
  // Spelled `serverInfo` as TSC sends it to real servers; whether the path is case-insensitive
  // is UNCONFIRMED (tableau-rest.md §5), so the known-good spelling is the safe choice.
  const probe = (version: string) =>
    http.request({ operation: 'read the server version', method: 'GET', path: 'serverInfo', version, auth: 'none', resend: 'always' }, (res) =>
      readServerInfo(requireTree(res.tree)),
    );
  let si: ServerInfo;
  try {
    si = await probe(MAX_API_VERSION);
  } catch (err) {
    // A server older than MAX_API_VERSION answers 404003 "Unknown resource" for that version's
    // URL (server_info_404.xml); ask again in a version every server since 2.4 knows (TSC).
    if (!isTableauNotFound(err)) throw err;
    try {
      si = await probe(FALLBACK_PROBE_VERSION);
    } catch (err2) {
      if (isTableauNotFound(err2)) throw tooOld('an unknown version older than 2.4');
      throw err2;
    }
  }
  if (compareVersions(si.restApiVersion, MIN_API_VERSION) < 0) throw tooOld(`${si.productVersion} (REST API ${si.restApiVersion})`);
  const format = fileFormatRefusal(si.restApiVersion, si.productVersion);
  if (format) {
    throw new ApiError({
      service: 'tableau',
      kind: 'config',
      code: 'HYPER_FORMAT_UNSUPPORTED',
      userMessage: `${format} Upgrade Tableau Server to one of those releases (or later), or use Tableau Cloud.`,
    });
  }
  return { productVersion: si.productVersion, restApiVersion: si.restApiVersion, apiVersion: pickApiVersion(si.restApiVersion) };
}

/** A Tableau "Resource Not Found" answer (404xxx), not a proxy's 404 page. */
export function isTableauNotFound(err: unknown): boolean {
  return isNotFound(err) && /^404\d{3}$/.test((err as { code?: string }).code ?? '');
}

function tooOld(what: string): ApiError {
  return new ApiError({
    service: 'tableau',
    kind: 'config',
    code: 'SERVER_TOO_OLD',
    userMessage: `This Tableau Server is too old: ${what}. Incremental updates of published data sources need REST API ${MIN_API_VERSION} (Tableau 2021.2) or later. Upgrade Tableau Server, or use Tableau Cloud.`,
  });
}
