/**
 * The bridge the renderer sees as `window.mlConnector`: verbs, not raw IPC.
 *
 * Sandboxed preloads may only require `electron`, so this file imports nothing else at run time
 * (types and the tiny channel list are inlined by the bundler). Every answer is an ApiEnvelope,
 * handed to the page as it is: an Error thrown here would reach the page with its message only
 * (BridgeApi in shared/ipc-contract.ts says why), so the renderer throws (renderer/api/bridge-client.ts).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_CHANNEL, OPERATIONS, channelOf, type BridgeApi, type Operation } from '../shared/ipc-contract';
import type { ApiEnvelope } from '../shared/http-api';
import type { ServiceEvent } from '../shared/types';

function invoker(op: Operation) {
  return async (request?: unknown) => (await ipcRenderer.invoke(channelOf(op), request ?? null)) as ApiEnvelope<unknown>;
}

const api = Object.fromEntries(OPERATIONS.map((op) => [op, invoker(op)])) as unknown as Omit<BridgeApi, 'onEvent'>;

const bridge: BridgeApi = {
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
