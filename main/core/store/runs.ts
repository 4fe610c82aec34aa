/**
 * Runs, their per-stream results and tie-outs.
 */
import type { Database } from './sqlite';
import type { ErrorInfo, HistoryPoint, RunDetail, RunSummary, StreamName, StreamRunResult, TieOut } from '../../../shared/types';
import type { ModelsRun } from '../../../shared/models';
import type { RunFinish, RunStart, StreamLastRun } from './types';

/** The error an interrupted run is given (the sync resumes from its checkpoints). */
export const interruptedRunMessage = 'The app stopped during this run; the next run resumes from the last checkpoint.';

interface RunRow {
  run_id: string;
  trigger: string;
  started_at: number;
  finished_at: number | null;
  outcome: string;
  rows_moved: number;
  duration_ms: number | null;
  api_transactions: number;
  error_json: string | null;
}

interface StreamRow {
  stream: string;
  outcome: string;
  rows_read: number;
  rows_upserted: number;
  rows_deleted: number;
  duration_ms: number;
  full_load: number;
  api_transactions: number;
  error_json: string | null;
}

function parseJson<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

function toSummary(r: RunRow): RunSummary {
  return {
    runId: r.run_id,
    trigger: r.trigger as RunSummary['trigger'],
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome as RunSummary['outcome'],
    rowsMoved: r.rows_moved,
    durationMs: r.duration_ms,
    apiTransactions: r.api_transactions,
    error: parseJson<ErrorInfo>(r.error_json),
  };
}

function toStreamResult(r: StreamRow): StreamRunResult {
  const result: StreamRunResult = {
    stream: r.stream as StreamName,
    outcome: r.outcome as StreamRunResult['outcome'],
    rowsRead: r.rows_read,
    rowsUpserted: r.rows_upserted,
    rowsDeleted: r.rows_deleted,
    durationMs: r.duration_ms,
    fullLoad: r.full_load === 1,
    apiTransactions: r.api_transactions,
  };
  const error = parseJson<ErrorInfo>(r.error_json);
  if (error) result.error = error;
  return result;
}

/** Reads and writes runs, run_streams and tie_outs. */
export function runsRepo(db: Database) {
  const insertRun = db.prepare(`INSERT INTO runs (run_id, trigger, started_at, outcome) VALUES (?, ?, ?, 'running')`);
  const finish = db.prepare(
    `UPDATE runs SET finished_at = @finishedAt, outcome = @outcome, rows_moved = @rowsMoved,
       api_transactions = @apiTransactions, error_json = @error,
       duration_ms = COALESCE(@durationMs, @finishedAt - started_at)
     WHERE run_id = @runId`,
  );
  const list = db.prepare<[number], RunRow>('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?');
  const one = db.prepare<[string], RunRow>('SELECT * FROM runs WHERE run_id = ?');
  const streamsOf = db.prepare<[string], StreamRow>('SELECT * FROM run_streams WHERE run_id = ? ORDER BY seq');
  const tieOutOf = db.prepare<[string], { tie_out_json: string }>('SELECT tie_out_json FROM tie_outs WHERE run_id = ?');
  const modelsOf = db.prepare<[string], { models_json: string }>('SELECT models_json FROM run_models WHERE run_id = ?');
  const putModels = db.prepare(
    `INSERT INTO run_models (run_id, models_json) VALUES (?, ?) ON CONFLICT (run_id) DO UPDATE SET models_json = excluded.models_json`,
  );
  const newestModels = db.prepare<[], { models_json: string }>(
    `SELECT m.models_json FROM run_models m JOIN runs r ON r.run_id = m.run_id WHERE r.outcome != 'running' ORDER BY r.started_at DESC, r.rowid DESC LIMIT 1`,
  );
  const txSince = db.prepare<[number, number], { n: number | null }>(
    `SELECT (SELECT IFNULL(SUM(api_transactions), 0) FROM runs WHERE started_at >= ?)
          + (SELECT IFNULL(SUM(transactions), 0) FROM api_usage WHERE at >= ?) AS n`,
  );
  const putUsage = db.prepare<[number, string, number]>('INSERT INTO api_usage (at, what, transactions) VALUES (?, ?, ?)');
  const hist = db.prepare<[number], RunRow>(
    `SELECT * FROM (SELECT * FROM runs WHERE outcome != 'running' ORDER BY started_at DESC, rowid DESC LIMIT ?)
     ORDER BY started_at ASC`,
  );
  const putStream = db.prepare(
    `INSERT INTO run_streams (run_id, stream, outcome, rows_read, rows_upserted, rows_deleted, duration_ms, full_load, api_transactions, error_json)
     VALUES (@runId, @stream, @outcome, @rowsRead, @rowsUpserted, @rowsDeleted, @durationMs, @fullLoad, @apiTransactions, @error)
     ON CONFLICT (run_id, stream) DO UPDATE SET outcome = excluded.outcome, rows_read = excluded.rows_read,
       rows_upserted = excluded.rows_upserted, rows_deleted = excluded.rows_deleted, duration_ms = excluded.duration_ms,
       full_load = excluded.full_load, api_transactions = excluded.api_transactions, error_json = excluded.error_json`,
  );
  const putTieOut = db.prepare(
    `INSERT INTO tie_outs (run_id, ok, tie_out_json) VALUES (?, ?, ?)
     ON CONFLICT (run_id) DO UPDATE SET ok = excluded.ok, tie_out_json = excluded.tie_out_json`,
  );
  const running = db.prepare<[], { run_id: string }>(`SELECT run_id FROM runs WHERE outcome = 'running'`);
  const interrupt = db.prepare(
    `UPDATE runs SET outcome = 'failed', finished_at = ?, duration_ms = NULL, error_json = ? WHERE run_id = ? AND outcome = 'running'`,
  );
  // 'skipped' means the run stopped before reaching the stream (e.g. a bad password), which says
  // nothing about it. CROSS JOIN keeps runs as the outer loop, walked newest first on runs_started,
  // so the answer is usually the first row (the planner would otherwise scan every stream result).
  const lastRan = db.prepare<[string], StreamRow & { run_id: string; run_started_at: number }>(
    `SELECT rs.*, r.started_at AS run_started_at
     FROM runs r CROSS JOIN run_streams rs ON rs.run_id = r.run_id AND rs.stream = ?
     WHERE r.outcome != 'running' AND rs.outcome != 'skipped'
     ORDER BY r.started_at DESC, r.rowid DESC LIMIT 1`,
  );
  const lastSuccess = db.prepare<[], { at: number | null }>(`SELECT MAX(finished_at) AS at FROM runs WHERE outcome IN ('succeeded', 'partial')`);

  return {
    start(r: RunStart): void {
      insertRun.run(r.runId, r.trigger, r.startedAt);
    },
    finish(runId: string, f: RunFinish): void {
      finish.run({
        runId,
        finishedAt: f.finishedAt,
        outcome: f.outcome,
        rowsMoved: f.rowsMoved,
        apiTransactions: f.apiTransactions,
        error: f.error ? JSON.stringify(f.error) : null,
        durationMs: f.durationMs ?? null,
      });
    },
    list(limit: number): RunSummary[] {
      return list.all(Math.max(0, Math.trunc(limit))).map(toSummary);
    },
    get(runId: string): RunDetail | null {
      const r = one.get(runId);
      if (!r) return null;
      const t = tieOutOf.get(runId);
      const m = modelsOf.get(runId);
      const models = m ? parseJson<ModelsRun>(m.models_json) : null;
      return {
        ...toSummary(r),
        streams: streamsOf.all(runId).map(toStreamResult),
        tieOut: t ? parseJson<TieOut>(t.tie_out_json) : null,
        ...(models ? { models } : {}),
      };
    },
    transactionsSince(ms: number): number {
      return txSince.get(ms, ms)?.n ?? 0;
    },
    recordUsage(at: number, what: string, transactions: number): void {
      if (transactions > 0) putUsage.run(at, what, transactions);
    },
    history(limit: number): HistoryPoint[] {
      return hist.all(Math.max(0, Math.trunc(limit))).map((r) => ({
        runId: r.run_id,
        startedAt: r.started_at,
        rowsMoved: r.rows_moved,
        durationMs: r.duration_ms ?? 0,
        outcome: r.outcome as RunSummary['outcome'],
      }));
    },
    saveStream(runId: string, s: StreamRunResult): void {
      putStream.run({
        runId,
        stream: s.stream,
        outcome: s.outcome,
        rowsRead: s.rowsRead,
        rowsUpserted: s.rowsUpserted,
        rowsDeleted: s.rowsDeleted,
        durationMs: s.durationMs,
        fullLoad: s.fullLoad ? 1 : 0,
        apiTransactions: s.apiTransactions,
        error: s.error ? JSON.stringify(s.error) : null,
      });
    },
    saveTieOut(runId: string, t: TieOut): void {
      putTieOut.run(runId, t.ok ? 1 : 0, JSON.stringify(t));
    },
    saveModels(runId: string, m: ModelsRun): void {
      putModels.run(runId, JSON.stringify(m));
    },
    lastModels(): ModelsRun | null {
      const m = newestModels.get();
      return m ? parseJson<ModelsRun>(m.models_json) : null;
    },
    /** Crash time is unknown, so finishedAt is when the crash was noticed and the duration stays null. */
    markInterrupted(now: number): number {
      let n = 0;
      for (const { run_id } of running.all()) {
        const error: ErrorInfo = { message: interruptedRunMessage, service: 'local', code: 'INTERRUPTED', runId: run_id };
        n += interrupt.run(now, JSON.stringify(error), run_id).changes;
      }
      return n;
    },
    lastStreamRun(stream: StreamName): StreamLastRun | null {
      const r = lastRan.get(stream);
      return r ? { runId: r.run_id, startedAt: r.run_started_at, result: toStreamResult(r) } : null;
    },
    lastSuccessAt(): number | null {
      return lastSuccess.get()?.at ?? null;
    },
  };
}
