/**
 * A small in-process fake of the Intacct XML gateway for unit tests: a FetchLike that parses the
 * request, answers getAPISession / query / lookup / readUserFormatting in the documented response
 * shapes (intacct-xml.md §2.1, §3.1, §4.3, §4.4), over a tiny in-memory data set, and lets a test
 * script faults per request. GLDETAIL's RECORDNO compares as text, as Intacct's TEXT field does. The full emulator (main/emulators/intacct) is for integration tests.
 */
import { XMLParser } from 'fast-xml-parser';
import type { ManualClock } from '../../../../main/core/clock';
import type { FetchLike } from '../../../../main/core/http/transport';
import { escapeXml } from '../../../../main/core/intacct/request-envelope';

export type FakeRecord = Record<string, string>;

export interface FakeRequest {
  n: number;
  url: string;
  xml: string;
  fn: string;
  object?: string;
  sessionId?: string;
  login?: { userid: string; companyid: string; password: string; locationid?: string };
  senderId: string;
  senderPassword: string;
  /** Parsed <query> element, when the function is a query. */
  query?: Record<string, unknown>;
  functionControlId: string;
  /** Records the fake put in its answer to this query (set once answered). */
  answeredRows?: number;
}

export type FakeReply = { status?: number; body: string; headers?: Record<string, string> } | { reset: true };

export interface FakeGatewayOptions {
  clock: ManualClock;
  sessionTtlMs?: number;
  data?: Record<string, FakeRecord[]>;
  sessionEndpoint?: string;
  credentials?: { senderId: string; senderPassword: string; userId: string; companyId: string; userPassword: string };
  /** Return a reply to override the normal answer (faults). */
  script?: (req: FakeRequest) => FakeReply | undefined | Promise<FakeReply | undefined>;
  /** Await before answering (to hold requests in flight). */
  delay?: (req: FakeRequest) => Promise<void> | void;
  lookup?: string;
  /**
   * The `<data>` of a successful readUserFormatting answer. Default: the API user the connector
   * accepts, MM/DD/YYYY (`/mdY`) and a 24-hour clock in GMT, in the shape the emulator renders.
   */
  userFormatting?: string;
  /** Answer readUserFormatting with a permission error, as Intacct does for a user without access. */
  refuseUserFormatting?: boolean;
  /**
   * Fields compared as TEXT in filters and orderby, per object. Default: GLDETAIL's RECORDNO, which is
   * TEXT in the recorded catalog (`200000-1000000-30001--accrual`, docs/reference/intacct-objects.md);
   * other values that look numeric compare as numbers.
   */
  textFields?: Record<string, readonly string[]>;
}

/** readUserFormatting's answer for an API user set to MM/DD/YYYY, 24-hour clock, GMT. */
export const USER_FORMATTING_OK =
  '<data><userformatting><recordno>1</recordno><locale>en_US</locale><dateformat>/mdY</dateformat><gmtoffset>+00:00</gmtoffset><clock>24</clock></userformatting></data>';

export const CREDS = { senderId: 'sender-1', senderPassword: 's3nder&<pw>', userId: 'api_user', companyId: 'ACME', userPassword: 'us3r"pw\'' };

const reqParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (name, jPath) => ['field', 'order', 'value'].includes(name) || (jPath as string).endsWith('content.function'),
});

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', '+00:00');

export function control(status = 'success'): string {
  return `<control><status>${status}</status><senderid>sender-1</senderid><controlid>c</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>`;
}

export function authOk(now: number, ttlMs: number): string {
  return `<authentication><status>success</status><userid>api_user</userid><companyid>ACME</companyid><locationid></locationid><sessiontimestamp>${iso(now)}</sessiontimestamp><sessiontimeout>${iso(now + ttlMs)}</sessiontimeout></authentication>`;
}

export function errorBlock(errors: { errorno: string; description2: string; correction?: string; description?: string }[]): string {
  return `<errormessage>${errors
    .map(
      (e) =>
        `<error><errorno>${escapeXml(e.errorno)}</errorno><description>${escapeXml(e.description ?? '')}</description><description2>${escapeXml(e.description2)}</description2><correction>${escapeXml(e.correction ?? '')}</correction></error>`,
    )
    .join('')}</errormessage>`;
}

export function okResponse(auth: string, result: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><response>${control()}<operation>${auth}${result}</operation></response>`;
}

export function resultFailure(fn: string, controlId: string, errors: { errorno: string; description2: string; correction?: string }[]): string {
  return `<result><status>failure</status><function>${fn}</function><controlid>${escapeXml(controlId)}</controlid>${errorBlock(errors)}</result>`;
}

export function controlFailure(errors: { errorno: string; description2: string }[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status></control>${errorBlock(errors)}</response>`;
}

export function authFailure(errors: { errorno: string; description2: string }[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><response>${control()}<operation><authentication><status>failure</status><userid>api_user</userid><companyid>ACME</companyid></authentication>${errorBlock(errors)}</operation></response>`;
}

/** Sortable comparison key for Intacct values: datetimes, numbers, else text (always text for TEXT fields). */
function sortKey(v: string | undefined, asText: boolean): string | number {
  if (v === undefined || v === '') return '';
  if (asText) return v;
  const dt = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(v);
  if (dt) return `${dt[3]}${dt[1]}${dt[2]}${dt[4] ?? '00'}${dt[5] ?? '00'}${dt[6] ?? '00'}`;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return v;
}
function cmp(a: string | undefined, b: string, asText = false): number {
  const x = sortKey(a, asText),
    y = sortKey(b, asText);
  return x < y ? -1 : x > y ? 1 : 0;
}

type Node = Record<string, unknown>;
const first = (v: unknown): string => (Array.isArray(v) ? String(v[0] ?? '') : String(v ?? ''));

/**
 * Evaluates a parsed <filter> child against a record (the operators the client uses); fields in
 * `textFields` compare as text.
 */
export function matches(rec: FakeRecord, node: Node, textFields: readonly string[] = []): boolean {
  for (const [op, raw] of Object.entries(node)) {
    const list = Array.isArray(raw) ? raw : [raw];
    for (const n of list as Node[]) {
      const field = first(n['field']);
      const values = (n['value'] as string[] | undefined) ?? [];
      const v = rec[field];
      const t = textFields.includes(field);
      const ok = (() => {
        switch (op) {
          case 'and':
            return Object.entries(n).every(([k, x]) => matches(rec, { [k]: x }, textFields));
          case 'or':
            return Object.entries(n).some(([k, x]) => (Array.isArray(x) ? x : [x]).some((y) => matches(rec, { [k]: y }, textFields)));
          case 'equalto':
            return v !== undefined && v !== '' && cmp(v, values[0]!, t) === 0;
          case 'notequalto':
            return cmp(v, values[0]!, t) !== 0;
          case 'greaterthan':
            return v !== undefined && v !== '' && cmp(v, values[0]!, t) > 0;
          case 'greaterthanorequalto':
            return v !== undefined && v !== '' && cmp(v, values[0]!, t) >= 0;
          case 'lessthan':
            return v !== undefined && v !== '' && cmp(v, values[0]!, t) < 0;
          case 'lessthanorequalto':
            return v !== undefined && v !== '' && cmp(v, values[0]!, t) <= 0;
          case 'between':
            return v !== undefined && v !== '' && cmp(v, values[0]!, t) >= 0 && cmp(v, values[1]!, t) <= 0;
          case 'in':
            return values.some((x) => cmp(v, x, t) === 0);
          case 'notin':
            return !values.some((x) => cmp(v, x, t) === 0);
          case 'isnull':
            return v === undefined || v === '';
          case 'isnotnull':
            return v !== undefined && v !== '';
          default:
            throw new Error(`fake gateway: unsupported filter ${op}`);
        }
      })();
      if (!ok) return false;
    }
  }
  return true;
}

export function createFakeGateway(opts: FakeGatewayOptions) {
  const ttl = opts.sessionTtlMs ?? 2 * 3600_000;
  const creds = opts.credentials ?? CREDS;
  const endpoint = opts.sessionEndpoint ?? 'https://na12.intacct.com/ia/xml/xmlgw.phtml';
  const sessions = new Map<string, { expiresAt: number }>();
  const requests: FakeRequest[] = [];
  let sessionSeq = 0;
  let n = 0;
  const data = opts.data ?? {};
  const textFields = opts.textFields ?? { GLDETAIL: ['RECORDNO'] };

  function answerQuery(q: Node, fnControlId: string, req: FakeRequest): string {
    const object = first(q['object']);
    const rows = data[object];
    if (!rows) return resultFailure('query', fnControlId, [{ errorno: 'Query Failed', description2: `Object definition ${object} not found` }]);
    const select = q['select'] as Node;
    const fields = (select['field'] as string[] | undefined) ?? [];
    const filter = q['filter'] as Node | undefined;
    const asText = textFields[object] ?? [];
    let list = filter ? rows.filter((r) => matches(r, filter, asText)) : [...rows];
    const orders = (((q['orderby'] as Node | undefined)?.['order'] as Node[] | undefined) ?? []).map((o) => ({
      field: first(o['field']),
      desc: 'descending' in o,
    }));
    if (orders.length === 0 && list.length > 1) {
      // Without <orderby> Intacct returns rows in no stable order (docs/reference/intacct-exchanges.md):
      // each request here starts the list at a different row.
      const k = req.n % list.length;
      list = [...list.slice(k), ...list.slice(0, k)];
    }
    list.sort((a, b) => {
      for (const o of orders) {
        const c = cmp(a[o.field], b[o.field] ?? '', asText.includes(o.field));
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
    const total = list.length;
    const offset = Number(first(q['offset']) || 0);
    const size = Number(first(q['pagesize']) || 100);
    list = list.slice(offset, offset + size);
    req.answeredRows = list.length;
    const body = list
      .map(
        (r) =>
          `<${object}>${fields.map((fl) => (r[fl] === undefined || r[fl] === '' ? `<${fl}/>` : `<${fl}>${escapeXml(r[fl]!)}</${fl}>`)).join('')}</${object}>`,
      )
      .join('');
    return `<result><status>success</status><function>query</function><controlid>${escapeXml(fnControlId)}</controlid><data listtype="${object}" totalcount="${total}" offset="${offset}" count="${list.length}" numremaining="${Math.max(0, total - offset - list.length)}">${body}</data></result>`;
  }

  const fetch: FetchLike = async (url, init) => {
    const xml = String(init?.body ?? '');
    const doc = reqParser.parse(xml) as Node;
    const request = doc['request'] as Node;
    const ctl = request['control'] as Node;
    const op = request['operation'] as Node;
    const auth = op['authentication'] as Node;
    const fnNode = ((op['content'] as Node)['function'] as Node[])[0]!;
    const fnName = Object.keys(fnNode).find((k) => !k.startsWith('@_'))!;
    const fnBody = fnNode[fnName] as Node | string;
    const req: FakeRequest = {
      n: ++n,
      url,
      xml,
      fn: fnName,
      object: typeof fnBody === 'object' && fnBody ? first(fnBody['object']) || undefined : undefined,
      sessionId: typeof auth['sessionid'] === 'string' ? auth['sessionid'] : undefined,
      login: auth['login'] as FakeRequest['login'],
      senderId: String(ctl['senderid']),
      senderPassword: String(ctl['password']),
      query: fnName === 'query' ? (fnBody as Node) : undefined,
      functionControlId: String(fnNode['@_controlid']),
    };
    requests.push(req);
    if (opts.delay) {
      const wait = opts.delay(req);
      if (wait) {
        // Like a real fetch, give up when the request's signal aborts (timeouts, cancellation).
        const signal = init?.signal;
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(signal?.reason ?? new DOMException('aborted', 'AbortError'));
          if (signal?.aborted) return onAbort();
          signal?.addEventListener('abort', onAbort, { once: true });
          void Promise.resolve(wait).then(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          });
        });
      }
    }
    if (init?.signal?.aborted) throw init.signal.reason;
    const scripted = opts.script ? await opts.script(req) : undefined;
    if (scripted) {
      if ('reset' in scripted) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
      return new Response(scripted.body, { status: scripted.status ?? 200, headers: scripted.headers });
    }
    const now = opts.clock.now();
    const reply = (body: string) => new Response(body, { status: 200, headers: { 'content-type': 'text/xml' } });
    if (req.senderId !== creds.senderId || req.senderPassword !== creds.senderPassword) {
      return reply(controlFailure([{ errorno: 'XL03000006', description2: 'Incorrect Intacct XML Partner ID or password.' }]));
    }
    let sessionId: string;
    if (req.login) {
      if (req.login.userid !== creds.userId || req.login.companyid !== creds.companyId || String(req.login.password) !== creds.userPassword) {
        return reply(authFailure([{ errorno: 'XL03000006', description2: 'Sign-in information is incorrect' }]));
      }
      sessionId = `sess-${++sessionSeq}`;
      sessions.set(sessionId, { expiresAt: now + ttl });
    } else {
      sessionId = req.sessionId ?? '';
      const s = sessions.get(sessionId);
      if (!s || s.expiresAt <= now) {
        return reply(authFailure([{ errorno: 'XL03000006', description2: 'Invalid session' }]));
      }
      s.expiresAt = now + ttl; // sliding (§3.2)
    }
    const a = authOk(now, ttl);
    const cid = req.functionControlId;
    switch (req.fn) {
      case 'getAPISession':
        return reply(
          okResponse(
            a,
            `<result><status>success</status><function>getAPISession</function><controlid>${escapeXml(cid)}</controlid><data><api><sessionid>${sessionId}</sessionid><endpoint>${endpoint}</endpoint><locationid>${req.login?.locationid ?? ''}</locationid></api></data></result>`,
          ),
        );
      case 'query':
        return reply(okResponse(a, answerQuery(req.query!, cid, req)));
      case 'lookup':
        return reply(
          okResponse(
            a,
            `<result><status>success</status><function>lookup</function><controlid>${escapeXml(cid)}</controlid>${opts.lookup ?? '<data/>'}</result>`,
          ),
        );
      case 'readUserFormatting':
        if (opts.refuseUserFormatting) {
          return reply(
            okResponse(
              a,
              resultFailure('readUserFormatting', cid, [
                { errorno: 'PL04000005', description2: 'You do not have permission for API operation readUserFormatting' },
              ]),
            ),
          );
        }
        return reply(
          okResponse(
            a,
            `<result><status>success</status><function>readUserFormatting</function><controlid>${escapeXml(cid)}</controlid>${opts.userFormatting ?? USER_FORMATTING_OK}</result>`,
          ),
        );
      default:
        return reply(okResponse(a, resultFailure(req.fn, cid, [{ errorno: 'XXX', description2: 'unsupported' }])));
    }
  };

  return {
    fetch,
    requests,
    sessions,
    expireAll: () => sessions.clear(),
    /** Requests other than sign-ins. */
    calls: () => requests.filter((r) => r.fn !== 'getAPISession'),
  };
}
