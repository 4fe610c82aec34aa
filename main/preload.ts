/**
 * The bridge the renderer sees as `window.mlConnector`: verbs, not raw IPC (style.md §2.3).
 *
 * Sandboxed preloads may only require `electron`, so this file imports nothing else at run time
 * (types and the tiny channel list are inlined by the bundler). Every answer is an ApiEnvelope;
 * a failure becomes a thrown Error carrying the service's ErrorInfo.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_CHANNEL, OPERATIONS, channelOf, type ConnectorApi, type Operation } from '../shared/ipc-contract';
import type { ApiEnvelope } from '../shared/http-api';
import type { ServiceEvent } from '../shared/types';

function invoker(op: Operation) {
  return async (request?: unknown) => {
    const envelope = (await ipcRenderer.invoke(channelOf(op), request ?? null)) as ApiEnvelope<unknown>;
    if (envelope.ok) return envelope.result;
    throw Object.assign(new Error(envelope.error.message), { info: envelope.error });
  };
}

const api = Object.fromEntries(OPERATIONS.map((op) => [op, invoker(op)])) as unknown as Omit<ConnectorApi, 'onEvent'>;

const bridge: ConnectorApi = {
  ...api,
  onEvent(listener: (event: ServiceEvent) => void) {
    const handler = (_e: unknown, event: ServiceEvent) => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('mlConnector', bridge);
