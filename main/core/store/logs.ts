/**
 * The log: one row per line, filterable by level, run and stream, searchable by text.
 */
import type { Database, Statement } from './sqlite';
import type { LogEntry, LogLevel, LogQuery, StreamName } from '../../../shared/types';

const levelNo: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Default and maximum number of lines a query returns. */
export const logQueryDefaultLimit = 200;
export const logQueryMaxLimit = 5000;

interface LogRow {
  id: number;
  at: number;
  level: string;
  message: string;
  run_id: string | null;
  stream: string | null;
  service: string | null;
}

function toEntry(r: LogRow): LogEntry {
  const e: LogEntry = { id: r.id, at: r.at, level: r.level as LogLevel, message: r.message };
  if (r.run_id !== null) e.runId = r.run_id;
  if (r.stream !== null) e.stream = r.stream as StreamName;
  if (r.service !== null) e.service = r.service;
  return e;
}

/** Escapes LIKE wildcards so a search for "50%" finds the text "50%". */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Reads and writes the logs table. */
export function logsRepo(db: Database) {
  const insert = db.prepare('INSERT INTO logs (at, level, level_no, message, run_id, stream, service) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const cache = new Map<string, Statement<unknown[], LogRow>>();
  const prune = db.prepare('DELETE FROM logs WHERE at < ?');

  return {
    append(e: Omit<LogEntry, 'id'>): LogEntry {
      const no = levelNo[e.level] ?? levelNo.info;
      const info = insert.run(e.at, e.level, no, e.message, e.runId ?? null, e.stream ?? null, e.service ?? null);
      return { ...e, id: Number(info.lastInsertRowid) };
    },
    /** Newest first. `level` is a minimum severity; `search` is a case-insensitive substring (ASCII). */
    query(q: LogQuery): LogEntry[] {
      const where: string[] = [];
      const params: unknown[] = [];
      if (q.level) {
        where.push('level_no >= ?');
        params.push(levelNo[q.level] ?? 0);
      }
      if (q.runId) {
        where.push('run_id = ?');
        params.push(q.runId);
      }
      if (q.stream) {
        where.push('stream = ?');
        params.push(q.stream);
      }
      if (q.search) {
        where.push(`message LIKE ? ESCAPE '\\'`);
        params.push(likePattern(q.search));
      }
      if (q.beforeId !== undefined) {
        where.push('id < ?');
        params.push(q.beforeId);
      }
      const limit = Math.min(logQueryMaxLimit, Math.max(1, Math.trunc(q.limit ?? logQueryDefaultLimit)));
      const sql = `SELECT id, at, level, message, run_id, stream, service FROM logs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = db.prepare<unknown[], LogRow>(sql);
        cache.set(sql, stmt);
      }
      return stmt.all(...params, limit).map(toEntry);
    },
    prune(before: number): number {
      return prune.run(before).changes;
    },
  };
}
