/**
 * ConnectorApi over HTTP + Server-Sent Events, for served mode (`ml-connector serve`).
 *
 * Carries exactly the contract of shared/ipc-contract.ts the way shared/http-api.ts describes it,
 * so pages cannot tell it from the Electron preload.
 */
import type { ConnectorApi, Operation, RequestOf, ResponseOf } from '../../shared/ipc-contract';
import { OPERATIONS } from '../../shared/ipc-contract';
import type { ApiEnvelope } from '../../shared/http-api';
import { API_PREFIX, EVENTS_PATH } from '../../shared/http-api';
import type { ServiceEvent } from '../../shared/types';
import { ApiCallError } from './api-error';

/** What the client needs from the browser; injectable so it can run against a fake. */
export interface HttpClientOptions {
  /** Origin of the server, '' = same origin. */
  baseUrl?: string;
  token: string | null;
  fetch?: typeof window.fetch;
  createEventSource?: (url: string) => EventSource;
}

/**
 * A front end that can tell when it has lost the service: served mode knows from its event stream
 * (the preload's IPC cannot lose the main process, so it has no such method).
 */
export interface ConnectionAware {
  /** Calls `listener(false)` when the event stream drops, `listener(true)` when it is back; returns the unsubscribe function. */
  onConnection(listener: (connected: boolean) => void): () => void;
}

/** True when the API reports its connection (served mode). */
export function isConnectionAware(api: object): api is ConnectionAware {
  return typeof (api as Partial<ConnectionAware>).onConnection === 'function';
}

/** Builds a ConnectorApi that POSTs each operation and listens to one shared SSE stream. */
export function createHttpClient(opts: HttpClientOptions): ConnectorApi & ConnectionAware {
  const base = opts.baseUrl ?? '';
  const doFetch = opts.fetch ?? window.fetch.bind(window);
  const openSource = opts.createEventSource ?? ((url: string) => new EventSource(url));

  async function call<O extends Operation>(op: O, request: RequestOf<O> | undefined): Promise<ResponseOf<O>> {
    let response: Response;
    try {
      response = await doFetch(`${base}${API_PREFIX}${op}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
        },
        body: JSON.stringify(request ?? null),
      });
    } catch {
      setConnected(false);
      throw new ApiCallError({ service: 'local', message: 'Cannot reach the ml-connector service. Check that it is still running, then reload this page.' });
    }
    // An answer while the event stream is up: the service is reachable (again).
    if (source?.readyState === 1) setConnected(true);
    if (response.status === 401 || response.status === 403) {
      throw new ApiCallError({
        service: 'local',
        code: 'UNAUTHORIZED',
        message: 'This page is not signed in to the service. Open the link (with #token=…) that `ml-connector serve` printed.',
      });
    }
    let envelope: ApiEnvelope<ResponseOf<O>>;
    try {
      envelope = (await response.json()) as ApiEnvelope<ResponseOf<O>>;
    } catch {
      throw new ApiCallError({ service: 'local', message: `The service answered ${op} with HTTP ${response.status} and no readable body.` });
    }
    if (!envelope.ok) {
      const { fields, ...info } = envelope.error;
      throw new ApiCallError(info, fields);
    }
    return envelope.result;
  }

  const listeners = new Set<(event: ServiceEvent) => void>();
  let source: EventSource | null = null;
  let hadError = false;
  const connectionListeners = new Set<(connected: boolean) => void>();
  let connected = true;
  function setConnected(value: boolean): void {
    if (value === connected) return;
    connected = value;
    for (const l of [...connectionListeners]) l(value);
  }

  const dispatch = (event: ServiceEvent) => {
    for (const l of [...listeners]) l(event);
  };

  function open(): void {
    const url = `${base}${EVENTS_PATH}${opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''}`;
    source = openSource(url);
    source.onmessage = (msg: MessageEvent<string>) => {
      try {
        dispatch(JSON.parse(msg.data) as ServiceEvent);
      } catch {
        // A malformed line is dropped: the next status event resynchronises the page.
      }
    };
    // EventSource reconnects by itself; events sent while it was down are lost, so fetch a fresh
    // status once it is back rather than show a stale one.
    source.onerror = () => {
      hadError = true;
      // CLOSED: the browser gave up (the token was refused); CONNECTING: it is retrying. Either way the
      // page no longer hears from the service.
      setConnected(false);
    };
    source.onopen = () => {
      setConnected(true);
      if (!hadError) return;
      hadError = false;
      call('getStatus', undefined).then(
        (status) => dispatch({ type: 'status', status }),
        () => undefined,
      );
    };
  }

  const api = Object.fromEntries(OPERATIONS.map((op) => [op, (request?: unknown) => call(op, request as never)])) as Omit<ConnectorApi, 'onEvent'>;
  return {
    ...api,
    onConnection(listener: (connected: boolean) => void) {
      connectionListeners.add(listener);
      return () => void connectionListeners.delete(listener);
    },
    onEvent(listener: (event: ServiceEvent) => void) {
      listeners.add(listener);
      if (!source) open();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  } as ConnectorApi & ConnectionAware;
}
