/**
 * Per-stream state: stored as versioned JSON so its shape can evolve without a schema change, and
 * upgraded on read by `upgradeStreamState` (the state-migration hook, like Airbyte's
 * `state_migrations`). Writes always use the newest shape; sync/checkpoint.ts is the only writer.
 */
import type { Database } from './sqlite';
import type { StreamName } from '../../../shared/types';
import type { StreamCursor, StreamState } from './types';

/** The shape `saveStreamState` writes. */
export const streamStateVersion = 2;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
/** A number kept as text (the ledger's meta table stored values as TEXT). */
const numText = (v: unknown): number | null => (typeof v === 'string' && v.trim() !== '' ? num(Number(v)) : num(v));

function cursorOf(v: unknown): StreamCursor | null {
  if (!isObject(v)) return null;
  const whenModified = num(v.whenModified);
  if (whenModified === null) return null;
  return { whenModified, recordNo: num(v.recordNo) ?? str(v.recordNo) ?? 0 };
}

/** What v1 kept outside its JSON: the ledger's meta rows of the stream (table `ledger_meta`). */
export interface LegacyMeta {
  deletesSince?: string | null;
  lastReconcileAt?: string | null;
}

/** The state of a stream that never ran. */
export const newStreamState = (stream: StreamName): StreamState => ({
  stream,
  version: 2,
  cursor: null,
  datasourceId: null,
  datasourceName: null,
  columns: null,
  lastFullLoadAt: null,
  fullLoadPending: false,
  deletesSince: null,
  lastReconcileAt: null,
});

/**
 * Upgrades a stored state of any known version to the current shape.
 * - version 0 (pre-release): `{ whenModified: number | null, datasourceLuid: string | null }`, a
 *   WHENMODIFIED-only cursor. The RECORDNO tie-breaker becomes 0, which re-reads the rows at that
 *   exact WHENMODIFIED: safe, because loads upsert on the primary key.
 * - version 1: cursor, datasourceId, lastFullLoadAt, fullLoadPending, and an untyped `extra` with
 *   `datasourceName` and `columns`; `deletesSince` and `lastReconcileAt` were the ledger's meta rows
 *   (`legacy`). Unknown `extra` keys are dropped.
 * - version 2: the current shape, every field typed.
 * Anything unreadable yields a state with no cursor, i.e. a full load: slower, never wrong. A
 * missing deletion mark falls back to the cursor (deletes-audit-history.ts), and a missing reconcile mark
 * makes reconciliation due: both re-check more, never less.
 */
export function upgradeStreamState(stream: StreamName, version: number, raw: unknown, legacy: LegacyMeta = {}): StreamState {
  const o = isObject(raw) ? raw : {};
  if (version <= 0) {
    const whenModified = num(o.whenModified);
    return { ...newStreamState(stream), cursor: whenModified === null ? null : { whenModified, recordNo: 0 }, datasourceId: str(o.datasourceLuid) };
  }
  const common: StreamState = {
    ...newStreamState(stream),
    cursor: cursorOf(o.cursor),
    datasourceId: str(o.datasourceId),
    lastFullLoadAt: num(o.lastFullLoadAt),
    fullLoadPending: o.fullLoadPending === true,
  };
  if (version === 1) {
    const extra = isObject(o.extra) ? o.extra : {};
    return {
      ...common,
      datasourceName: str(extra.datasourceName),
      columns: str(extra.columns),
      deletesSince: numText(legacy.deletesSince),
      lastReconcileAt: numText(legacy.lastReconcileAt),
    };
  }
  return {
    ...common,
    datasourceName: str(o.datasourceName),
    columns: str(o.columns),
    deletesSince: num(o.deletesSince),
    lastReconcileAt: num(o.lastReconcileAt),
  };
}

/** Reads and writes the stream_state table. */
export function streamStateRepo(db: Database, now: () => number) {
  type Stored = { stream: string; version: number; state_json: string };
  const get = db.prepare<[string], Stored>('SELECT stream, version, state_json FROM stream_state WHERE stream = ?');
  const all = db.prepare<[], Stored>('SELECT stream, version, state_json FROM stream_state ORDER BY stream');
  const put = db.prepare(
    `INSERT INTO stream_state (stream, version, state_json, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (stream) DO UPDATE SET version = excluded.version, state_json = excluded.state_json, updated_at = excluded.updated_at`,
  );
  // Only read for a v1 row (schema 4 created the table; an imported ledger.sqlite filled it).
  const legacyMeta = db.prepare<[string], { name: string; value: string }>(
    "SELECT name, value FROM ledger_meta WHERE stream = ? AND name IN ('deletesSince', 'lastReconcileAt')",
  );
  const parse = (r: Stored): StreamState => {
    let raw: unknown = null;
    try {
      raw = JSON.parse(r.state_json);
    } catch {
      raw = null;
    }
    const legacy: LegacyMeta = {};
    if (r.version === 1) for (const m of legacyMeta.all(r.stream)) legacy[m.name as keyof LegacyMeta] = m.value;
    return upgradeStreamState(r.stream as StreamName, r.version, raw, legacy);
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
        datasourceName: s.datasourceName,
        columns: s.columns,
        lastFullLoadAt: s.lastFullLoadAt,
        fullLoadPending: s.fullLoadPending,
        deletesSince: s.deletesSince,
        lastReconcileAt: s.lastReconcileAt,
      };
      put.run(s.stream, streamStateVersion, JSON.stringify(body), now());
    },
  };
}
