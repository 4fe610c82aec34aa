/**
 * Opens (creating and migrating if needed) the connector's local SQLite database.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase, type Database, type OpenDatabase } from './sqlite';
import { systemClock, type Clock } from '../clock';
import { auditRepo } from './audit';
import { logsRepo } from './logs';
import { migrate } from './migrations';
import { runsRepo } from './runs';
import { streamStateRepo } from './stream-state';
import type { Store } from './types';

const dayMs = 86_400_000;

/** Options for `openStore`. */
export interface OpenStoreOptions {
  clock?: Clock;
  /** The SQLite driver; default @photostructure/sqlite (sqlite.ts). Another one is for benchmarks only. */
  openDatabase?: OpenDatabase;
}

/**
 * Opens the store at `path` (':memory:' for tests), creating its folder, switching a file database
 * to WAL (readers never block the writer; a crash loses at most the last transaction) and applying
 * pending migrations.
 */
export function openStore(path: string, opts: OpenStoreOptions = {}): Store {
  const clock = opts.clock ?? systemClock;
  const memory = path === ':memory:' || path === '';
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const db = (opts.openDatabase ?? openDatabase)(path);
  try {
    if (!memory) db.pragma('journal_mode = WAL');
    // NORMAL is durable across app crashes in WAL mode (only a power loss can drop the newest
    // commits), and it is what makes ~100k+ audit rows/s possible (npm run bench:sqlite).
    db.pragma('synchronous = NORMAL');
    // The CLI and the service may open the same file; wait for a lock instead of failing at once.
    db.pragma('busy_timeout = 5000');
    // 32 MB of page cache (default 2 MB): GL detail keys arrive in WHENMODIFIED order, not key order,
    // so the (stream, record_key) index takes random inserts, and a small cache makes them disk-bound.
    db.pragma('cache_size = -32768');
    // Checkpoint every 16k pages (64 MB) instead of 1k: an audit batch with keys in random order
    // dirties ~one index page per row, and checkpointing (with its fsync) after every such commit
    // halved insert throughput in measurements. The WAL file is truncated back to 64 MB after.
    if (!memory) {
      db.pragma('wal_autocheckpoint = 16384');
      db.pragma('journal_size_limit = 67108864');
    }
    const version = migrate(db, { now: clock.now() });
    return createStore(db, version, () => clock.now());
  } catch (err) {
    db.close();
    throw err;
  }
}

function createStore(db: Database, schemaVersion: number, now: () => number): Store {
  const states = streamStateRepo(db, now);
  const runs = runsRepo(db);
  const logs = logsRepo(db);
  const audit = auditRepo(db);
  const interrupted = db.transaction((at: number) => runs.markInterrupted(at));
  const prune = db.transaction((at: number, auditDays: number, logDays: number) => ({
    // A non-positive or non-finite retention keeps everything: deleting a trail is irreversible.
    auditRows: auditDays > 0 && Number.isFinite(auditDays) ? audit.prune(at - auditDays * dayMs) : 0,
    logRows: logDays > 0 && Number.isFinite(logDays) ? logs.prune(at - logDays * dayMs) : 0,
  }));

  return {
    schemaVersion,
    database: db,
    getStreamState: (stream) => states.get(stream),
    saveStreamState: (s) => states.save(s),
    listStreamStates: () => states.list(),
    startRun: (r) => runs.start(r),
    finishRun: (runId, result) => runs.finish(runId, result),
    listRuns: (limit) => runs.list(limit),
    getRun: (runId) => runs.get(runId),
    history: (limit) => runs.history(limit),
    apiTransactionsSince: (ms) => runs.transactionsSince(ms),
    recordApiUsage: (at, what, transactions) => runs.recordUsage(at, what, transactions),
    saveStreamResult: (runId, r) => runs.saveStream(runId, r),
    saveTieOut: (runId, t) => runs.saveTieOut(runId, t),
    saveModels: (runId, m) => runs.saveModels(runId, m),
    lastModels: () => runs.lastModels(),
    markInterruptedRuns: (at) => interrupted(at),
    lastStreamRun: (stream) => runs.lastStreamRun(stream),
    lastSuccessAt: () => runs.lastSuccessAt(),
    appendLog: (e) => logs.append(e),
    queryLogs: (q) => logs.query(q),
    recordAudit: (entries) => audit.record(entries),
    markAudit: (runId, stream, requestId, patch) => audit.mark(runId, stream, requestId, patch),
    queryAudit: (q) => audit.query(q),
    exportAuditCsv: (q) => {
      let out = '';
      for (const line of audit.csvLines(q)) out += line;
      return out;
    },
    iterateAuditCsv: (q) => audit.csvLines(q),
    lastAppliedHashes: (stream, keys) => audit.lastAppliedHashes(stream, keys),
    clearAppliedHashes: (stream) => audit.clearLatest(stream),
    prune: (at, retention) => prune(at, retention.auditDays, retention.logDays),
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    close: () => {
      if (db.open) db.close();
    },
  };
}
