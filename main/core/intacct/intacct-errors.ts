/**
 * Typed Intacct errors and the classifier that turns an `errormessage` into one.
 *
 * Intacct answers most failures with HTTP 200 and an `<errormessage>` at one of three levels
 * (intacct-xml.md §2.2). One errorno means different things depending on where it appears
 * (XL03000006 is a wrong sender at control level, a wrong login, an unauthorised sender or an
 * expired session at authentication level — §2.4), so classification looks at the level, the
 * errorno and the text together, never at the errorno alone.
 *
 * Each class extends the matching foundation class (AuthError, SessionExpiredError, RateLimitError,
 * ApiError) so callers and `withRetry` branch on the class and `retryable`; every one of them also
 * carries the Intacct details ({@link IntacctErrorInfo}) and passes `instanceof IntacctError`.
 * Only server text is kept: never a request body, never a credential.
 */
import { ApiError, AuthError, ConnectorError, RateLimitError, SessionExpiredError, type ConnectorErrorInit, type FailureKind } from '../errors';

/** Where in the response an error was reported (intacct-xml.md §2.2, §2.3). */
export type IntacctErrorLevel = 'gateway' | 'control' | 'authentication' | 'result';

/** One `<error>` element of an `<errormessage>`. */
export interface IntacctErrorDetail {
  errorno: string;
  description: string;
  description2: string;
  correction: string;
}

/** What every typed Intacct error carries (all server text; safe to log). */
export interface IntacctErrorInfo {
  readonly level: IntacctErrorLevel;
  /** The first (most specific) error's fields. */
  readonly errorno: string;
  readonly description: string;
  readonly description2: string;
  readonly correction: string;
  /** Decoded from description2's `[Support ID: …]`; Sage support asks for it (§2.1). */
  readonly supportId?: string;
  /** Every `<error>` in the block, in order. */
  readonly errors: readonly IntacctErrorDetail[];
  /** The function that failed, for result-level errors. */
  readonly functionName?: string;
}

type IntacctInit = Omit<ConnectorErrorInit, 'service' | 'kind' | 'retryable'> &
  Partial<Pick<ConnectorErrorInit, 'kind' | 'retryable'>> & { info: IntacctErrorInfo };

const BRAND = Symbol.for('ml-connector.intacct-error');

function attach(target: ConnectorError, info: IntacctErrorInfo): void {
  Object.assign(target, {
    level: info.level,
    errorno: info.errorno,
    description: info.description,
    description2: info.description2,
    correction: info.correction,
    supportId: info.supportId,
    errors: info.errors,
    functionName: info.functionName,
  });
  Object.defineProperty(target, BRAND, { value: true });
}

function infoJson(e: IntacctErrorInfo): Record<string, unknown> {
  return { level: e.level, errorno: e.errorno, description2: e.description2, supportId: e.supportId };
}

/**
 * An Intacct application error that is not one of the more specific kinds below (an unknown
 * object, a schema error, a failed function). Not retryable unless constructed so.
 *
 * `x instanceof IntacctError` is true for every typed Intacct error in this module (auth, session,
 * rate limit, permission…), because they must also extend the foundation classes callers branch on.
 */
export class IntacctError extends ApiError implements IntacctErrorInfo {
  declare readonly level: IntacctErrorLevel;
  declare readonly errorno: string;
  declare readonly description: string;
  declare readonly description2: string;
  declare readonly correction: string;
  declare readonly supportId?: string;
  declare readonly errors: readonly IntacctErrorDetail[];
  declare readonly functionName?: string;

  constructor(init: IntacctInit) {
    super({ service: 'intacct', ...init });
    attach(this, init.info);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep normal prototype semantics; only the base class matches by brand.
    if (this !== IntacctError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), intacct: infoJson(this) };
  }
}

/** The API user lacks a permission (PL04000005 "You do not have permission…"). Never retried. */
export class IntacctPermissionError extends IntacctError {
  constructor(init: IntacctInit) {
    super({ kind: 'config', ...init, retryable: false });
  }
}

/** Bad sender or user credentials, or a sender not authorised for the company. Never retried. */
export class IntacctAuthError extends AuthError implements IntacctErrorInfo {
  declare readonly level: IntacctErrorLevel;
  declare readonly errorno: string;
  declare readonly description: string;
  declare readonly description2: string;
  declare readonly correction: string;
  declare readonly supportId?: string;
  declare readonly errors: readonly IntacctErrorDetail[];
  declare readonly functionName?: string;
  constructor(init: IntacctInit) {
    super({ service: 'intacct', ...init });
    attach(this, init.info);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), intacct: infoJson(this) };
  }
}

/** "Invalid session": sign in again once and resend (intacct-xml.md §3.2). */
export class IntacctSessionExpiredError extends SessionExpiredError implements IntacctErrorInfo {
  declare readonly level: IntacctErrorLevel;
  declare readonly errorno: string;
  declare readonly description: string;
  declare readonly description2: string;
  declare readonly correction: string;
  declare readonly supportId?: string;
  declare readonly errors: readonly IntacctErrorDetail[];
  declare readonly functionName?: string;
  constructor(init: IntacctInit) {
    super({ service: 'intacct', ...init });
    attach(this, init.info);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), intacct: infoJson(this) };
  }
}

/** "Too many operations running for this company", "API rate limit exceeded": wait, then retry. */
export class IntacctRateLimitError extends RateLimitError implements IntacctErrorInfo {
  declare readonly level: IntacctErrorLevel;
  declare readonly errorno: string;
  declare readonly description: string;
  declare readonly description2: string;
  declare readonly correction: string;
  declare readonly supportId?: string;
  declare readonly errors: readonly IntacctErrorDetail[];
  declare readonly functionName?: string;
  constructor(init: IntacctInit) {
    super({ service: 'intacct', ...init });
    attach(this, init.info);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), intacct: infoJson(this) };
  }
}

/** Decodes `[Support ID: …]` (URL-encoded) from an error text (intacct-xml.md §2.1). */
export function decodeSupportId(text: string): string | undefined {
  const m = /\[Support ID:\s*([^\]]*)\]/i.exec(text);
  if (!m || !m[1]) return undefined;
  const raw = m[1].trim();
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Field names out of "The following fields cannot be queried: [GLDETAIL: [F1, F2] ]". */
export function parseInvalidFields(text: string): string[] {
  const m = /cannot be queried:\s*\[\s*[^:[\]]+:\s*\[([^\]]*)\]/i.exec(text);
  if (m && m[1])
    return m[1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const single = /(?:invalid field|field)\s*[:'"[]+\s*([A-Za-z0-9_.]+)/i.exec(text);
  return single && single[1] ? [single[1]] : [];
}

function stripSupport(text: string): string {
  return text.replace(/\s*\[Support ID:[^\]]*\]/i, '').trim();
}

/** The server's own words, for the end of a user message. */
function serverText(errors: readonly IntacctErrorDetail[]): string {
  const parts: string[] = [];
  for (const e of errors) {
    const t = stripSupport([e.description, e.description2].filter(Boolean).join(' ').trim());
    if (t && !parts.includes(t)) parts.push(t);
  }
  return parts.join(' / ');
}

function withSupport(message: string, supportId: string | undefined): string {
  return supportId ? `${message} (Intacct Support ID: ${supportId})` : message;
}

export interface ClassifyContext {
  level: IntacctErrorLevel;
  errors: readonly IntacctErrorDetail[];
  functionName?: string;
  /** HTTP status the block came with (200 normally; 4xx for gateway errors). */
  httpStatus?: number;
  /** Result status when level is 'result' ('failure' | 'aborted'). */
  resultStatus?: string;
}

/**
 * Turns one `<errormessage>` block into the right typed error (intacct-xml.md §2.4).
 *
 * Order matters: an expired session and the transient texts win over the level's default, because
 * they can appear at any level; authentication-level failures are otherwise never retryable
 * (lock-out risk).
 */
export function classifyIntacctError(ctx: ClassifyContext): ConnectorError {
  const errors = ctx.errors.length
    ? ctx.errors
    : [{ errorno: '', description: '', description2: `Intacct reported a ${ctx.level} failure without details.`, correction: '' }];
  // In an aborted transaction the rollback notice (XL03000009) hides the real cause: prefer the other.
  const primary = errors.find((e) => e.errorno !== 'XL03000009') ?? errors[0]!;
  const allText = errors.map((e) => `${e.errorno} ${e.description} ${e.description2} ${e.correction}`).join(' \n ');
  const supportId = errors.map((e) => decodeSupportId(`${e.description2} ${e.description}`)).find(Boolean);
  const info: IntacctErrorInfo = {
    level: ctx.level,
    errorno: primary.errorno,
    description: primary.description,
    description2: primary.description2,
    correction: primary.correction,
    supportId,
    errors,
    functionName: ctx.functionName,
  };
  const said = serverText(errors);
  const tail = said ? ` Intacct said: "${said}".` : '';
  const status = ctx.httpStatus;
  const base = { info, status };
  const mk = (
    Cls: new (init: IntacctInit) => ConnectorError,
    code: string,
    message: string,
    extra: { retryable?: boolean; kind?: FailureKind; retryAfterMs?: number; detail?: Record<string, unknown> } = {},
  ) => new Cls({ ...base, code, userMessage: withSupport(message, supportId), ...extra });

  // Session expiry appears at authentication level as XL03000006 "Invalid session" (§3.2).
  if (/invalid session|session (has )?expired|session is invalid/i.test(allText)) {
    return mk(IntacctSessionExpiredError, 'SESSION_INVALID', `The Intacct session is no longer valid; signing in again.${tail}`);
  }
  // Transient conditions (§2.4, §6): retried with backoff by the one retry helper.
  if (/too many operations|\(200024\)|\b200024\b/i.test(allText)) {
    // VENA-OPS: the busy slot frees after up to 30 s; ask the retry helper to wait at least that.
    return mk(
      IntacctRateLimitError,
      'TOO_MANY_OPERATIONS',
      `Intacct is busy with other integrations for this company (too many operations running); waiting before trying again.${tail}`,
      { retryAfterMs: 30_000 },
    );
  }
  if (/api rate limit exceeded/i.test(allText)) {
    return mk(IntacctRateLimitError, 'RATE_LIMITED', `Intacct's API rate limit was exceeded; waiting before trying again.${tail}`);
  }
  if (/temporarily off-?line/i.test(allText)) {
    return mk(IntacctError, 'OFFLINE', `Intacct is temporarily off-line (maintenance or outage); trying again later.${tail}`, {
      retryable: true,
      kind: 'transient',
    });
  }
  if (/please try again later/i.test(allText)) {
    return mk(IntacctError, 'TRY_LATER', `Intacct asked to try again later.${tail}`, { retryable: true, kind: 'transient' });
  }
  if (/with the control id .* is in process|is in process/i.test(allText)) {
    return mk(IntacctError, 'CONTROL_IN_PROCESS', `Intacct is still running an identical request; trying again later.${tail}`, {
      retryable: true,
      kind: 'transient',
    });
  }
  if (errors.some((e) => e.errorno === 'DL02000001') || /there was an error processing the request/i.test(allText)) {
    // §2.4: generic server failure — retry (the retry helper bounds the attempts).
    return mk(IntacctError, 'SERVER_ERROR', `Intacct failed to process the request (a server-side error); trying again.${tail}`, {
      retryable: true,
      kind: 'transient',
    });
  }

  if (ctx.level === 'gateway' || ctx.level === 'control') {
    if (/not a valid transport policy/i.test(allText)) {
      return mk(IntacctError, 'INVALID_POLICY', `Intacct rejected the request's transport policy.${tail}`, { kind: 'config' });
    }
    if (errors.some((e) => e.errorno === 'PL04000055') || /demo company and has expired|company .*(expired|inactive|suspended)/i.test(allText)) {
      return mk(IntacctError, 'COMPANY_UNAVAILABLE', `This Intacct company cannot be used (expired or inactive). Check the Company ID.${tail}`, {
        kind: 'config',
      });
    }
    if (errors.some((e) => e.errorno === 'XL03000003') || /xml parse|schema error/i.test(allText)) {
      return mk(
        IntacctError,
        'XML_SCHEMA',
        `Intacct could not read the request this connector sent (a connector bug, or a filter list that is too long).${tail}`,
      );
    }
    if (/partner id|sender id|sender password/i.test(allText)) {
      return mk(IntacctAuthError, 'SENDER_INVALID', `Sender ID or password is wrong: check the Web Services sender credentials.${tail}`);
    }
    if (/sign-in information is incorrect|invalid user/i.test(allText)) {
      return mk(IntacctAuthError, 'LOGIN_INVALID', `Intacct sign-in failed: check the user ID, company ID and user password.${tail}`);
    }
    // A bare XL03000006 at control level is the sender check (§2.4, GO-JFC example_test.go).
    if (errors.some((e) => e.errorno === 'XL03000006') || ctx.level === 'control') {
      return mk(IntacctAuthError, 'SENDER_INVALID', `Sender ID or password is wrong: check the Web Services sender credentials.${tail}`);
    }
    // Gateway codes (GW-0011, invalidRequest, XMLGW_*) with 4xx are credential problems per §2.3.
    return mk(
      IntacctAuthError,
      'GATEWAY_REJECTED',
      `Intacct's gateway rejected the request${status ? ` (HTTP ${status})` : ''}: check the sender and user credentials.${tail}`,
    );
  }

  if (ctx.level === 'authentication') {
    if (/invalid web services authorization|not authorized|not authorised/i.test(allText)) {
      return mk(
        IntacctAuthError,
        'SENDER_NOT_AUTHORIZED',
        'The Web Services sender is not authorised for this company: an Intacct administrator must add the sender ID under ' +
          `Company > Setup > Company > Security > Web Services authorizations.${tail}`,
      );
    }
    if (/sign-in information is incorrect|incorrect|password|user/i.test(allText)) {
      return mk(
        IntacctAuthError,
        'LOGIN_INVALID',
        `Intacct sign-in failed: check the user ID, company ID and user password (not retried, to avoid locking the user out).${tail}`,
      );
    }
    return mk(IntacctAuthError, 'AUTH_FAILED', `Intacct sign-in failed.${tail}`);
  }

  // Result level.
  if (
    errors.some((e) => e.errorno === 'PL04000005') ||
    /do not have permission|not have (the )?permission|permission denied|insufficient (permission|privilege)/i.test(allText)
  ) {
    return mk(
      IntacctPermissionError,
      'PERMISSION_DENIED',
      `The Intacct API user does not have permission for this${ctx.functionName ? ` ${ctx.functionName}` : ''}: grant it in the user's role.${tail}`,
    );
  }
  if (/cannot be queried|check (that )?the fields? exists?|invalid field|field .* (does not|doesn't) exist|XL03000010/i.test(allText)) {
    const fields = errors.flatMap((e) => parseInvalidFields(`${e.description} ${e.description2}`));
    const list = fields.length ? `: ${fields.join(', ')}` : '';
    return mk(
      IntacctError,
      'INVALID_FIELD',
      `Intacct cannot query some selected fields${list}. Remove them from the stream's extra fields (Settings › Streams), or check with Intacct that the fields exist and the API user may read them.${tail}`,
      { detail: { fields } },
    );
  }
  const notFound = /object definition (\S+) not found/i.exec(allText);
  if (notFound) {
    return mk(IntacctError, 'OBJECT_NOT_FOUND', `Intacct does not know the object ${notFound[1]} in this company (not subscribed, or misspelt).${tail}`, {
      kind: 'config',
    });
  }
  if (ctx.resultStatus === 'aborted' && errors.every((e) => e.errorno === 'XL03000009')) {
    return mk(IntacctError, 'TRANSACTION_ABORTED', `Intacct rolled this function back because another one failed.${tail}`);
  }
  return mk(
    IntacctError,
    'FUNCTION_FAILED',
    `Intacct could not run ${ctx.functionName ?? 'the request'}${primary.errorno ? ` (${primary.errorno})` : ''}.${tail}`,
  );
}
