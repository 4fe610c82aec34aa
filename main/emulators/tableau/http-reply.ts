/**
 * Writing responses: `tsResponse` bodies (XML or JSON) and the injected faults, which look like
 * what the real service and the proxies in front of it send (tableau-rest.md §8).
 */
import type { ServerResponse } from 'node:http';
import type { FaultPlan, TableauFaultKind } from './faults';
import { errorElement, render, type TsElement } from './ts-response';

/** Sends `body` (none = no content) as XML, or JSON when the client asked for it. */
export function sendBody(
  res: ServerResponse,
  status: number,
  body: readonly TsElement[] | undefined,
  wantsJson: boolean,
  apiVersion: string,
  headers: Record<string, string> = {},
): void {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const r = render(body, wantsJson, apiVersion);
  res.writeHead(status, { 'Content-Type': r.contentType, ...headers });
  res.end(r.body);
}

function sendHtml(res: ServerResponse, status: number, title: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/html', ...headers });
  res.end(
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`,
  );
}

/** Sends an injected fault; returns the status sent. */
export function sendFault(
  res: ServerResponse,
  kind: Exclude<TableauFaultKind, 'jobFail' | 'jobCancel'>,
  plan: FaultPlan,
  wantsJson: boolean,
  apiVersion: string,
  retryAfterSeconds: number,
): number {
  if (kind === 'expire401') {
    sendBody(res, 401, [errorElement('401002', 'Unauthorized Access', 'Invalid authentication credentials were provided.')], wantsJson, apiVersion);
    return 401;
  }
  if (kind === 'http429') {
    // The Cloud KB describes an HTML 429 page; TSC #952 shows a 429000 tsResponse: both occur.
    // Retry-After on Cloud is UNCONFIRMED (§8): half of the 429s carry it, half do not, so a client
    // must both honour it and back off on its own without it.
    const headers: Record<string, string> = plan.next() < 0.5 ? { 'Retry-After': String(retryAfterSeconds) } : {};
    if (plan.next() < 0.5) sendHtml(res, 429, '429 Too Many Requests', headers);
    else sendBody(res, 429, [errorElement('429000', 'Too Many Requests', 'Too many requests in the allotted amount of time.')], wantsJson, apiVersion, headers);
    return 429;
  }
  const r = plan.next();
  if (r < 1 / 3) {
    sendBody(res, 500, [errorElement('500000', 'Internal Server Error', 'An unexpected error occurred on the server.')], wantsJson, apiVersion);
    return 500;
  }
  // Proxy pages (Cloudflare and the like, TSC #1174) are HTML, not tsResponse.
  const status = r < 2 / 3 ? 502 : 503;
  sendHtml(res, status, status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable');
  return status;
}
