/**
 * Typed errors for both services.
 *
 * Every failure the connector can meet becomes one of these classes, once, at the edge where it is
 * detected (an Intacct `errormessage` in an HTTP 200 body, a Tableau `tsResponse` error, a proxy's
 * HTML page, a socket reset). Callers branch on the class and on `retryable`, never on message text.
 * `userMessage` is written for a finance user and says what to fix; nothing secret is ever kept on
 * an error (as stripe-node does: https://github.com/stripe/stripe-node/blob/master/src/Error.ts).
 */
export type Service = 'intacct' | 'tableau' | 'hyper' | 'local';

/** config: the user must change something; transient: try again later; system: a bug or outage. */
export type FailureKind = 'config' | 'transient' | 'system';

export interface ConnectorErrorInit {
  service: Service;
  kind: FailureKind;
  retryable: boolean;
  userMessage: string;
  code?: string;
  status?: number;
  /** For Retry-After: how long the server asked us to wait. */
  retryAfterMs?: number;
  /** Extra detail safe to log (never a secret). */
  detail?: Record<string, unknown>;
  cause?: unknown;
}

export class ConnectorError extends Error {
  readonly service: Service;
  readonly kind: FailureKind;
  readonly retryable: boolean;
  readonly userMessage: string;
  readonly code?: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly detail?: Record<string, unknown>;

  constructor(init: ConnectorErrorInit) {
    super(init.userMessage, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.service = init.service;
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.userMessage = init.userMessage;
    this.code = init.code;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.detail = init.detail;
  }

  /** A plain, loggable object (no stack, no cause chain that could carry a request body). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      service: this.service,
      kind: this.kind,
      retryable: this.retryable,
      code: this.code,
      status: this.status,
      message: this.userMessage,
      ...(this.detail ? { detail: this.detail } : {}),
    };
  }
}

type Init = Omit<ConnectorErrorInit, 'kind' | 'retryable'> & Partial<Pick<ConnectorErrorInit, 'kind' | 'retryable'>>;

/** Bad or unauthorised credentials. Never retried automatically: repeated bad logins lock users out. */
export class AuthError extends ConnectorError {
  constructor(init: Init) {
    super({ kind: 'config', retryable: false, ...init });
  }
}

/** The session or token is no longer valid: sign in again once, then resend. */
export class SessionExpiredError extends ConnectorError {
  constructor(init: Init) {
    super({ kind: 'transient', retryable: true, ...init });
  }
}

/** Throttled (HTTP 429, "too many operations"): wait, honouring Retry-After, then retry. */
export class RateLimitError extends ConnectorError {
  constructor(init: Init) {
    super({ kind: 'transient', retryable: true, ...init });
  }
}

/** No usable answer: connection refused or reset, timeout, 5xx, an HTML page, a truncated body. */
export class NetworkError extends ConnectorError {
  constructor(init: Init) {
    super({ kind: 'transient', retryable: true, status: 0, ...init });
  }
}

/** The service understood the request and refused it (bad field, missing permission, failed job…). */
export class ApiError extends ConnectorError {
  constructor(init: Init) {
    super({ kind: 'system', retryable: false, ...init });
  }
}

/** Settings or input that cannot work; carries field-level messages where it can. */
export class ValidationError extends ConnectorError {
  readonly fields: Readonly<Record<string, string>>;
  constructor(init: Omit<Init, 'service'> & { service?: Service; fields?: Record<string, string> }) {
    super({ service: 'local', kind: 'config', retryable: false, ...init });
    this.fields = init.fields ?? {};
  }
}

/** The run was cancelled by the user or shut down. */
export class CancelledError extends ConnectorError {
  constructor(userMessage = 'Cancelled.') {
    super({ service: 'local', kind: 'transient', retryable: false, userMessage });
  }
}

/** True for an AbortSignal's rejection (ours or the platform's). */
export function isAbortError(err: unknown): boolean {
  return err instanceof CancelledError || (err instanceof Error && err.name === 'AbortError');
}

/** Turns anything thrown into a ConnectorError, keeping typed ones as they are. */
export function asConnectorError(err: unknown, service: Service): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectorError({ service, kind: 'system', retryable: false, userMessage: message, cause: err });
}
