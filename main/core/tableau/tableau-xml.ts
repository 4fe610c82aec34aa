/**
 * Reading Tableau REST responses (XML `tsResponse` or JSON) into the client's types.
 *
 * Both formats are first turned into one plain tree: XML attributes become properties (no prefix),
 * child elements become properties, element text becomes `value`, namespaces are dropped. That is
 * the shape Tableau's JSON answers already have (`{"credentials":{"token":…,"site":{"id":…}}}`,
 * `{"serverInfo":{"productVersion":{"value":…,"build":…}}}`, tableau-rest.md §4, §5), so every
 * reader below works on either format. Readers are tolerant of a missing list wrapper or a single
 * element where a list is expected (XML cannot tell one from the other), and strict about the fields
 * the client needs: a response without them is a malformed answer, not an empty result.
 */
import { XMLParser } from 'fast-xml-parser';
import { NetworkError } from '../errors';

/** A parsed response body: the content of `<tsResponse>` or of the JSON object. */
export type TsTree = Readonly<Record<string, unknown>>;

/** A Tableau error body (tableau-rest.md §8): numeric code whose first three digits are the HTTP status. */
export interface TsError {
  code: string;
  summary: string;
  detail: string;
}

export interface Credentials {
  token: string;
  siteId: string;
  userId: string;
  /** As Tableau sends it (e.g. "361:52:24"); absent on older servers. */
  estimatedTimeToExpiration?: string;
}

export interface ServerInfo {
  productVersion: string;
  build?: string;
  restApiVersion: string;
}

export interface Pagination {
  pageNumber: number;
  pageSize: number;
  totalAvailable: number;
}

/** A published data source as the client reports it. */
export interface DatasourceInfo {
  id: string;
  name: string;
  projectId: string;
  projectName?: string;
  contentUrl?: string;
  type?: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface ProjectInfo {
  id: string;
  name: string;
  parentProjectId?: string;
  description?: string;
}

export interface FileUploadInfo {
  uploadSessionId: string;
  /** As Tableau reports it (MB uploaded so far, tableau-rest.md §3). */
  fileSize: number;
}

/** A Tableau background job (tableau-rest.md §6). */
export interface TableauJob {
  id: string;
  type: string;
  /** 0–100. */
  progress: number;
  /** null while running; 0 success, 1 failed, 2 cancelled, 3 completed (treated as success, TSC). */
  finishCode: number | null;
  /** The job sub-element's `notes` (failure text) followed by any status-note texts. */
  notes: string[];
  mode?: string;
  createdAt?: string;
  startedAt?: string;
  completedAt?: string;
  /** The data source the job works on, when the job names one. */
  datasourceId?: string;
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  textNodeName: 'value',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: true,
});

/**
 * Parses a response body. Returns null when the body is not a Tableau answer at all (empty, an
 * HTML page from a proxy or load balancer, tableau-rest.md §8), so the caller can classify it by
 * HTTP status instead.
 */
export function parseTsBody(body: Buffer | string): TsTree | null {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '').trim();
  if (!text) return null;
  if (text.startsWith('{')) {
    try {
      const json: unknown = JSON.parse(text);
      return isRecord(json) ? json : null;
    } catch {
      return null;
    }
  }
  if (!text.startsWith('<') || !/<(?:\w+:)?tsResponse[\s>/]/.test(text)) return null;
  try {
    const doc: unknown = xmlParser.parse(text);
    if (!isRecord(doc)) return null;
    const root = doc['tsResponse'];
    if (root === '') return {};
    return isRecord(root) ? root : null;
  } catch {
    return null;
  }
}

/** The parsed body of a 2xx answer that must have one (an empty or HTML 2xx is a garbled answer). */
export function requireTree(tree: TsTree | null): TsTree {
  if (tree === null) throw malformed('response body');
  return tree;
}

/** The error element of a response, if it has one. */
export function readError(tree: TsTree): TsError | null {
  // VizQL Data Service errors are `{"errorCode","message","datetime","tab-error-code"}` (its
  // OpenAPI schema `TableauError`), not a tsResponse error element.
  if (tree['error'] === undefined && (typeof tree['errorCode'] === 'string' || typeof tree['message'] === 'string')) {
    return { code: str(tree['errorCode']) ?? '', summary: str(tree['message']) ?? '', detail: str(tree['tab-error-code']) ?? '' };
  }
  const e = tree['error'];
  if (!isRecord(e)) return null;
  return { code: str(e['code']) ?? '', summary: text(e['summary']) ?? '', detail: text(e['detail']) ?? '' };
}

/** Sign-in answer: token, site LUID and user LUID (tableau-rest.md §4). */
export function readCredentials(tree: TsTree): Credentials {
  const c = record(tree, 'credentials');
  const site = record(c, 'site');
  const user = isRecord(c['user']) ? c['user'] : {};
  const expiry = str(c['estimatedTimeToExpiration']);
  return {
    token: required(c, 'token', 'credentials'),
    siteId: required(site, 'id', 'credentials.site'),
    userId: str(user['id']) ?? '',
    ...(expiry ? { estimatedTimeToExpiration: expiry } : {}),
  };
}

/** serverInfo answer (tableau-rest.md §5): product version and REST API version. */
export function readServerInfo(tree: TsTree): ServerInfo {
  const s = record(tree, 'serverInfo');
  const pv = s['productVersion'];
  const productVersion = isRecord(pv) ? text(pv) : str(pv);
  const build = isRecord(pv) ? str(pv['build']) : undefined;
  const api = s['restApiVersion'];
  const restApiVersion = isRecord(api) ? text(api) : str(api);
  if (!restApiVersion) throw malformed('serverInfo.restApiVersion');
  return { productVersion: productVersion ?? '', restApiVersion, ...(build ? { build } : {}) };
}

/** Paging block of a list answer; absent pagination means "this is everything". */
export function readPagination(tree: TsTree, itemsOnPage: number): Pagination {
  const p = tree['pagination'];
  if (!isRecord(p)) return { pageNumber: 1, pageSize: itemsOnPage, totalAvailable: itemsOnPage };
  return {
    pageNumber: int(p['pageNumber']) ?? 1,
    pageSize: int(p['pageSize']) ?? itemsOnPage,
    totalAvailable: int(p['totalAvailable']) ?? itemsOnPage,
  };
}

/** Query Data Sources answer (possibly empty: `<datasources />`). */
export function readDatasources(tree: TsTree): DatasourceInfo[] {
  const list = tree['datasources'];
  if (list === undefined) throw malformed('datasources');
  return asArray(isRecord(list) ? list['datasource'] : undefined).map(toDatasource);
}

/** A single data source (Get Data Source, synchronous publish). */
export function readDatasource(tree: TsTree): DatasourceInfo {
  return toDatasource(record(tree, 'datasource'));
}

/** Query Projects answer. */
export function readProjects(tree: TsTree): ProjectInfo[] {
  const list = tree['projects'];
  if (list === undefined) throw malformed('projects');
  return asArray(isRecord(list) ? list['project'] : undefined).map(toProject);
}

/** Query Data Source Connections answer (TSC fixture datasource_populate_connections.xml). */
export function readConnections(tree: TsTree): { id: string; type: string }[] {
  const list = tree['connections'];
  if (list === undefined) throw malformed('connections');
  return asArray(isRecord(list) ? list['connection'] : undefined).map((c) => {
    if (!isRecord(c)) throw malformed('connection');
    return { id: required(c, 'id', 'connection'), type: str(c['type']) ?? '' };
  });
}

/** Create Project answer. */
export function readProject(tree: TsTree): ProjectInfo {
  return toProject(record(tree, 'project'));
}

/** Initiate / append file upload answer (tableau-rest.md §3). */
export function readFileUpload(tree: TsTree): FileUploadInfo {
  const f = record(tree, 'fileUpload');
  return { uploadSessionId: required(f, 'uploadSessionId', 'fileUpload'), fileSize: num(f['fileSize']) ?? 0 };
}

/** True when the answer carries a job (asJob publish, PATCH, refresh, Query Job). */
export function hasJob(tree: TsTree): boolean {
  return isRecord(tree['job']);
}

/** A job element (tableau-rest.md §6): finishCode absent while running. */
export function readJob(tree: TsTree): TableauJob {
  const j = record(tree, 'job');
  const notes: string[] = [];
  let datasourceId: string | undefined;
  // The job's detail is in one sub-element named for its kind (updateUploadedFileJob,
  // extractRefreshJob, publishDatasourceJob…; XSD jobType): read whichever is present.
  for (const [key, value] of Object.entries(j)) {
    if (!/Job$/.test(key) || !isRecord(value)) continue;
    for (const n of asArray(value['notes'])) {
      const t = isRecord(n) ? text(n) : str(n);
      if (t) notes.push(t);
    }
    const ds = value['datasource'];
    if (isRecord(ds) && str(ds['id'])) datasourceId = str(ds['id']);
  }
  const statusNotes = j['statusNotes'];
  if (isRecord(statusNotes)) {
    for (const n of asArray(statusNotes['statusNote'])) {
      if (isRecord(n) && str(n['text'])) notes.push(str(n['text'])!);
    }
  }
  const optional = (k: string) => (str(j[k]) ? { [k]: str(j[k]) } : {});
  return {
    id: required(j, 'id', 'job'),
    type: str(j['type']) ?? '',
    progress: num(j['progress']) ?? 0,
    finishCode: int(j['finishCode']) ?? null,
    notes,
    ...optional('mode'),
    ...optional('createdAt'),
    ...optional('startedAt'),
    ...optional('completedAt'),
    ...(datasourceId ? { datasourceId } : {}),
  };
}

/** Escapes a value for an XML attribute in a request body (names may hold `&`, `<`, quotes). */
export function xmlAttr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

function toDatasource(d: unknown): DatasourceInfo {
  if (!isRecord(d)) throw malformed('datasource');
  const project = isRecord(d['project']) ? d['project'] : {};
  const opt = (k: string, v: string | undefined) => (v ? { [k]: v } : {});
  return {
    id: required(d, 'id', 'datasource'),
    name: str(d['name']) ?? '',
    projectId: str(project['id']) ?? '',
    ...opt('projectName', str(project['name'])),
    ...opt('contentUrl', str(d['contentUrl'])),
    ...opt('type', str(d['type'])),
    ...opt('createdAt', str(d['createdAt'])),
    ...opt('updatedAt', str(d['updatedAt'])),
  };
}

function toProject(p: unknown): ProjectInfo {
  if (!isRecord(p)) throw malformed('project');
  const parent = str(p['parentProjectId']);
  const description = str(p['description']);
  return {
    id: required(p, 'id', 'project'),
    name: str(p['name']) ?? '',
    ...(parent ? { parentProjectId: parent } : {}),
    ...(description ? { description } : {}),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Element text: a bare string, or `value` when the element also has attributes. */
function text(v: unknown): string | undefined {
  return isRecord(v) ? str(v['value']) : str(v);
}

function num(v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function int(v: unknown): number | undefined {
  const n = num(v);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

function record(tree: Readonly<Record<string, unknown>>, key: string): Record<string, unknown> {
  const v = tree[key];
  if (!isRecord(v)) throw malformed(key);
  return v;
}

function required(r: Record<string, unknown>, key: string, where: string): string {
  const v = str(r[key]);
  if (!v) throw malformed(`${where}.${key}`);
  return v;
}

/** A 2xx answer without the fields we need: treat like a truncated or garbled answer (retryable). */
function malformed(what: string): NetworkError {
  return new NetworkError({
    service: 'tableau',
    code: 'MALFORMED_RESPONSE',
    userMessage: `Tableau sent an answer the connector could not read (missing ${what}). It may have been cut off by a proxy; the request will be retried.`,
  });
}
