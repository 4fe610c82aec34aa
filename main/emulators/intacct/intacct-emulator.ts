/**
 * A loopback Sage Intacct XML gateway (docs/architecture.md, issue 2).
 *
 * It speaks the gateway as intacct-xml.md documents it, not as our client happens to expect:
 * POST only; three failure levels (control, authentication, result, §2.2) with the real error
 * texts (§2.4); `getAPISession` alone in its request, returning a session and an endpoint on a
 * different path (§3.1); sliding session expiry reported in every authentication block (§3.2);
 * entity sessions, and private entities hidden at the top level without `showprivate` (§3.3,
 * entity-visibility.ts); `query` with Intacct's paging attributes (§4.3); `readByQuery`/`readMore`
 * (§4.1–4.2); `lookup`; `readUserFormatting` (§4.4); AUDITHISTORY for deletions (§5); and a
 * per-company concurrency limit (§6).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { systemClock, type Clock } from '../../core/clock';
import { formatIsoWithOffset, parseGmtOffset } from './intacct-dates';
import {
  controlFailureXml,
  element,
  errorMessageXml,
  resultParts,
  resultXml,
  responseHeadXml,
  RESPONSE_TAIL,
  type BodyPart,
  type ControlEcho,
  type IntacctErrorEntry,
} from './intacct-xml-writer';
import { FaultPlan, TRANSIENT_ERRORS, type FaultConfig, type FaultKind } from './fault-injection';
import { parseQuery, parseReadByQuery, runLookup, runQuery, runReadUserFormatting, type ParsedQuery, type QueryContext } from './query-engine';
import { COMPARE_OPS, QueryProblem } from './query-filter';
import { SampleCompany } from './sample-company';
import { RepeatedAnswers } from './repeated-answers';
import { ENTITIES } from './sample-reference-data';

export type { FaultConfig, FaultKind } from './fault-injection';

/** The login gateway path (intacct-xml.md §1.1). */
export const LOGIN_PATH = '/ia/xml/xmlgw.phtml';
/** Where sessions are sent: a different URL than the login gateway, as `getAPISession` may name (§3.1). */
export const SESSION_PATH = '/p1/ia/xml/xmlgw.phtml';

/** Options of {@link startIntacctEmulator}; every one has a default. */
export interface IntacctEmulatorOptions {
  /** 0 (default) = any free port. Always bound to 127.0.0.1. */
  port?: number;
  /** ACCRUAL GL detail rows (default 5000). */
  glRows?: number;
  seed?: number;
  clock?: Clock;
  /** Delay before each answer (real time, like the network). */
  latencyMs?: number;
  /** Sliding session lifetime (default 2 h). */
  sessionTtlMs?: number;
  faults?: FaultConfig;
  /** Whether the API user may read AUDITHISTORY (default true). */
  auditHistoryPermitted?: boolean;
  /** Whether the sender id is authorised in the company (default true). */
  senderAuthorized?: boolean;
  /** The API user's GMT offset (`readUserFormatting` gmtoffset; default `+00:00`). */
  userGmtOffset?: string;
  /** The API user's date format and clock (`readUserFormatting`; default `/mdY`, 24). */
  userDateFormat?: string;
  userClock?: 12 | 24;
  /**
   * A GLDETAIL page of more cells (rows × fields) than this times out at Intacct's front door:
   * HTTP 524 from Cloudflare with an HTML body (intacct-xml.md §2.3, §6). Default 250,000.
   */
  gl524Cells?: number;
  /** Requests the company runs at once before "too many operations" (default 2, §6). */
  maxInFlight?: number;
  vendors?: number;
  bills?: number;
  /**
   * Keep GL detail answers and answer the same query again from them (repeated-answers.ts): for
   * the bench, so a repeated read does not spend the client's cores on making pages. Default off.
   */
  repeatAnswers?: boolean;
}

/** What one request did (for tests and the bench). */
export interface EmulatorRequestLog {
  /** Emulator clock time. */
  at: number;
  path: string;
  /** First function's verb (`query`, `getAPISession`, …) or '' when none ran. */
  fn: string;
  object?: string;
  /** HTTP status sent (0 when the connection was dropped or held). */
  status: number;
  auth?: 'login' | 'session';
  /** The level and errorno of a failure answered in a 200 body. */
  error?: string;
  fault?: FaultKind | 'overLimit';
  offset?: number;
  rows?: number;
}

/** The credentials the emulator accepts. */
export interface EmulatorCredentials {
  senderId: string;
  senderPassword: string;
  companyId: string;
  userId: string;
  userPassword: string;
}

/** A running emulator: its URLs, credentials, data and knobs. */
export interface IntacctEmulator {
  /** The login gateway URL, e.g. http://127.0.0.1:PORT/ia/xml/xmlgw.phtml. */
  readonly url: string;
  /** The endpoint `getAPISession` returns (differs from `url`). */
  readonly sessionEndpoint: string;
  readonly credentials: EmulatorCredentials;
  readonly company: SampleCompany;
  readonly requests: EmulatorRequestLog[];
  setFaults(f: FaultConfig): void;
  setLatency(ms: number): void;
  setSenderAuthorized(ok: boolean): void;
  setAuditHistoryPermitted(ok: boolean): void;
  setUserGmtOffset(offset: string): void;
  setUserFormatting(f: { dateFormat?: string; clock?: 12 | 24 }): void;
  /** Makes readUserFormatting fail (a permission error), to test that the client does not guess. */
  setUserFormattingRefused(refused: boolean): void;
  setGl524Cells(cells: number): void;
  /**
   * AUDITHISTORY queries whose rows include one of these entries (by ID) fail every time with
   * "There was an error processing the request." (intacct-xml.md §2.4; hotglue skips such pages).
   */
  poisonAuditEntries(ids: readonly number[]): void;
  /** Invalidates every open session (the next session call answers "Invalid session"). */
  expireSessions(): void;
  /** Open (unexpired) sessions. */
  readonly sessionCount: number;
  /** GL detail answers reused and made, with `repeatAnswers` (zeros without). */
  readonly repeated: { hits: number; misses: number };
  /** With `repeatAnswers`: off, answers are neither kept nor reused (repeated-answers.ts); on by default. */
  setRepeatAnswers(on: boolean): void;
  close(): Promise<void>;
}

/** A readByQuery result set that readMore continues (re-run at the next offset, not a snapshot). */
interface ResultSet {
  id: string;
  q: ParsedQuery;
  /** The entity of the session that opened it: readMore pages see what the first page saw (§3.3). */
  locationId: string;
  /**
   * The row order of the set, fixed when readByQuery opened it: readMore continues one result set,
   * so its pages must not overlap or skip because each request would otherwise get its own order.
   */
  orderSeed: number | undefined;
  nextOffset: number;
  usedAt: number;
}

interface Session {
  userId: string;
  companyId: string;
  locationId: string;
  expiresAt: number;
}

type XmlNode = Record<string, unknown>;
const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

const ARRAY_TAGS = new Set(['function', 'field', 'value', 'order', 'and', 'or', 'count', 'min', 'max', 'sum', 'avg', ...COMPARE_OPS]);

const API_USER_RECORDNO = 48;

/** Cloudflare's own page for an origin that took too long (HTML, not Intacct XML). */
const CLOUDFLARE_524_PAGE =
  '<!DOCTYPE html><html><head><title>api.intacct.com | 524: A timeout occurred</title></head><body><h1>A timeout occurred</h1><p>Error code 524</p><p>Cloudflare Ray ID: 8f1e2d3c4b5a6978</p></body></html>';

/** Thrown inside respond() when the page is too heavy: answered as Cloudflare's 524. */
class FrontDoorTimeout extends Error {}

/** Starts the emulator on 127.0.0.1. */
export async function startIntacctEmulator(opts: IntacctEmulatorOptions = {}): Promise<IntacctEmulator> {
  const clock = opts.clock ?? systemClock;
  const credentials: EmulatorCredentials = {
    senderId: 'mlconnector_emu',
    senderPassword: 'emu-sender-s3cret',
    companyId: 'harbor-pine',
    userId: 'ws_mlconnector',
    userPassword: 'emu-user-p@ss&<word>',
  };
  const company = new SampleCompany({
    clock,
    seed: opts.seed ?? 42,
    glRows: opts.glRows ?? 5000,
    vendors: opts.vendors,
    bills: opts.bills,
    userId: credentials.userId,
  });
  const sessionTtlMs = opts.sessionTtlMs ?? 2 * 3_600_000;
  const maxInFlight = opts.maxInFlight ?? 2;
  const faults = new FaultPlan(opts.faults);
  const sessions = new Map<string, Session>();
  const requests: EmulatorRequestLog[] = [];
  const held = new Set<Socket>();
  let latencyMs = opts.latencyMs ?? 0;
  let senderAuthorized = opts.senderAuthorized ?? true;
  let auditHistoryPermitted = opts.auditHistoryPermitted ?? true;
  let gmtOffset = opts.userGmtOffset ?? '+00:00';
  let offsetMinutes = parseGmtOffset(gmtOffset);
  let dateFormat = opts.userDateFormat ?? '/mdY';
  let userClock: 12 | 24 = opts.userClock ?? 24;
  let formattingRefused = false;
  let gl524Cells = opts.gl524Cells ?? 250_000;
  let requestSeq = 0;
  const poisonedAudit = new Set<number>();
  let inFlight = 0;
  const resultSets = new Map<string, ResultSet>();
  let resultSeq = 0;
  let origin = '';
  const repeats = opts.repeatAnswers ? new RepeatedAnswers() : null;

  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => ARRAY_TAGS.has(name),
  });

  /** Sends the answer; false when the client had already given up (timeout, abort) and nothing was sent. */
  const send = (res: ServerResponse, status: number, body: BodyPart | BodyPart[], headers: Record<string, string> = {}): boolean => {
    if (res.destroyed || res.writableEnded || res.socket?.destroyed) return false;
    const bufs = (Array.isArray(body) ? body : [body]).map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part));
    const length = bufs.reduce((n, b) => n + b.length, 0);
    res.writeHead(status, { 'Content-Type': 'text/xml; charset=UTF-8', 'Content-Length': String(length), ...headers });
    res.cork();
    for (const b of bufs) res.write(b);
    res.end();
    res.uncork();
    return true;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const log: EmulatorRequestLog = { at: clock.now(), path, fn: '', status: 0 };
    if (req.method !== 'POST') {
      // The gateway refuses GET since 2023-01-15 (intacct-xml.md §1.1); status UNCONFIRMED.
      log.status = 405;
      requests.push(log);
      send(res, 405, 'Only POST is accepted by the XML gateway.', { 'Content-Type': 'text/plain', Allow: 'POST' });
      return;
    }
    if (path !== LOGIN_PATH && path !== SESSION_PATH) {
      log.status = 404;
      requests.push(log);
      send(res, 404, '<html><body><h1>404 Not Found</h1></body></html>', { 'Content-Type': 'text/html' });
      return;
    }
    inFlight++;
    let counted = true;
    const release = () => {
      if (counted) {
        counted = false;
        inFlight--;
      }
    };
    res.on('close', release);
    const overLimit = inFlight > maxInFlight;
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    requests.push(log);
    // A long-running demo must not grow without bound: keep the latest 20,000 entries.
    if (requests.length > 20_000) requests.splice(0, requests.length - 20_000);

    const fault = faults.next();
    // The latency is the whole answer time, the emulator's own work included, so a client that
    // keeps one request in flight can reach pageSize ÷ latency rows per second.
    const waitOut = async () => {
      const left = latencyMs - (performance.now() - arrived);
      if (left > 0) await delay(left);
    };
    if (fault && fault !== 'hang') await waitOut();
    if (fault && (await applyTransportFault(fault, res, log))) return;

    let answer: BodyPart | BodyPart[];
    try {
      answer = respond(body, log, overLimit ? 'overLimit' : fault);
    } catch (err) {
      if (!(err instanceof FrontDoorTimeout)) throw err;
      // Cloudflare's own page, not Intacct XML (intacct-exchanges.md §1: Intacct sits behind Cloudflare).
      await waitOut();
      log.status = 524;
      log.fault = 'http524';
      send(res, 524, CLOUDFLARE_524_PAGE, { 'Content-Type': 'text/html; charset=UTF-8' });
      return;
    }
    await waitOut();
    // 0 when the client gave up before the answer: the log then says it was never answered.
    log.status = send(res, 200, answer) ? 200 : 0;
  }

  /** Faults answered without running anything; returns false when the fault applies later. */
  async function applyTransportFault(fault: FaultKind, res: ServerResponse, log: EmulatorRequestLog): Promise<boolean> {
    switch (fault) {
      case 'http524':
        log.fault = fault;
        log.status = 524;
        send(res, 524, CLOUDFLARE_524_PAGE, { 'Content-Type': 'text/html; charset=UTF-8' });
        return true;
      case 'http500':
      case 'http502':
      case 'http503': {
        const status = Number(fault.slice(4));
        log.fault = fault;
        log.status = status;
        send(
          res,
          status,
          `<html><head><title>${status}</title></head><body><h1>${status} ${status === 500 ? 'Internal Server Error' : status === 502 ? 'Bad Gateway' : 'Service Unavailable'}</h1></body></html>`,
          { 'Content-Type': 'text/html' },
        );
        return true;
      }
      case 'http429':
        log.fault = fault;
        log.status = 429;
        send(res, 429, '<html><body><h1>429 Too Many Requests</h1></body></html>', {
          'Content-Type': 'text/html',
          'Retry-After': String(faults.retryAfterSeconds),
        });
        return true;
      case 'hang': {
        // Hold the socket past any client timeout; it is destroyed when the client gives up or at close().
        log.fault = fault;
        const sock = res.socket;
        if (sock) {
          held.add(sock);
          sock.once('close', () => held.delete(sock));
        }
        return true;
      }
      case 'drop':
        log.fault = fault;
        res.socket?.destroy();
        return true;
      case 'truncated': {
        log.fault = fault;
        const partial = '<?xml version="1.0" encoding="UTF-8"?>\n<response><control><status>success</status>';
        res.writeHead(200, { 'Content-Type': 'text/xml; charset=UTF-8', 'Content-Length': String(partial.length * 20) });
        res.write(partial, () => res.socket?.destroy());
        log.status = 200;
        return true;
      }
      case 'malformed':
        log.fault = fault;
        log.status = 200;
        send(
          res,
          200,
          '<?xml version="1.0" encoding="UTF-8"?>\n<response><control><status>success</status><senderid>' +
            credentials.senderId +
            '</senderid></control><operation><authentication><status>success</sta',
        );
        return true;
      default:
        return false;
    }
  }

  function authBlock(status: 'success' | 'failure', userId: string, companyId: string, locationId: string, expiresAt: number | null): string {
    const now = clock.now();
    return (
      '<authentication>' +
      element('status', status) +
      element('userid', userId) +
      element('companyid', companyId) +
      element('locationid', locationId) +
      (expiresAt !== null
        ? element('sessiontimestamp', formatIsoWithOffset(now, offsetMinutes)) + element('sessiontimeout', formatIsoWithOffset(expiresAt, offsetMinutes))
        : '') +
      '</authentication>'
    );
  }

  function authFailure(echo: ControlEcho, userId: string, companyId: string, errors: IntacctErrorEntry[]): string {
    // §2.2 level 2: the control succeeded, authentication failed, and no <result> follows.
    return responseHeadXml(echo, authBlock('failure', userId, companyId, '', null)) + errorMessageXml(errors) + RESPONSE_TAIL;
  }

  function respond(body: string, log: EmulatorRequestLog, fault: FaultKind | 'overLimit' | null): BodyPart | BodyPart[] {
    if (XMLValidator.validate(body) !== true) {
      log.error = 'control XL03000003';
      return controlFailureXml(null, [
        {
          errorno: 'XL03000003',
          description: 'XML Parse schema error',
          description2: 'XML Parse schema error: the request is not well-formed XML.',
          correction: '',
        },
      ]);
    }
    const doc = parser.parse(body) as XmlNode;
    const request = (doc.request ?? null) as XmlNode | null;
    const control = (request?.control ?? null) as XmlNode | null;
    if (!request || !control) {
      log.error = 'control XL03000003';
      return controlFailureXml(null, [
        {
          errorno: 'XL03000003',
          description: 'XML Parse schema error',
          description2: "XML Parse schema error: Missing required element 'request/control'.",
          correction: '',
        },
      ]);
    }
    const echo: ControlEcho = {
      senderId: text(control.senderid),
      controlId: text(control.controlid),
      uniqueId: text(control.uniqueid) || 'false',
      dtdVersion: text(control.dtdversion) || '3.0',
    };
    if (echo.senderId !== credentials.senderId || text(control.password) !== credentials.senderPassword) {
      log.error = 'control XL03000006';
      return controlFailureXml(echo, [
        { errorno: 'XL03000006', description: '', description2: 'Incorrect Intacct XML Partner ID or password.', correction: '' },
      ]);
    }
    const operation = (request.operation ?? null) as XmlNode | null;
    const auth = (operation?.authentication ?? null) as XmlNode | null;
    if (!operation || !auth) {
      log.error = 'control XL03000003';
      return controlFailureXml(echo, [
        {
          errorno: 'XL03000003',
          description: 'XML Parse schema error',
          description2: "XML Parse schema error: Missing required element 'operation/authentication'.",
          correction: '',
        },
      ]);
    }
    const now = clock.now();
    const login = (auth.login ?? null) as XmlNode | null;
    let session: Session | null = null;
    let sessionId: string | null = null;
    let userId: string;
    let companyId: string;
    let locationId = '';
    if (login) {
      log.auth = 'login';
      userId = text(login.userid);
      companyId = text(login.companyid);
      locationId = text(login.locationid);
      if (userId !== credentials.userId || companyId !== credentials.companyId || text(login.password) !== credentials.userPassword) {
        log.error = 'authentication XL03000006';
        return authFailure(echo, userId, companyId, [
          { errorno: 'XL03000006', description: '', description2: 'Sign-in information is incorrect', correction: '' },
        ]);
      }
    } else {
      log.auth = 'session';
      sessionId = text(auth.sessionid);
      session = sessions.get(sessionId) ?? null;
      if (session && session.expiresAt <= now) {
        sessions.delete(sessionId);
        session = null;
      }
      if (session && fault === 'sessionExpire') {
        log.fault = fault;
        sessions.delete(sessionId);
        session = null;
      }
      if (!session) {
        log.error = 'authentication XL03000006';
        return authFailure(echo, '', '', [{ errorno: 'XL03000006', description: '', description2: 'Invalid session', correction: '' }]);
      }
      userId = session.userId;
      companyId = session.companyId;
      locationId = session.locationId;
    }
    if (!senderAuthorized) {
      log.error = 'authentication XL03000006';
      return authFailure(echo, userId, companyId, [
        {
          errorno: 'XL03000006',
          description: '',
          description2: 'Invalid Web Services Authorization',
          correction: `Add the sender ID ${credentials.senderId} under Company > Security > Web Services authorizations.`,
        },
      ]);
    }
    let expiresAt = now + sessionTtlMs;
    if (session) session.expiresAt = expiresAt; // sliding (§3.2)

    const content = (operation.content ?? {}) as XmlNode;
    const functions = asArray(content.function) as XmlNode[];
    // The session's entity decides which records its reads see (§3.3, entity-visibility.ts).
    const ctx: QueryContext = { offsetMinutes, auditHistoryPermitted, locationId, orderSeed: ++requestSeq * 2_654_435_761, poisonedAudit };
    const results: BodyPart[] = [];
    let controlProblem: QueryProblem | null = null;
    const onlyGetSession = functions.length === 1;
    functions.forEach((fnNode, idx) => {
      const controlId = text(fnNode['@_controlid']);
      const verb = Object.keys(fnNode).find((k) => !k.startsWith('@_') && k !== '#text') ?? '';
      const arg = fnNode[verb];
      const argNode = (arg && typeof arg === 'object' ? arg : {}) as XmlNode;
      if (idx === 0) {
        log.fn = verb;
        const obj = text(asArray(argNode.object)[0]);
        if (obj) log.object = obj.toUpperCase();
        const off = text(asArray(argNode.offset)[0]);
        if (off) log.offset = Number(off);
      }
      const fail = (errors: IntacctErrorEntry[]) => {
        if (!log.error) log.error = `result ${errors[0]?.errorno ?? ''}`;
        results.push(resultXml({ status: 'failure', fn: verb, controlId, errors }));
      };
      if (fault === 'overLimit') {
        log.fault = 'overLimit';
        // §6: a third request in flight fails (real Intacct waits up to 30 s first).
        return fail([
          {
            errorno: 'BL01001973',
            description: '',
            description2: 'There are too many operations running for this company (200024)',
            correction: 'Please Try Again Later',
          },
        ]);
      }
      if (fault === 'transient') {
        log.fault = 'transient';
        return fail([TRANSIENT_ERRORS[faults.variant(TRANSIENT_ERRORS.length)]!]);
      }
      try {
        switch (verb) {
          case 'getAPISession': {
            if (!onlyGetSession) {
              return fail([
                {
                  errorno: 'Get API Session Failed',
                  description: '',
                  description2: 'getAPISession must be the only function in the request.',
                  correction: 'Send getAPISession in a request of its own.',
                },
              ]);
            }
            const wanted = 'locationid' in argNode ? text(argNode.locationid) : locationId;
            if (wanted && !ENTITIES.some((e) => e.id === wanted)) {
              return fail([{ errorno: 'Get API Session Failed', description: '', description2: `Invalid location ${wanted}`, correction: '' }]);
            }
            const id = randomBytes(18).toString('base64url') + '..';
            expiresAt = now + sessionTtlMs;
            sessions.set(id, { userId, companyId, locationId: wanted, expiresAt });
            results.push(
              resultXml({
                status: 'success',
                fn: verb,
                controlId,
                data: '<data><api>' + element('sessionid', id) + element('endpoint', origin + SESSION_PATH) + element('locationid', wanted) + '</api></data>',
              }),
            );
            return;
          }
          case 'query': {
            const q = parseQuery(argNode, ctx);
            if (q.object.name === 'GLDETAIL' && q.pageSize * Math.max(1, q.fields.length) > gl524Cells) throw new FrontDoorTimeout();
            const data = repeats
              ? repeats.answer(repeats.key(q, ctx, company.gl.revision, `${dateFormat} ${userClock}`), () => runQuery(company, q, ctx))
              : runQuery(company, q, ctx);
            if (idx === 0) log.rows = data.count;
            results.push(...resultParts(verb, controlId, data.parts));
            return;
          }
          case 'readByQuery':
          case 'readMore': {
            let rs: ResultSet | undefined;
            if (verb === 'readByQuery') {
              for (const [k, v] of resultSets) if (now - v.usedAt > 30 * 60_000) resultSets.delete(k);
              rs = {
                id: randomBytes(12).toString('hex') + 'V' + String(++resultSeq),
                q: parseReadByQuery(argNode, ctx),
                locationId,
                orderSeed: ctx.orderSeed,
                nextOffset: 0,
                usedAt: now,
              };
              resultSets.set(rs.id, rs);
            } else {
              const id = text(asArray(argNode.resultId)[0]).trim();
              const obj = text(asArray(argNode.object)[0]).trim().toUpperCase();
              rs = id ? resultSets.get(id) : [...resultSets.values()].reverse().find((r) => r.q.object.name === obj);
              // resultId lifetime is UNCONFIRMED (§4.2); the emulator drops idle ones after 30 minutes.
              if (rs && now - rs.usedAt > 30 * 60_000) {
                resultSets.delete(rs.id);
                rs = undefined;
              }
              if (!rs)
                return fail([
                  {
                    errorno: 'readMore failed',
                    description: '',
                    description2: `Attempt to readMore with an invalid or expired resultId: ${id || obj}`,
                    correction: '',
                  },
                ]);
            }
            const set = rs;
            set.usedAt = now;
            const tag = set.q.object.name.toLowerCase();
            const data = runQuery(
              company,
              { ...set.q, offset: set.nextOffset },
              { ...ctx, locationId: set.locationId, orderSeed: set.orderSeed },
              {
                recordTag: tag,
                open: (total, _offset, count) => {
                  const remaining = Math.max(0, total - set.nextOffset - count);
                  return `<data listtype="${tag}" count="${count}" totalcount="${total}" numremaining="${remaining}" resultId="${remaining > 0 ? set.id : ''}">`;
                },
              },
            );
            set.nextOffset += data.count;
            if (set.nextOffset >= data.total) resultSets.delete(set.id);
            if (idx === 0) log.rows = data.count;
            results.push(...resultParts(verb, controlId, data.parts));
            return;
          }
          case 'lookup':
            results.push(resultXml({ status: 'success', fn: verb, controlId, data: runLookup(argNode) }));
            return;
          case 'readUserFormatting':
            if (formattingRefused)
              return fail([
                { errorno: 'PL04000005', description: '', description2: 'You do not have permission for API operation readUserFormatting', correction: '' },
              ]);
            results.push(
              resultXml({
                status: 'success',
                fn: verb,
                controlId,
                data: runReadUserFormatting(argNode, {
                  recordNo: API_USER_RECORDNO,
                  userId: credentials.userId,
                  gmtOffset: gmtOffset,
                  dateFormat,
                  clock: userClock,
                }),
              }),
            );
            return;
          default:
            return fail([
              {
                errorno: 'XL03000003',
                description: '',
                description2: `Function ${verb || '(none)'} is not supported by the Intacct emulator.`,
                correction: 'The emulator serves getAPISession, query, readByQuery, readMore, lookup and readUserFormatting.',
              },
            ]);
        }
      } catch (err) {
        if (err instanceof QueryProblem) {
          if (err.level === 'control') controlProblem = err;
          else fail(err.entries);
          return;
        }
        throw err;
      }
    });
    if (controlProblem) {
      log.error = `control ${(controlProblem as QueryProblem).entries[0]?.errorno ?? ''}`;
      return controlFailureXml(echo, (controlProblem as QueryProblem).entries);
    }
    const head = responseHeadXml(echo, authBlock('success', userId, companyId, locationId, session ? session.expiresAt : expiresAt));
    return [head, ...results, RESPONSE_TAIL];
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        send(res, 500, `<html><body>Emulator error: ${String((err as Error)?.message ?? err).replace(/[<&]/g, '')}</body></html>`, {
          'Content-Type': 'text/html',
        });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin + LOGIN_PATH,
    sessionEndpoint: origin + SESSION_PATH,
    credentials,
    company,
    requests,
    setFaults: (f) => faults.set(f),
    setLatency: (ms) => {
      latencyMs = Math.max(0, ms);
    },
    setSenderAuthorized: (ok) => {
      senderAuthorized = ok;
    },
    setAuditHistoryPermitted: (ok) => {
      auditHistoryPermitted = ok;
    },
    setUserFormatting: (f) => {
      if (f.dateFormat !== undefined) dateFormat = f.dateFormat;
      if (f.clock !== undefined) userClock = f.clock;
    },
    setUserFormattingRefused: (r) => {
      formattingRefused = r;
    },
    setGl524Cells: (n) => {
      gl524Cells = n;
    },
    poisonAuditEntries: (ids) => {
      for (const id of ids) poisonedAudit.add(id);
    },
    setUserGmtOffset: (o) => {
      offsetMinutes = parseGmtOffset(o);
      gmtOffset = o;
    },
    expireSessions: () => sessions.clear(),
    get repeated() {
      return { hits: repeats?.hits ?? 0, misses: repeats?.misses ?? 0 };
    },
    setRepeatAnswers: (on) => {
      if (repeats) repeats.enabled = on;
    },
    get sessionCount() {
      const now = clock.now();
      return [...sessions.values()].filter((s) => s.expiresAt > now).length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of held) s.destroy();
        held.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
