/**
 * Streams whose replica table missed a batch Tableau applied: the table is stale until the
 * stream's next full load replaces it.
 *
 * Kept in a small JSON file beside the replica, written with plain fs (temp file + rename), not in
 * the replica itself: the usual reason for a missed batch is that hyperd failed, and then nothing
 * can be written through hyperd. A mark must outlive the process, or the next run would apply its
 * batches on top of the gap and the table would look current while missing rows.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Why a stream's table is stale, and since when (UTC ms). */
export interface StaleMark {
  reason: string;
  at: number;
}

export interface StaleMarks {
  get(stream: string): StaleMark | undefined;
  all(): ReadonlyMap<string, StaleMark>;
  set(stream: string, mark: StaleMark): void;
  clear(stream: string): void;
  /** Forgets every mark (a new, empty replica file has no table to be stale). */
  clearAll(): void;
}

/** The marks in `path`; an unreadable file counts as none (its streams then fail the meta check or are rebuilt). */
export function openStaleMarks(path: string): StaleMarks {
  const marks = new Map<string, StaleMark>();
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, StaleMark>;
    for (const [k, v] of Object.entries(parsed)) if (v && typeof v.reason === 'string' && typeof v.at === 'number') marks.set(k, v);
  } catch {
    // Missing (the usual case) or unreadable.
  }
  const save = () => {
    if (marks.size === 0) {
      rmSync(path, { force: true });
      return;
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(marks), null, 1), { mode: 0o600 });
    renameSync(tmp, path);
  };
  return {
    get: (s) => marks.get(s),
    all: () => marks,
    set(stream, mark) {
      marks.set(stream, mark);
      save();
    },
    clear(stream) {
      if (marks.delete(stream)) save();
    },
    clearAll() {
      marks.clear();
      save();
    },
  };
}
