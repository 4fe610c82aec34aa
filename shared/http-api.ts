/**
 * How the headless server (`ml-connector serve`) carries the contract of ipc-contract.ts over
 * HTTP, so the same renderer runs in Electron (IPC) and in any browser (served mode).
 *
 * - The server listens on 127.0.0.1 only and makes a random token per launch. It prints
 *   `http://127.0.0.1:<port>/#token=<token>`; the renderer reads the token from the URL fragment
 *   (never sent in a Referer or a server log) and keeps it in sessionStorage.
 * - Operations: `POST /api/<operation>` with header `Authorization: Bearer <token>` and the request
 *   as the JSON body (`null` for void). The answer is an `ApiEnvelope`.
 * - Events: `GET /api/events?token=<token>` is a Server-Sent Events stream (EventSource cannot set
 *   headers); each `data:` line is one JSON ServiceEvent.
 * - Static files of the built renderer are served from `/`.
 */
import type { ErrorInfo } from './types';

export const API_PREFIX = '/api/';
export const EVENTS_PATH = '/api/events';

export type ApiEnvelope<T> = { ok: true; result: T } | { ok: false; error: ErrorInfo & { fields?: Record<string, string> } };
