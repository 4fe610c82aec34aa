/**
 * Versioned schema migrations for the local store.
 *
 * The schema version lives in SQLite's `user_version` header field (read without touching a table);
 * `schema_migrations` keeps a human-readable history of what was applied and when. Migrations are an
 * ordered list and each one runs in its own transaction together with the version bump, so a crash
 * mid-migration leaves the database at the previous version, never in between.
 */
import type { Database } from './sqlite';
import { ConnectorError } from '../errors';

/** One step of the schema. `version` is the schema version after it has run. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}

/**
 * The schema, in order. Never edit a released migration: add a new one at the end.
 * 1: checkpoints, runs, per-stream results, tie-outs, log.
 * 2: the audit trail and the latest applied hash per record.
 * 3: Intacct API transactions used outside runs.
 * 4: the ledger (what each Tableau data source holds), until then its own ledger.sqlite, so that a
 *    confirmed batch's audit rows, held keys and checkpoint can commit in one transaction
 *    (sync/checkpoint.ts); an existing ledger.sqlite is imported once (store/import-ledger.ts).
 *    `ledger_meta` only keeps what that import brought (v1 deletion marks, read once when a v1
 *    stream state is upgraded, stream-state.ts) and the import's marker.
 * 7: the ledger's running sums per stream × account × period (sync/ledger.ts `sums`), so the tie-out
 *    of an incremental run does not re-aggregate every held GL line.
 * (Stream state shape v2 needs no schema change: it is versioned JSON, upgraded on read.)
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    up(db) {
      db.exec(`
        CREATE TABLE stream_state (
          stream      TEXT PRIMARY KEY,
          version     INTEGER NOT NULL,
          state_json  TEXT NOT NULL,
          updated_at  INTEGER NOT NULL
        );
        CREATE TABLE runs (
          run_id            TEXT PRIMARY KEY,
          trigger           TEXT NOT NULL,
          started_at        INTEGER NOT NULL,
          finished_at       INTEGER,
          outcome           TEXT NOT NULL,
          rows_moved        INTEGER NOT NULL DEFAULT 0,
          duration_ms       INTEGER,
          api_transactions  INTEGER NOT NULL DEFAULT 0,
          error_json        TEXT
        );
        CREATE INDEX runs_started ON runs (started_at);
        CREATE TABLE run_streams (
          seq               INTEGER PRIMARY KEY,
          run_id            TEXT NOT NULL,
          stream            TEXT NOT NULL,
          outcome           TEXT NOT NULL,
          rows_read         INTEGER NOT NULL,
          rows_upserted     INTEGER NOT NULL,
          rows_deleted      INTEGER NOT NULL,
          duration_ms       INTEGER NOT NULL,
          full_load         INTEGER NOT NULL,
          api_transactions  INTEGER NOT NULL,
          error_json        TEXT,
          UNIQUE (run_id, stream)
        );
        CREATE TABLE tie_outs (
          run_id       TEXT PRIMARY KEY,
          ok           INTEGER NOT NULL,
          tie_out_json TEXT NOT NULL
        );
        CREATE TABLE logs (
          id        INTEGER PRIMARY KEY AUTOINCREMENT,
          at        INTEGER NOT NULL,
          level     TEXT NOT NULL,
          level_no  INTEGER NOT NULL,
          message   TEXT NOT NULL,
          run_id    TEXT,
          stream    TEXT,
          service   TEXT
        );
        CREATE INDEX logs_level ON logs (level_no);
        CREATE INDEX logs_run ON logs (run_id);
        CREATE INDEX logs_stream ON logs (stream);
        CREATE INDEX logs_at ON logs (at);
      `);
    },
  },
  {
    version: 2,
    name: 'audit trail',
    up(db) {
      // Index entries are ordered by rowid within equal keys, so "WHERE run_id = ? AND id > ? ORDER
      // BY id" pages a run without sorting. request_id makes markAudit one indexed UPDATE per batch.
      db.exec(`
        CREATE TABLE audit (
          id             INTEGER PRIMARY KEY,
          run_id         TEXT NOT NULL,
          stream         TEXT NOT NULL,
          record_key     TEXT NOT NULL,
          when_modified  TEXT,
          content_hash   TEXT NOT NULL,
          action         TEXT NOT NULL,
          request_id     TEXT,
          job_id         TEXT,
          result         TEXT NOT NULL,
          at             INTEGER NOT NULL
        );
        CREATE INDEX audit_stream_key ON audit (stream, record_key);
        CREATE INDEX audit_run ON audit (run_id);
        CREATE INDEX audit_request ON audit (request_id);
        -- Kept lean on purpose (it holds a row per record ever loaded and takes random-order
        -- upserts): the history of a record is in audit, this is only "what Tableau has now".
        CREATE TABLE record_latest (
          stream         TEXT NOT NULL,
          record_key     TEXT NOT NULL,
          content_hash   TEXT NOT NULL,
          PRIMARY KEY (stream, record_key)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 3,
    name: 'API use outside runs',
    up(db) {
      // Intacct bills every request: connection tests, field lookups and estimates count too.
      db.exec(`
        CREATE TABLE api_usage (
          id            INTEGER PRIMARY KEY,
          at            INTEGER NOT NULL,
          what          TEXT NOT NULL,
          transactions  INTEGER NOT NULL
        );
        CREATE INDEX api_usage_at ON api_usage (at);
      `);
    },
  },
  {
    version: 4,
    name: 'ledger',
    up(db) {
      // Same tables as ledger.sqlite had (sync/ledger.ts), prefixed now that they share the file.
      db.exec(`
        CREATE TABLE ledger_held (
          stream        TEXT NOT NULL,
          record_key    TEXT NOT NULL,
          hash          TEXT NOT NULL,
          account       TEXT,
          period        TEXT,
          amount_units  INTEGER,
          PRIMARY KEY (stream, record_key)
        ) WITHOUT ROWID;
        CREATE TABLE ledger_staged (
          request_id    TEXT NOT NULL,
          stream        TEXT NOT NULL,
          record_key    TEXT NOT NULL,
          hash          TEXT NOT NULL,
          op            TEXT NOT NULL,
          account       TEXT,
          period        TEXT,
          amount_units  INTEGER
        );
        CREATE INDEX ledger_staged_request ON ledger_staged (request_id);
        CREATE TABLE ledger_meta (
          stream  TEXT NOT NULL,
          name    TEXT NOT NULL,
          value   TEXT NOT NULL,
          PRIMARY KEY (stream, name)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 5,
    name: 'finance models of a run',
    up(db) {
      // One row per run that reached the model stage (issue 15): its models and accounting checks.
      db.exec(`
        CREATE TABLE run_models (
          run_id       TEXT PRIMARY KEY,
          models_json  TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 6,
    name: 'audit search words',
    up(db) {
      // What an accountant searches the trail by (issue #14): the document number, the vendor and
      // the journal of each record, as main/core/streams/audit-labels.ts reads them from its row.
      // Nullable, and empty for entries written before: searching them finds only newer ones.
      db.exec(`
        ALTER TABLE audit ADD COLUMN document TEXT;
        ALTER TABLE audit ADD COLUMN vendor TEXT;
        ALTER TABLE audit ADD COLUMN journal TEXT;
      `);
    },
  },
  {
    version: 7,
    name: 'ledger sums',
    up(db) {
      // The tie-out's Tableau side (sync/ledger.ts `sums`) had been a GROUP BY over every held row:
      // 4 s and more for a million GL lines on every run (bench:sync), for a batch of a few hundred.
      // Kept by the ledger's commit from then on; filled here from what is held. '' stands for NULL
      // (so the primary key matches), as the sums' map keys always did.
      db.exec(`
        CREATE TABLE ledger_sums (
          stream   TEXT NOT NULL,
          account  TEXT NOT NULL,
          period   TEXT NOT NULL,
          total    INTEGER NOT NULL,
          n        INTEGER NOT NULL,
          PRIMARY KEY (stream, account, period)
        ) WITHOUT ROWID;
      `);
      rebuildLedgerSums(db);
    },
  },
];

/**
 * Recomputes `ledger_sums` from `ledger_held` (migration 7, and after rows were written to
 * `ledger_held` other than through the ledger's commit: store/import-ledger.ts).
 */
export function rebuildLedgerSums(db: Database): void {
  db.exec(`
    DELETE FROM ledger_sums;
    INSERT INTO ledger_sums (stream, account, period, total, n)
      SELECT stream, COALESCE(account, ''), COALESCE(period, ''), COALESCE(SUM(amount_units), 0), COUNT(*)
        FROM ledger_held GROUP BY stream, COALESCE(account, ''), COALESCE(period, '');
  `);
}

/** The schema version this build writes. */
export const latestSchemaVersion: number = migrations.reduce((v, m) => Math.max(v, m.version), 0);

/** The database's schema version (0 for a new file). */
export function schemaVersionOf(db: Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Brings the database up to `target` (default: the newest migration), one transaction per step.
 * Returns the version reached. A database newer than this build is refused rather than guessed at.
 */
export function migrate(db: Database, opts: { now: number; list?: readonly Migration[]; target?: number }): number {
  const list = [...(opts.list ?? migrations)].sort((a, b) => a.version - b.version);
  const target = opts.target ?? list.reduce((v, m) => Math.max(v, m.version), 0);
  const current = schemaVersionOf(db);
  if (current > target && opts.target === undefined) {
    throw new ConnectorError({
      service: 'local',
      kind: 'config',
      retryable: false,
      code: 'STORE_TOO_NEW',
      userMessage: `The local database was written by a newer version of ML Connector (schema ${current}, this version knows ${target}). Update the app, or move the data folder aside to start fresh.`,
    });
  }
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  INTEGER NOT NULL
  )`);
  const record = db.prepare('INSERT OR REPLACE INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  let version = current;
  for (const m of list) {
    if (m.version <= version || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      record.run(m.version, m.name, opts.now);
      // user_version is part of the database header and is written inside this transaction.
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    })();
    version = m.version;
  }
  return version;
}
