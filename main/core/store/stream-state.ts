/**
 * Per-stream state: stored as versioned JSON so its shape can evolve without a schema change, and
 * upgraded on read by `upgradeStreamState` (the state-migration hook, like Airbyte's
 * `state_migrations`). Writes always use the newest shape.
 */
import type { Database } from './sqlite';
import type { StreamName } from '../../../shared/types';
import type { StreamCursor, StreamState, StreamStateExtra } from './types';

/** The shape `saveStreamState` writes. */
export const streamStateVersion = 1;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function cursorOf(v: unknown): StreamCursor | null {
  if (!isObject(v)) return null;
  const whenModified = num(v.whenModified);
  if (whenModified === null) return null;
  return { whenModified, recordNo: num(v.recordNo) ?? str(v.recordNo) ?? 0 };
}

function extraOf(v: unknown): StreamStateExtra | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = x;
  }
  return out;
}

/**
 * Upgrades a stored state of any known version to the current shape.
 * - version 0 (pre-release): `{ whenModified: number | null, datasourceLuid: string | null }`, a
 *   WHENMODIFIED-only cursor. The RECORDNO tie-breaker becomes 0, which re-reads the rows at that
 *   exact WHENMODIFIED: safe, because loads upsert on the primary key.
 * - version 1: the current shape.
 * Anything unreadable yields a state with no cursor, i.e. a full load: slower, never wrong.
 */
export function upgradeStreamState(stream: StreamName, version: number, raw: unknown): StreamState {
  const o = isObject(raw) ? raw : {};
  if (version <= 0) {
    const whenModified = num(o.whenModified);
    return {
      stream,
      cursor: whenModified === null ? null : { whenModified, recordNo: 0 },
      datasourceId: str(o.datasourceLuid),
      lastFullLoadAt: null,
      fullLoadPending: false,
      version: 1,
    };
  }
  const state: StreamState = {
    stream,
    cursor: cursorOf(o.cursor),
    datasourceId: str(o.datasourceId),
    lastFullLoadAt: num(o.lastFullLoadAt),
    fullLoadPending: o.fullLoadPending === true,
    version: 1,
  };
  const extra = extraOf(o.extra);
  if (extra) state.extra = extra;
  return state;
}

/** Reads and writes the stream_state table. */
export function streamStateRepo(db: Database, now: () => number) {
  const get = db.prepare<[string], { stream: string; version: number; state_json: string }>(
    'SELECT stream, version, state_json FROM stream_state WHERE stream = ?',
  );
  const all = db.prepare<[], { stream: string; version: number; state_json: string }>(
    'SELECT stream, version, state_json FROM stream_state ORDER BY stream',
  );
  const put = db.prepare(
    `INSERT INTO stream_state (stream, version, state_json, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (stream) DO UPDATE SET version = excluded.version, state_json = excluded.state_json, updated_at = excluded.updated_at`,
  );
  const parse = (r: { stream: string; version: number; state_json: string }): StreamState => {
    let raw: unknown = null;
    try {
      raw = JSON.parse(r.state_json);
    } catch {
      raw = null;
    }
    return upgradeStreamState(r.stream as StreamName, r.version, raw);
  };
  return {
    get(stream: StreamName): StreamState | null {
      const r = get.get(stream);
      return r ? parse(r) : null;
    },
    list(): StreamState[] {
      return all.all().map(parse);
    },
    save(s: StreamState): void {
      const body = {
        cursor: s.cursor ? { whenModified: s.cursor.whenModified, recordNo: s.cursor.recordNo } : null,
        datasourceId: s.datasourceId,
        lastFullLoadAt: s.lastFullLoadAt,
        fullLoadPending: s.fullLoadPending,
        ...(s.extra ? { extra: s.extra } : {}),
      };
      put.run(s.stream, streamStateVersion, JSON.stringify(body), now());
    },
  };
}
