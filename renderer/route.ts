/**
 * Hash routing (`#/logs?runId=…`): works from file:// in Electron and from the served origin alike,
 * and needs no server-side routes.
 */
import { useEffect, useState } from 'react';

export type Page = 'status' | 'settings' | 'logs' | 'history';
export const pages: readonly { page: Page; title: string }[] = [
  { page: 'status', title: 'Status' },
  { page: 'settings', title: 'Settings' },
  { page: 'logs', title: 'Logs' },
  { page: 'history', title: 'History' },
];

export interface Route {
  page: Page;
  params: URLSearchParams;
}

/** Parses `#/page?query`; anything unknown is the Status page. */
export function parseRoute(hash: string): Route {
  const match = /^#\/([a-z]+)(?:\?(.*))?$/.exec(hash);
  const name = match?.[1];
  const page = pages.find((p) => p.page === name)?.page ?? 'status';
  return { page, params: new URLSearchParams(match?.[2] ?? '') };
}

/** The hash for a page with optional query parameters. */
export function hrefOf(page: Page, params?: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v) query.set(k, v);
  const q = query.toString();
  return `#/${page}${q ? `?${q}` : ''}`;
}

/** The current route, following `hashchange`. */
export function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parseRoute(hash);
}
