/**
 * Picks the transport: the Electron preload's `window.mlConnector` when present, otherwise the
 * HTTP+SSE client of served mode. Pages only ever see a ConnectorApi.
 */
import type { BridgeApi, ConnectorApi } from '../../shared/ipc-contract';
import { fromBridge } from './bridge-client';
import { createHttpClient } from './http-client';
import { takeToken } from './token';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in a browser. */
    mlConnector?: BridgeApi;
  }
}

/** The API for this window; reads (and hides) the served-mode token on first use. */
export function resolveApi(): ConnectorApi {
  if (window.mlConnector) return fromBridge(window.mlConnector);
  return createHttpClient({ token: takeToken() });
}

export { ApiCallError, errorMessage } from './api-error';
