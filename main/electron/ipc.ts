/**
 * The IPC side of the contract: one `ipcMain.handle` per operation of shared/ipc-contract.ts.
 *
 * This file and the preload are the only users of raw IPC. Every handler checks the sender (a
 * window the shell created, showing the app's own page) and validates the payload before the
 * service sees it; answers are ApiEnvelopes so the renderer gets typed errors, not strings, described
 * by toEnvelope exactly as the HTTP server describes them (core/api/error-envelope.ts).
 */
import { OPERATIONS, channelOf, type ConnectorApi, type Operation } from '../../shared/ipc-contract';
import type { ApiEnvelope } from '../../shared/http-api';
import type { ErrorInfo } from '../../shared/types';
import { InvalidRequestError, validateRequest } from '../core/api/request-validation';
import { toEnvelope } from '../core/api/error-envelope';
import type { IpcMainInvokeEventLike, IpcMainLike } from './electron-surface';
import type { TrustedSenders } from './trusted-senders';

/** What the shell needs of the core service: every operation (events are pushed separately). */
export type ServiceOperations = Omit<ConnectorApi, 'onEvent'>;

export interface IpcOptions {
  /** True for the URL of the app's own page (app://ml-connector/index.html, any route). */
  isAppUrl: (url: string) => boolean;
  /** Told about refused calls (logged by the shell without payloads). */
  onRefused?: (op: Operation, reason: string) => void;
  /** Told about an unexpected error (with the reference its answer shows), to log it: the answer never carries its text. */
  onUnexpected?: (op: Operation, reference: string, err: unknown) => void;
}

/** Registers every operation; returns a function that removes them all. */
export function registerIpcHandlers(ipcMain: IpcMainLike, service: ServiceOperations, trusted: TrustedSenders, options: IpcOptions): () => void {
  for (const op of OPERATIONS) {
    ipcMain.handle(channelOf(op), async (event: IpcMainInvokeEventLike, payload?: unknown) => {
      const refusal = checkSender(event, trusted, options);
      if (refusal) {
        options.onRefused?.(op, refusal);
        return fail({ message: 'Refused: this window is not allowed to control ml-connector.', service: 'local', code: 'UNTRUSTED_SENDER' });
      }
      try {
        const request = validateRequest(op, payload);
        const call = service[op] as (r: unknown) => Promise<unknown>;
        return { ok: true, result: await call.call(service, request) } satisfies ApiEnvelope<unknown>;
      } catch (err) {
        if (err instanceof InvalidRequestError) options.onRefused?.(op, 'invalid payload');
        return fail(toEnvelope(err, { onUnexpected: (reference, e) => options.onUnexpected?.(op, reference, e) }));
      }
    });
  }
  return () => OPERATIONS.forEach((op) => ipcMain.removeHandler(channelOf(op)));
}

function checkSender(event: IpcMainInvokeEventLike, trusted: TrustedSenders, options: IpcOptions): string | null {
  if (!trusted.has(event.sender.id)) return 'unknown sender';
  const url = event.senderFrame?.url;
  if (!url || !options.isAppUrl(url)) return 'sender frame is not the app page';
  return null;
}

function fail(error: ErrorInfo & { fields?: Record<string, string> }): ApiEnvelope<never> {
  return { ok: false, error };
}
