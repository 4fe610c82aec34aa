/**
 * Errors raised by the Hyper engine (service 'hyper').
 *
 * hyperd is a local child process: when it cannot be found the user must install or point at it
 * (config); when it dies mid-write the write can be retried on the restarted engine (transient);
 * when it rejects our SQL or data that is a bug in the connector (system).
 */
import { ConnectorError } from '../errors';

/** No usable `hyperd` executable: the message says what to install or set. */
export class HyperdNotFoundError extends ConnectorError {
  /** Every location that was tried, in order (paths only, never secrets). */
  readonly searched: readonly string[];
  constructor(userMessage: string, searched: readonly string[]) {
    super({ service: 'hyper', kind: 'config', retryable: false, code: 'HYPERD_NOT_FOUND', userMessage, detail: { searched } });
    this.searched = searched;
  }
}

/** hyperd could not be started, or died and could not be restarted. */
export class HyperEngineError extends ConnectorError {
  constructor(userMessage: string, opts: { retryable?: boolean; code?: string; detail?: Record<string, unknown>; cause?: unknown } = {}) {
    super({
      service: 'hyper',
      kind: opts.retryable ? 'transient' : 'system',
      retryable: opts.retryable ?? false,
      code: opts.code ?? 'HYPER_ENGINE',
      userMessage,
      detail: opts.detail,
      cause: opts.cause,
    });
  }
}

/** pg's error codes that mean the connection to hyperd is gone (retry on a fresh connection). */
const connectionLost = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/**
 * Wraps an error from a hyperd session into a ConnectorError.
 *
 * A lost connection (hyperd killed or restarted) is transient; anything hyperd answered with (SQL
 * error, CSV data rejected) is a system error: retrying the same input cannot help.
 */
export function toHyperError(err: unknown, operation: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = err as { message?: unknown; code?: unknown; detail?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const lost = (code !== undefined && connectionLost.has(code)) || /Connection terminated|connection.*(closed|ended)|not queryable/i.test(message);
  return new HyperEngineError(`Hyper ${operation} failed: ${message}`, {
    retryable: lost,
    code: lost ? 'HYPER_CONNECTION_LOST' : 'HYPER_SQL',
    detail: { operation, ...(code ? { sqlState: code } : {}), ...(typeof e?.detail === 'string' ? { hyperDetail: e.detail } : {}) },
    cause: err,
  });
}
