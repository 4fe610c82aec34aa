/**
 * One error envelope for every way a failure leaves the core (issue #13): the IPC handlers
 * (main/electron/ipc.ts), the HTTP server (main/core/server/http-server.ts) and the run record
 * (sync/run-sync.ts `errorInfo`) all describe an error with `toEnvelope`, so the renderer sees the
 * same fields whichever transport carried it.
 *
 * - A typed error (a ConnectorError, raised once where the failure was detected, errors.ts) keeps
 *   its message (written for a finance user, with what to do next), service, code, kind, retryable
 *   flag, and a ValidationError its field messages.
 * - A refused payload says what is wrong with it and never echoes it (INVALID_REQUEST).
 * - A cancelled run is CANCELLED.
 * - Anything else is unexpected: its message may hold a path, a stack-ish detail or, through an
 *   upstream echo, a secret, so the page only gets a generic message and a reference; the caller's
 *   `onUnexpected` gets the error with the same reference to log, where a person with access to
 *   the machine (or the support bundle, which redacts secrets) finds it.
 */
import { randomBytes } from 'node:crypto';
import { ConnectorError, ValidationError, isAbortError } from '../errors';
import { InvalidRequestError } from './request-validation';
import type { ErrorInfo } from '../../../shared/types';

/** What an envelope carries about a failure (shared/http-api.ts ApiEnvelope's `error`). */
export type ErrorEnvelope = ErrorInfo & { fields?: Record<string, string> };

export interface EnvelopeOptions {
  /** Told about an unexpected error and the reference its envelope shows (to log it). */
  onUnexpected?: (reference: string, err: unknown) => void;
  /** Makes the reference of an unexpected error (default: 8 random hex digits). */
  reference?: () => string;
}

/** The generic message of an unexpected error. */
export const unexpectedMessage = (reference: string) =>
  `Something went wrong inside ml-connector (reference ${reference}). Try again; if it keeps happening, export a support bundle from the Logs page and quote the reference.`;

/** Describes `err` for the page; never a stack, a cause chain or an unexpected error's own text. */
export function toEnvelope(err: unknown, opts: EnvelopeOptions = {}): ErrorEnvelope {
  if (err instanceof InvalidRequestError) {
    return { message: `Invalid request: ${err.issues.join('; ')}`, service: 'local', code: 'INVALID_REQUEST', kind: 'config', retryable: false };
  }
  if (isAbortError(err)) return { message: 'The run was cancelled.', service: 'local', code: 'CANCELLED', kind: 'transient', retryable: false };
  if (err instanceof ConnectorError) {
    const fields = err instanceof ValidationError && Object.keys(err.fields).length ? { fields: { ...err.fields } } : {};
    return { message: err.userMessage, service: err.service, ...(err.code ? { code: err.code } : {}), kind: err.kind, retryable: err.retryable, ...fields };
  }
  const reference = (opts.reference ?? (() => randomBytes(4).toString('hex')))();
  opts.onUnexpected?.(reference, err);
  return { message: unexpectedMessage(reference), service: 'local', code: 'INTERNAL', kind: 'system', retryable: false, reference };
}

/** One line for the log about an unexpected error: its name and message, never its stack. */
export function describeUnexpected(reference: string, err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return `Unexpected error (reference ${reference}): ${text}`;
}
