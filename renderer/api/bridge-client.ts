/**
 * The Electron transport: the preload's `window.mlConnector` answers envelopes (BridgeApi in
 * shared/ipc-contract.ts says why it does not throw); this turns a failed one into the same
 * ApiCallError the HTTP client throws, with the code, fields and reference, so the pages' checks
 * (`err instanceof ApiCallError && err.fields`, the error's code) work on both transports.
 */
import { OPERATIONS, type BridgeApi, type ConnectorApi } from '../../shared/ipc-contract';
import type { ApiEnvelope } from '../../shared/http-api';
import { ApiCallError } from './api-error';

/** The ConnectorApi over the preload's bridge. */
export function fromBridge(bridge: BridgeApi): ConnectorApi {
  const call = (op: (typeof OPERATIONS)[number]) => async (request?: unknown) => {
    const envelope = (await (bridge[op] as (r?: unknown) => Promise<ApiEnvelope<unknown>>)(request)) as ApiEnvelope<unknown>;
    if (envelope.ok) return envelope.result;
    const { fields, ...info } = envelope.error;
    throw new ApiCallError(info, fields);
  };
  const api = Object.fromEntries(OPERATIONS.map((op) => [op, call(op)])) as unknown as Omit<ConnectorApi, 'onEvent'>;
  return { ...api, onEvent: (listener) => bridge.onEvent(listener) };
}
