/**
 * The last refresh of each dependent data source (Settings › Tableau › Dependent data sources), as
 * the runs reported them, kept in one small JSON file in the data folder. The service is its only
 * owner: a run's results replace the entries of the names it refreshed; Status reads them to list
 * each dependent data source with its last refresh time and job result (issue #14 point 1).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { DependentRefresh, DependentStatus } from '../../../shared/types';

export interface DependentRefreshLog {
  /** Records a run's refreshes (newest wins per name). */
  record(results: readonly DependentRefresh[]): void;
  /** The listed names, in order, each with its last refresh (null: never refreshed). */
  status(names: readonly string[]): DependentStatus[];
}

/** Opens the log at `path` (created on the first record); an unreadable file counts as empty. */
export function openDependentRefreshLog(path: string): DependentRefreshLog {
  let byName = new Map<string, DependentRefresh>();
  try {
    if (existsSync(path)) {
      const list = JSON.parse(readFileSync(path, 'utf8')) as DependentRefresh[];
      if (Array.isArray(list)) byName = new Map(list.filter((d) => d && typeof d.name === 'string').map((d) => [d.name, d]));
    }
  } catch {
    // A damaged file only loses the "last refresh" column until the next run writes it again.
  }
  return {
    record(results) {
      if (!results.length) return;
      for (const r of results) byName.set(r.name, r);
      // Written next to it and renamed, so a crash never leaves half a file.
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, JSON.stringify([...byName.values()], null, 2), { mode: 0o600 });
      renameSync(tmp, path);
    },
    status(names) {
      return names.map((name) => ({ name, last: byName.get(name) ?? null }));
    },
  };
}
