/**
 * Tables the user asked to reload in full at the next run (Settings › Tables › "Reload in full…",
 * issue #14), kept in one small JSON file in the data folder so a restart before that run keeps
 * the request. The next run that runs such a table passes it to the engine as `fullReload`, which
 * checkpoint.plan turns into the 'reload-asked' full load (main/core/sync/checkpoint.ts); the
 * request is dropped only when that table's reload succeeded, so a failed or cancelled one is
 * asked again by the run after.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { StreamName, StreamRunResult } from '../../../shared/types';

export interface ReloadRequests {
  /** Asks for a full reload of `stream` at the next run (asking twice is asking once). */
  ask(stream: StreamName): void;
  /** The tables waiting for a full reload, in the order they were asked. */
  pending(): StreamName[];
  /** Drops the requests a run fulfilled: the tables it reloaded in full with success. */
  fulfilled(results: readonly StreamRunResult[]): void;
}

/** Opens the requests at `path` (created on the first request); an unreadable file counts as none. */
export function openReloadRequests(path: string, isStream: (s: string) => s is StreamName): ReloadRequests {
  let list: StreamName[] = [];
  try {
    if (existsSync(path)) {
      const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (Array.isArray(raw)) list = raw.filter((s): s is StreamName => typeof s === 'string' && isStream(s));
    }
  } catch {
    // A damaged file forgets the requests: the user asks again; the data in Tableau is unaffected.
  }
  const write = () => {
    // Written next to it and renamed, so a crash never leaves half a file.
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(list), { mode: 0o600 });
    renameSync(tmp, path);
  };
  return {
    ask(stream) {
      if (list.includes(stream)) return;
      list = [...list, stream];
      write();
    },
    pending: () => [...list],
    fulfilled(results) {
      const done = new Set(results.filter((r) => r.fullLoad && r.outcome === 'succeeded').map((r) => r.stream));
      if (!list.some((s) => done.has(s))) return;
      list = list.filter((s) => !done.has(s));
      write();
    },
  };
}
