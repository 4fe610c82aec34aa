/**
 * The audit trail: one row per record extracted and loaded, and the latest applied content hash
 * per record (record_latest), which tells the engine insert vs update vs unchanged without
 * scanning the trail.
 *
 * Volume drives the design: a full GL detail load writes ~1M entries, so inserts go through a
 * cached multi-row prepared statement inside one transaction (binding once what a chunk's rows
 * share: chunked-insert.ts), `markAudit` is one indexed UPDATE per
 * Tableau batch, and exports page by id instead of holding a cursor open (a statement left open
 * on the connection keeps its read going, and the sync engine writes while a user exports).
 */
import type { Database, Statement } from './sqlite';
import type { AuditEntry, AuditQuery, StreamName } from '../../../shared/types';
import { streamDefinitions } from '../streams/definitions';
import { auditCsvHeader, auditCsvLine } from './audit-csv';
import type { AuditPatch } from './types';
import { chunkedInsert, type ChunkColumn } from './chunked-insert';

/** Rows per multi-row INSERT: at most 13 columns × 100 = 1300 parameters, well under SQLite's limit. */
const rowsPerInsert = 100;
/** Rows fetched per page by exports. */
const exportPageSize = 5000;
/** Default number of entries `queryAudit` returns. */
export const auditQueryDefaultLimit = 1000;

interface AuditRow {
  id: number;
  run_id: string;
  stream: string;
  record_key: string;
  when_modified: string | null;
  content_hash: string;
  action: string;
  request_id: string | null;
  job_id: string | null;
  result: string;
  at: number;
  document: string | null;
  vendor: string | null;
  journal: string | null;
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    runId: r.run_id,
    stream: r.stream as StreamName,
    recordKey: r.record_key,
    whenModified: r.when_modified,
    contentHash: r.content_hash,
    action: r.action as AuditEntry['action'],
    requestId: r.request_id,
    jobId: r.job_id,
    result: r.result as AuditEntry['result'],
    at: r.at,
    // Search words only where the record had them (entries before schema 5 and keys-only rows have none).
    ...(r.document !== null ? { document: r.document } : {}),
    ...(r.vendor !== null ? { vendor: r.vendor } : {}),
    ...(r.journal !== null ? { journal: r.journal } : {}),
  };
}

/** The audit columns an entry fills; record_key first, since chunkedInsert always binds the first per row. */
const auditColumns: readonly ChunkColumn<AuditEntry>[] = [
  { name: 'record_key', value: (e) => e.recordKey },
  { name: 'run_id', value: (e) => e.runId },
  { name: 'stream', value: (e) => e.stream },
  { name: 'when_modified', value: (e) => e.whenModified },
  { name: 'content_hash', value: (e) => e.contentHash },
  { name: 'action', value: (e) => e.action },
  { name: 'request_id', value: (e) => e.requestId },
  { name: 'job_id', value: (e) => e.jobId },
  { name: 'result', value: (e) => e.result },
  { name: 'at', value: (e) => e.at },
  { name: 'document', value: (e) => e.document ?? null },
  { name: 'vendor', value: (e) => e.vendor ?? null },
  { name: 'journal', value: (e) => e.journal ?? null },
];

/**
 * WHERE clause for a query, chosen so SQLite uses the right index and returns rows in id order:
 * - record key: the (stream, record_key) index; without a stream, every known stream is listed so
 *   the same index still applies (nine lookups instead of a table scan);
 * - run: the run_id index (its entries are in rowid order, so paging by id needs no sort);
 * - stream only: the unary `+` keeps SQLite off the (stream, record_key) index, which would force a
 *   sort on every page; a rowid-range scan from the last id is linear over the whole export.
 */
function whereOf(q: AuditQuery): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.recordKey !== undefined) {
    if (q.stream) {
      where.push('stream = ?');
      params.push(q.stream);
    } else {
      const names = streamDefinitions.map((d) => d.name);
      where.push(`stream IN (${names.map(() => '?').join(',')})`);
      params.push(...names);
    }
    where.push('record_key = ?');
    params.push(q.recordKey);
    if (q.runId) {
      where.push('+run_id = ?');
      params.push(q.runId);
    }
  } else if (q.runId) {
    where.push('run_id = ?');
    params.push(q.runId);
    if (q.stream) {
      where.push('+stream = ?');
      params.push(q.stream);
    }
  } else if (q.stream) {
    where.push('+stream = ?');
    params.push(q.stream);
  }
  // Search words: a part of the value, in any case (LIKE is case-insensitive for ASCII). No index
  // serves "contains", so these scan the selection above (or the trail): a search, not an export.
  for (const column of ['document', 'vendor', 'journal'] as const) {
    const text = q[column]?.trim();
    if (!text) continue;
    where.push(`${column} LIKE ? ESCAPE '\\'`);
    params.push(`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  return { sql: where.join(' AND '), params };
}

/**
 * Record keys compare as numbers when both are (RECORDNO 9 before 10, not after it as text, issue
 * #14), else as text; a stable sort keeps equal keys in their order.
 */
const NUMERIC = /^\d{1,15}$/;
export function compareRecordKeys(a: string, b: string): number {
  if (NUMERIC.test(a) && NUMERIC.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An entry with its record key as a number when the key is one (NaN otherwise), read once. */
interface Keyed {
  readonly entry: AuditEntry;
  readonly n: number;
}

/**
 * `entries` in (stream, record key) order, stable, compared as compareRecordKeys compares keys.
 * Each key is tested for being a number once, not in each of the ~n·log n comparisons: at a
 * 200,000-entry batch the regular expression in the comparator cost a tenth of recordAudit's time.
 */
function sortedByStreamAndKey(entries: readonly AuditEntry[]): AuditEntry[] {
  const keyed: Keyed[] = entries.map((entry) => ({ entry, n: NUMERIC.test(entry.recordKey) ? Number(entry.recordKey) : NaN }));
  keyed.sort((x, y) => {
    const a = x.entry;
    const b = y.entry;
    if (a.stream !== b.stream) return a.stream < b.stream ? -1 : 1;
    if (x.n === x.n && y.n === y.n) return x.n - y.n; // both numbers (NaN !== NaN)
    return a.recordKey < b.recordKey ? -1 : a.recordKey > b.recordKey ? 1 : 0;
  });
  return keyed.map((k) => k.entry);
}

/** Reads and writes the audit and record_latest tables. */
export function auditRepo(db: Database) {
  // A batch's entries share their run, stream, RequestID and result (and often more): bound once per chunk.
  const insertEntries = chunkedInsert(db, 'audit', auditColumns, rowsPerInsert);
  const mark = db.prepare(
    `UPDATE audit SET result = @result, job_id = CASE WHEN @setJob = 1 THEN @jobId ELSE job_id END
     WHERE request_id = @requestId AND run_id = @runId AND stream = @stream`,
  );
  // ORDER BY id both keeps the newest entry when a batch holds a key twice and resolves SQLite's
  // parsing ambiguity between "INSERT … SELECT" and "ON CONFLICT".
  const applyLatest = db.prepare(
    `INSERT INTO record_latest (stream, record_key, content_hash)
     SELECT stream, record_key, content_hash FROM audit
     WHERE request_id = @requestId AND run_id = @runId AND stream = @stream AND action != 'delete'
     ORDER BY id
     ON CONFLICT (stream, record_key) DO UPDATE SET content_hash = excluded.content_hash`,
  );
  const applyDeletes = db.prepare(
    `DELETE FROM record_latest WHERE stream = @stream AND record_key IN (
       SELECT record_key FROM audit WHERE request_id = @requestId AND run_id = @runId AND stream = @stream AND action = 'delete')`,
  );
  const hashes = db.prepare<[string, string], { record_key: string; content_hash: string }>(
    `SELECT record_key, content_hash FROM record_latest WHERE stream = ? AND record_key IN (SELECT value FROM json_each(?))`,
  );
  const clearLatest = db.prepare('DELETE FROM record_latest WHERE stream = ?');
  const pruneRuns = db.prepare(`DELETE FROM audit WHERE run_id IN (SELECT run_id FROM runs WHERE started_at < ? AND outcome != 'running')`);
  const cache = new Map<string, Statement<unknown[], AuditRow>>();
  const prepared = (sql: string) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare<unknown[], AuditRow>(sql);
      cache.set(sql, s);
    }
    return s;
  };
  const insertAll = db.transaction((entries: readonly AuditEntry[]) => insertEntries(entries, undefined));

  const markTx = db.transaction((runId: string, stream: StreamName, requestId: string, patch: AuditPatch): number => {
    const args = { runId, stream, requestId };
    const n = mark.run({ ...args, result: patch.result, setJob: patch.jobId === undefined ? 0 : 1, jobId: patch.jobId ?? null }).changes;
    if (patch.result === 'applied') {
      applyLatest.run(args);
      applyDeletes.run(args);
    }
    return n;
  });

  /** One page of a query, ids after `afterId`. */
  const page = (q: AuditQuery, afterId: number, limit: number): AuditRow[] => {
    const w = whereOf(q);
    const sql = `SELECT * FROM audit WHERE ${w.sql ? `${w.sql} AND ` : ''}id > ? ORDER BY id LIMIT ?`;
    return prepared(sql).all(...w.params, afterId, limit);
  };

  return {
    /**
     * Entries are written in (stream, record key) order, stable for equal keys: keys usually arrive
     * in WHENMODIFIED order, and sorted inserts sweep the key indexes once per batch instead of
     * hopping between pages (~20% faster for random-order keys, also in markAudit).
     */
    record(entries: readonly AuditEntry[]): void {
      if (entries.length) insertAll(sortedByStreamAndKey(entries));
    },
    mark(runId: string, stream: StreamName, requestId: string, patch: AuditPatch): number {
      return markTx(runId, stream, requestId, patch);
    },
    query(q: AuditQuery): AuditEntry[] {
      const limit = Math.max(1, Math.trunc(q.limit ?? auditQueryDefaultLimit));
      return page(q, 0, limit).map(toEntry);
    },
    /** CSV lines (header first), fetched a page at a time; `q.limit` caps the entries if given. */
    *csvLines(q: AuditQuery): Generator<string> {
      yield auditCsvHeader();
      let remaining = q.limit === undefined ? Infinity : Math.max(0, Math.trunc(q.limit));
      let afterId = 0;
      while (remaining > 0) {
        const rows = page(q, afterId, Math.min(exportPageSize, remaining));
        for (const r of rows) yield auditCsvLine(toEntry(r));
        if (rows.length < Math.min(exportPageSize, remaining)) return;
        remaining -= rows.length;
        afterId = rows[rows.length - 1]!.id;
      }
    },
    lastAppliedHashes(stream: StreamName, keys: readonly string[]): Map<string, string> {
      const out = new Map<string, string>();
      if (!keys.length) return out;
      for (const r of hashes.all(stream, JSON.stringify(keys))) out.set(r.record_key, r.content_hash);
      return out;
    },
    clearLatest(stream: StreamName): number {
      return clearLatest.run(stream).changes;
    },
    /** Removes the entries of runs started before `before` (whole runs, so a run's trail stays complete). */
    prune(before: number): number {
      return pruneRuns.run(before).changes;
    },
  };
}
