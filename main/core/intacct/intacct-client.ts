/**
 * `createIntacctClient`: the Sage Intacct XML gateway client (docs/architecture.md, issue #2).
 *
 * Wires the session manager, the transport (semaphore, retries, events, transaction count) and the
 * reader. Every function call runs through {@link IntacctTransport.withRetries} (the one retry
 * helper); a call that fails with "Invalid session" signs in again once and is resent at once.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, ConnectorError, SessionExpiredError, ValidationError } from '../errors';
import { defaultRetryPolicy } from '../http/retry';
import type { ConnectionTestResult } from '../../../shared/types';
import { IntacctError } from './intacct-errors';
import * as reader from './intacct-reader';
import { IntacctSessionManager } from './intacct-session';
import { IntacctTransport } from './intacct-transport';
import type { IntacctClient, IntacctClientOptions, IntacctSessionInfo, Page, ReadSpec } from './intacct-types';
import { ZoneConverter, resolveZone } from './intacct-values';
import { buildQuery } from './query-builder';
import { buildRequest, readUserFormattingFunction } from './request-envelope';
import type { IntacctResult } from './response-parser';
import type { RecordBuilder } from './flat-records';

export const DEFAULT_INTACCT_ENDPOINT = 'https://api.intacct.com/ia/xml/xmlgw.phtml';
export const DEFAULT_TIMEOUT_MS = 120_000;
/** Other integrations share a company's slots (§6): one in flight by default, two at most. */
export const MAX_CONCURRENCY = 2;

/** Builds a client. No request is made until a method is called. */
export function createIntacctClient(opts: IntacctClientOptions): IntacctClient {
  const concurrency = Math.floor(opts.concurrency ?? 1);
  if (!(concurrency >= 1 && concurrency <= MAX_CONCURRENCY)) {
    throw new ValidationError({
      service: 'intacct',
      userMessage: `Intacct concurrency must be 1 or ${MAX_CONCURRENCY} (requests in flight per company); got ${opts.concurrency}.`,
      fields: { 'intacct.concurrency': `1–${MAX_CONCURRENCY}` },
    });
  }
  // Resolve an explicit zone up front so a typo fails at once, not mid-read.
  if (opts.timeZone) resolveZone(opts.timeZone);
  let zonePromise: Promise<ZoneConverter> | null = null;
  const closer = new AbortController();
  const transport = new IntacctTransport({
    fetch: opts.fetch,
    clock: opts.clock,
    random: opts.random,
    retry: { ...defaultRetryPolicy, ...opts.retry },
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    concurrency,
    onEvent: opts.onEvent,
  });
  const c = opts.credentials;
  const newControlId = () => randomUUID();
  const sessions = new IntacctSessionManager({
    transport,
    credentials: c,
    loginEndpoint: opts.endpoint ?? DEFAULT_INTACCT_ENDPOINT,
    allowedEndpointHosts: opts.allowedEndpointHosts,
    clock: opts.clock,
    newControlId,
    closeSignal: closer.signal,
    ...(opts.signInBudgetMs !== undefined ? { signInBudgetMs: opts.signInBudgetMs } : {}),
  });

  const combine = (signal?: AbortSignal) => (signal ? AbortSignal.any([signal, closer.signal]) : closer.signal);

  async function execute(operation: string, functionBody: string, signal?: AbortSignal, parse?: { build?: RecordBuilder }): Promise<IntacctResult> {
    const sig = combine(signal);
    try {
      return await executeWithRetries(operation, functionBody, sig, parse?.build);
    } catch (err) {
      if (err instanceof SignInFailure) throw err.error;
      throw err;
    }
  }

  async function signIn(sig: AbortSignal) {
    try {
      return await sessions.get(sig);
    } catch (error) {
      // The sign-in already went through its own retries: don't multiply them by this call's.
      throw new SignInFailure(error);
    }
  }

  async function executeWithRetries(operation: string, functionBody: string, sig: AbortSignal, build?: RecordBuilder): Promise<IntacctResult> {
    return transport.withRetries(async (ctx, attempt) => {
      let refreshed = false;
      for (;;) {
        const session = await signIn(sig);
        const controlId = newControlId();
        const xml = buildRequest({
          senderId: c.senderId,
          senderPassword: c.senderPassword,
          controlId: newControlId(),
          auth: { kind: 'session', sessionId: session.sessionId },
          functions: [{ controlId, body: functionBody }],
        });
        try {
          return await transport.send(ctx, {
            url: session.endpoint,
            xml,
            operation,
            attempt,
            controlId,
            signal: sig,
            build,
            onParsed: (p) => sessions.touch(session.sessionId, p.authentication),
          });
        } catch (err) {
          // §3.2: an expired session is re-established once and the call resent straight away; a
          // second expiry in a row goes back to the retry helper's backoff.
          if (err instanceof SessionExpiredError) {
            sessions.invalidate(session.sessionId);
            if (!refreshed) {
              refreshed = true;
              ctx.flush();
              continue;
            }
          }
          throw err;
        }
      }
    }, sig);
  }

  /**
   * The API user's preferences decide how Intacct prints dates and times (intacct-xml.md §4.4):
   * the connector reads MM/DD/YYYY and a 24-hour clock only, so any other format is refused here,
   * naming the preference, before a single row is read; wrong dates are never loaded. When the
   * preferences cannot be read, nothing is guessed: the run stops and says so, unless a time zone
   * was set in Settings, where the person has vouched for the user's preferences.
   */
  async function userZone(signal?: AbortSignal): Promise<ZoneConverter> {
    let result: IntacctResult;
    try {
      result = await execute('readUserFormatting', readUserFormattingFunction(c.userId), signal);
    } catch (err) {
      if (opts.timeZone && err instanceof IntacctError && (err.level === 'result' || (err as ConnectorError).code === 'XML_SCHEMA')) {
        return new ZoneConverter(resolveZone(opts.timeZone));
      }
      if (err instanceof IntacctError && (err.level === 'result' || (err as ConnectorError).code === 'XML_SCHEMA')) {
        throw new ApiError({
          service: 'intacct',
          kind: 'config',
          code: 'PREFERENCES_UNREADABLE',
          userMessage:
            `Could not read the Intacct API user's preferences (date format, time zone): ${err.userMessage} ` +
            'Allow the API user to read its own user settings, or set the time zone in Settings › Sage Intacct if the user is set to MM/DD/YYYY and a 24-hour clock.',
          cause: err,
        });
      }
      throw err;
    }
    checkDateFormat(result);
    const zone = opts.timeZone ?? zoneFromUserFormatting(result);
    return new ZoneConverter(zone ?? 'UTC');
  }

  const ctx: reader.ReaderContext = {
    execute,
    zone: (signal) => {
      zonePromise ??= userZone(signal).catch((err: unknown) => {
        zonePromise = null;
        throw err;
      });
      return zonePromise;
    },
    showPrivate: !c.entityId,
    concurrency,
    clock: opts.clock,
  };

  async function getSession(signal?: AbortSignal): Promise<IntacctSessionInfo> {
    await sessions.get(combine(signal));
    const info = sessions.info();
    if (!info) throw new ApiError({ service: 'intacct', code: 'NO_SESSION', userMessage: 'No Intacct session.' });
    return info;
  }

  async function testConnection(signal?: AbortSignal): Promise<ConnectionTestResult> {
    const steps: ConnectionTestResult['steps'] = [];
    const fail = (name: string, err: unknown): ConnectionTestResult => {
      steps.push({ name, ok: false, message: err instanceof ConnectorError ? err.userMessage : 'Unexpected error.' });
      return { ok: false, steps };
    };
    try {
      await getSession(signal);
      steps.push({ name: 'Sender credentials', ok: true, message: 'The Web Services sender was accepted.' });
      steps.push({ name: 'User sign-in', ok: true, message: `Signed in to company ${c.companyId}${c.entityId ? ` (entity ${c.entityId})` : ''}.` });
    } catch (err) {
      // Control-level failures (and "sender not authorised") are the sender's; authentication-level ones the user's.
      // Anything that is not an Intacct answer (network, proxy, redirect) also stops at the first step.
      const code = err instanceof ConnectorError ? err.code : undefined;
      const senderFault = !(err instanceof IntacctError) || err.level === 'control' || code === 'SENDER_INVALID' || code === 'SENDER_NOT_AUTHORIZED';
      if (senderFault) return fail('Sender credentials', err);
      steps.push({ name: 'Sender credentials', ok: true, message: 'The Web Services sender was accepted.' });
      return fail('User sign-in', err);
    }
    try {
      await ctx.zone(signal);
      steps.push({ name: 'User preferences', ok: true, message: 'The API user prints dates as MM/DD/YYYY with a 24-hour clock.' });
    } catch (err) {
      return fail('User preferences', err);
    }
    try {
      const body = buildQuery({ object: 'GLACCOUNT', fields: ['RECORDNO'], ...(ctx.showPrivate ? { showPrivate: true } : {}), pageSize: 1, offset: 0 });
      const result = await execute('query GLACCOUNT', body, signal);
      const total = result.data?.totalCount;
      steps.push({
        name: 'Read one record',
        ok: true,
        message: `Read GL accounts${total !== null && total !== undefined ? ` (${total} in the company)` : ''}.`,
      });
      return { ok: true, steps };
    } catch (err) {
      return fail('Read one record', err);
    }
  }

  return {
    getSession,
    readChanged: (spec: ReadSpec, signal?: AbortSignal): AsyncGenerator<Page> => reader.readChanged(ctx, spec, combine(signal)),
    readPartitioned: (spec, o, signal) => reader.readPartitioned(ctx, spec, o.partitions, combine(signal)),
    count: (spec, signal) => reader.count(ctx, spec, combine(signal)),
    recordNoBounds: (spec, signal) => reader.recordNoBounds(ctx, spec, combine(signal)),
    readKeys: (object, filters, signal) => reader.readKeys(ctx, object, filters, combine(signal)),
    readDeleted: (objectType, sinceMs, signal, onSkipped) => reader.readDeleted(ctx, objectType, sinceMs, combine(signal), undefined, onSkipped),
    lookup: (object, signal) => reader.lookup(ctx, object, combine(signal)),
    testConnection,
    prepare: async (signal) => {
      await ctx.zone(combine(signal));
    },
    get transactions() {
      return transport.transactions;
    },
    close() {
      closer.abort(new ApiError({ service: 'intacct', code: 'CLIENT_CLOSED', userMessage: 'The Intacct client was closed.' }));
    },
  };
}

/**
 * Refuses preferences the connector cannot read exactly: a date format other than month/day/year
 * with slashes (`/mdY`), or a 12-hour clock. The message names the preference to change.
 */
export function checkDateFormat(result: IntacctResult): void {
  const found: Record<string, string> = {};
  for (const [key, v] of leafValues(result)) found[key.toLowerCase()] ??= String(v).trim();
  const problems: string[] = [];
  // Month/day/year with slashes, as the preference code (`/mdY`: separator, then the order) or as a
  // pattern (`MM/DD/YYYY`); the spelling readUserFormatting uses is UNCONFIRMED, so both pass and
  // anything else (another order or separator) is refused.
  const format = found['dateformat'];
  if (format !== undefined && format !== '' && !/^\/?mdy$|^mm\/dd\/yyyy$/i.test(format.trim())) {
    problems.push(`its date format is '${format}'; set User preferences › Date format to MM/DD/YYYY`);
  }
  const clock = found['clock'];
  if (clock !== undefined && clock !== '' && clock !== '24') problems.push(`its clock is ${clock}-hour; set User preferences › Time format to 24-hour`);
  if (problems.length) {
    throw new ValidationError({
      service: 'intacct',
      code: 'USER_DATE_FORMAT',
      userMessage: `The Intacct API user ${problems.join(', and ')} (Company › Admin › Users › the API user › Preferences). The connector reads dates only as MM/DD/YYYY with a 24-hour clock, so it stopped before reading any record.`,
      fields: { 'intacct.userId': 'Date format / clock preference' },
    });
  }
}

/**
 * Every text or number in a readUserFormatting result with the name of the element holding it, in
 * document order, six levels deep at most. The answer's shape is UNCONFIRMED (§4.4), so the
 * preferences are looked up by element name wherever they sit.
 */
function leafValues(result: IntacctResult): [string, string | number][] {
  const out: [string, string | number][] = [];
  const walk = (v: unknown, key: string, depth: number) => {
    if (depth > 6) return;
    if (typeof v === 'string' || typeof v === 'number') {
      out.push([key, v]);
      return;
    }
    if (Array.isArray(v)) return v.forEach((x) => walk(x, key, depth + 1));
    if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, k, depth + 1);
  };
  walk(result.raw, '', 0);
  return out;
}

/** Carries a sign-in failure through the call's retry loop without being retried again. */
class SignInFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Finds the user's zone in a readUserFormatting result. The response shape is UNCONFIRMED
 * (§4.4), so any element whose name mentions a time zone or GMT offset is accepted, holding an IANA
 * name or an offset such as 'GMT-08:00' / '(GMT-08:00) Pacific Time'.
 */
export function zoneFromUserFormatting(result: IntacctResult): string | null {
  const found = leafValues(result)
    .filter(([key, v]) => typeof v === 'string' && /time.?zone|gmt.?offset|^tz$/i.test(key) && v.trim())
    .map(([, v]) => String(v).trim());
  for (const value of found) {
    const off = /(?:GMT|UTC)\s*([+-]\d{1,2}(?::?\d{2})?)/i.exec(value) ?? /^([+-]\d{1,2}(?::?\d{2})?)$/.exec(value);
    const candidate = off ? off[1]! : value;
    try {
      resolveZone(candidate);
      return candidate;
    } catch {
      // try the next candidate
    }
  }
  return null;
}
