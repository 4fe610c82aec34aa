/**
 * Parses an XML gateway answer into a stable shape, or throws the typed error it stands for.
 *
 * HTTP 200 is not success (intacct-xml.md §2.2–§2.3): the checks run in order HTTP status → kind
 * of body (XML, HTML error page, empty) → control status → authentication status; each function's
 * status is checked by {@link resultOrThrow}. fast-xml-parser is configured so that single and
 * repeated elements have the same shape (results, errors and data records are always arrays — the
 * xml2js trap of §7.1) and so that every value stays a string (`parseTagValue: false`): RECORDNOs
 * and amounts must never go through a float.
 */
import { splitFlatData, type FlatSplit, type FlatTable, type RecordBuilder } from './flat-records';
import { XMLParser } from 'fast-xml-parser';
import { ApiError } from '../errors';
import { checkAnswer, malformed } from './answer-checks';
import { classifyIntacctError, type IntacctErrorDetail } from './intacct-errors';

type XmlObject = Record<string, unknown>;

/** Attribute keys carry this prefix so they can never collide with child elements. */
const ATTR = '@_';

let sharedParser: XMLParser | null = null;

/** The slice of fast-xml-parser's MatcherView the isArray callback uses (jPath: false). */
interface PathView {
  getDepth(): number;
  toArray(): string[];
}

/**
 * Elements that are always arrays: `result`, every `errormessage/error`, each record under
 * `data`, and lookup's `Field`/`Relationship`. Decided on the path depth first, so the callback
 * costs next to nothing for the ~25 field elements of every record.
 */
function alwaysArray(_name: string, path: unknown, _isLeaf: boolean, isAttribute: boolean): boolean {
  if (isAttribute) return false;
  const view = path as PathView;
  const depth = view.getDepth();
  if (depth < 3 || depth > 7 || depth === 6) return false;
  const p = view.toArray();
  const last = p[depth - 1];
  if (last === 'error') return p[depth - 2] === 'errormessage';
  if (depth === 3) return last === 'result' && p[1] === 'operation';
  if (depth === 5) return p[3] === 'data' && p[2] === 'result';
  if (depth === 7) return p[3] === 'data' && (last === 'Field' || last === 'Relationship');
  return false;
}

/**
 * A fast-xml-parser configured as the client parses gateway answers. Exported so the benchmark
 * (scripts/bench-intacct.ts) times exactly this parser; the client itself shares one instance.
 */
export function createIntacctXmlParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: ATTR,
    parseTagValue: false,
    parseAttributeValue: false,
    // Values are kept exactly as sent (a description's leading space is data); the whitespace
    // between elements of pretty-printed answers lands in '#text' keys, which are ignored.
    trimValues: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: true,
    // Path strings are built for every element when jPath is on; the matcher view is far cheaper.
    jPath: false,
    isArray: alwaysArray,
  });
}

/** One parser for the process (built lazily: no work at import time). */
function parser(): XMLParser {
  sharedParser ??= createIntacctXmlParser();
  return sharedParser;
}

/** The `<data>` element of a result. */
export interface DataBlock {
  listType?: string;
  count: number | null;
  totalCount: number | null;
  numRemaining: number | null;
  offset: number | null;
  resultId?: string;
  /** The record elements in document order; values are strings ('' for empty elements). */
  records: XmlObject[];
  /**
   * The same records by position when the flat-record scanner read them and they share one layout
   * (flat-records.ts); `records` is then built from it only if asked for. Null otherwise.
   */
  table: FlatTable | null;
}

export interface IntacctResult {
  status: string;
  functionName: string;
  controlId: string;
  data: DataBlock | null;
  errors: IntacctErrorDetail[];
  /** The whole result element (legacy functions put data elsewhere, e.g. `<key>`). */
  raw: XmlObject;
}

export interface AuthenticationBlock {
  status: string;
  userId?: string;
  companyId?: string;
  locationId?: string;
  /** ISO 8601 with offset (§3.2). */
  sessionTimestamp?: string;
  sessionTimeout?: string;
}

export interface ParsedResponse {
  control: { status: string; senderId?: string; controlId?: string };
  /** Null for control-only answers (offline acknowledgements). */
  authentication: AuthenticationBlock | null;
  results: IntacctResult[];
}

/** The HTTP exchange as the transport returns it. */
export interface HttpAnswer {
  status: number;
  headers?: Headers | { get(name: string): string | null };
  body: Buffer | string;
}

export interface ParseOptions {
  /** For Retry-After headers. */
  now?: number;
  /**
   * Turns each record of a flat page into the caller's value as it is read (the reader's typed
   * rows); they land in `data.table.built`. Without it the table keeps the values by position.
   */
  build?: RecordBuilder;
}

/**
 * Parses one answer. Throws NetworkError (retryable) for empty, truncated or malformed bodies,
 * 5xx and Cloudflare pages; RateLimitError for 429; the classified Intacct error for control- and
 * authentication-level failures (and XML 4xx answers, which are parsed like any other).
 */
export function parseResponse(answer: HttpAnswer, opts: ParseOptions = {}): ParsedResponse {
  const status = answer.status;
  let text = typeof answer.body === 'string' ? answer.body : answer.body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const trimmed = text.trim();
  checkAnswer(status, text, trimmed, answer.headers, opts.now);
  if (!trimmed.endsWith('</response>')) throw malformed(status, 'the answer was cut off', 'TRUNCATED');

  // The records of a page are read by the flat-record scanner when they have Intacct's flat shape
  // (flat-records.ts); the envelope, and any answer of another shape, by fast-xml-parser.
  const split = splitFlatData(trimmed, opts.build);
  let doc: XmlObject;
  try {
    doc = parser().parse(split ? split.envelope : trimmed) as XmlObject;
  } catch {
    throw malformed(status, 'the XML could not be read');
  }
  const response = obj(doc['response']);
  if (!response) throw malformed(status, 'no <response> element');
  const control = obj(response['control']);
  const controlStatus = str(control?.['status']);
  if (!control || !controlStatus) throw malformed(status, 'no control status');

  if (controlStatus !== 'success') {
    const errors = readErrors(response['errormessage'] ?? control['errormessage']);
    const gateway = status !== 200 || errors.some((e) => /^(GW-|XMLGW_)|^invalidRequest$/i.test(e.errorno));
    throw classifyIntacctError({ level: gateway ? 'gateway' : 'control', errors, httpStatus: status });
  }

  const parsed: ParsedResponse = {
    control: { status: controlStatus, senderId: optStr(control['senderid']), controlId: optStr(control['controlid']) },
    authentication: null,
    results: [],
  };
  const operation = response['operation'];
  if (operation !== undefined) {
    const op = obj(operation);
    const auth = obj(op?.['authentication']);
    const authStatus = str(auth?.['status']);
    if (!op || !auth || !authStatus) throw malformed(status, 'no authentication status');
    parsed.authentication = {
      status: authStatus,
      userId: optStr(auth['userid']),
      companyId: optStr(auth['companyid']),
      locationId: optStr(auth['locationid']),
      sessionTimestamp: optStr(auth['sessiontimestamp']),
      sessionTimeout: optStr(auth['sessiontimeout']),
    };
    if (authStatus !== 'success') {
      throw classifyIntacctError({ level: 'authentication', errors: readErrors(op['errormessage'] ?? auth['errormessage']), httpStatus: status });
    }
    const results = op['result'];
    if (Array.isArray(results)) {
      for (const r of results) parsed.results.push(readResult(r, status, split ?? undefined));
    }
  }
  if (status >= 400) {
    // A 4xx whose XML body reports no error: still a failure.
    throw new ApiError({ service: 'intacct', code: `HTTP_${status}`, status, userMessage: `Intacct rejected the request (HTTP ${status}).` });
  }
  return parsed;
}

/**
 * The result of the function with `controlId` (or the only/first result). Throws a malformed-answer
 * NetworkError when it is missing, and the classified error when its status is not success.
 */
export function resultOrThrow(parsed: ParsedResponse, controlId?: string): IntacctResult {
  const byId = controlId ? parsed.results.find((r) => r.controlId === controlId) : undefined;
  // Results normally echo the controlid; tolerate one that doesn't when only one function was sent.
  const result = byId ?? (parsed.results.length === 1 || !controlId ? parsed.results[0] : undefined);
  if (!result) throw malformed(200, 'no <result> for the function sent', 'MISSING_RESULT');
  if (result.status !== 'success') {
    throw classifyIntacctError({
      level: 'result',
      errors: result.errors,
      functionName: result.functionName || undefined,
      resultStatus: result.status,
    });
  }
  return result;
}

function readResult(value: unknown, httpStatus: number, scanned?: FlatSplit): IntacctResult {
  const r = obj(value);
  const status = str(r?.['status']);
  if (!r || !status) throw malformed(httpStatus, 'a <result> has no status');
  const data = r['data'];
  return {
    status,
    functionName: str(r['function']),
    controlId: str(r['controlid']),
    data: data === undefined ? null : readData(data, httpStatus, scanned),
    errors: readErrors(r['errormessage']),
    raw: r,
  };
}

function readData(value: unknown, httpStatus: number, scanned?: FlatSplit): DataBlock {
  const d = obj(value) ?? {};
  const records: XmlObject[] = [];
  if (!scanned)
    for (const key of Object.keys(d)) {
      if (key.startsWith(ATTR) || key === '#text') continue;
      const v = d[key];
      if (Array.isArray(v)) {
        for (const item of v) records.push(withoutText(obj(item) ?? {}));
      }
    }
  const block: DataBlock = {
    listType: optStr(d[`${ATTR}listtype`]),
    count: num(d[`${ATTR}count`]),
    totalCount: num(d[`${ATTR}totalcount`]),
    numRemaining: num(d[`${ATTR}numremaining`]),
    offset: num(d[`${ATTR}offset`]),
    resultId: optStr(d[`${ATTR}resultId`]),
    records,
    table: scanned?.table ?? null,
  };
  // The scanned records become objects only when a caller reads them (the reader uses the table).
  if (scanned) Object.defineProperty(block, 'records', { get: () => scanned.records, enumerable: true });
  const read = scanned ? scanned.count : records.length;
  // A cheap integrity check that catches bodies corrupted in the middle (the parser is lenient
  // about mismatched tags, and running the full validator would double the parse cost).
  if (block.count !== null && block.count !== read) {
    throw malformed(httpStatus, `count says ${block.count} records but ${read} were read`);
  }
  return block;
}

/** Drops the formatting whitespace of pretty-printed answers (only those carry a '#text' key). */
function withoutText(record: XmlObject): XmlObject {
  if (!('#text' in record)) return record;
  const { ['#text']: _text, ...rest } = record;
  return rest;
}

function readErrors(value: unknown): IntacctErrorDetail[] {
  const block = obj(value);
  if (!block) return [];
  const list = block['error'];
  const items = Array.isArray(list) ? list : list === undefined ? [] : [list];
  return items.map((e) => {
    const o = obj(e) ?? {};
    return {
      errorno: str(o['errorno']),
      description: str(o['description']),
      description2: str(o['description2']),
      correction: str(o['correction']),
    };
  });
}

function obj(v: unknown): XmlObject | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as XmlObject) : null;
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const o = obj(v);
  if (o && typeof o['#text'] === 'string') return o['#text'];
  return '';
}

function optStr(v: unknown): string | undefined {
  return v === undefined ? undefined : str(v);
}

function num(v: unknown): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(str(v));
  return Number.isFinite(n) ? n : null;
}

/** Reads a (possibly nested, for dotted related fields) value from a record as a string or null. */
export function recordValue(record: XmlObject, field: string): string | null {
  let v: unknown = record[field];
  if (v === undefined && field.includes('.')) {
    // UNCONFIRMED whether related fields (`JOURNAL.SYMBOL`) come back flat or nested: accept both.
    v = record;
    for (const part of field.split('.')) v = obj(v)?.[part];
  }
  if (v === undefined || v === null) return null;
  const s = str(v);
  return s === '' ? null : s;
}
