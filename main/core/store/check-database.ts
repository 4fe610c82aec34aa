/**
 * Start-up check of a SQLite file (issue #12, Low): `PRAGMA quick_check` finds damaged pages and
 * indexes in a single read, so corruption is reported at start, naming the file and what to do,
 * instead of surfacing later as an export that fails or a sync that crashes.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { openDatabase, type Database } from './sqlite';
import { ConnectorError } from '../errors';

/** What each database holds and what a user loses by moving it aside (for the message). */
const REMEDY: Record<string, string> = {
  'connector.sqlite':
    "It holds the run history, the log, the audit trail, each stream's checkpoint and what each Tableau data source contains as far as the connector loaded it. Stop ml-connector, move the file aside (rename it, e.g. to connector.sqlite.damaged) and start again: a new one is created, and the next sync loads each stream in full again.",
  // Written by versions before schema 4 and imported into connector.sqlite once at start (import-ledger.ts).
  'ledger.sqlite':
    'It is the ledger of an earlier version (what each Tableau data source contains as far as the connector loaded it), which this version imports into connector.sqlite. Stop ml-connector, move the file aside (rename it, e.g. to ledger.sqlite.damaged), start again and run a full reload (ml-connector sync --full-reload with every stream) so it is rebuilt.',
};

/** A database file that cannot be used. */
export class DatabaseFileError extends ConnectorError {
  constructor(
    readonly path: string,
    problem: string,
    cause?: unknown,
  ) {
    super({
      service: 'local',
      kind: 'config',
      retryable: false,
      code: 'DATABASE_DAMAGED',
      userMessage: `The database file ${path} cannot be used: ${problem}. ${REMEDY[basename(path)] ?? 'Stop ml-connector, move the file aside and start again.'}`,
      cause,
    });
  }
}

/** Wraps an error met while opening `path` so the message names the file (e.g. "file is not a database"). */
export function databaseOpenError(path: string, err: unknown): Error {
  if (err instanceof ConnectorError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  if (/not a database|malformed|corrupt/i.test(message) || code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
    return new DatabaseFileError(path, message, err);
  return new ConnectorError({
    service: 'local',
    kind: 'system',
    retryable: false,
    userMessage: `The database file ${path} could not be opened: ${message}`,
    cause: err,
  });
}

/**
 * Runs `PRAGMA quick_check` on an existing database file (read-only); throws DatabaseFileError
 * naming the file when it is not a database or is damaged. A missing file is fine (created later).
 */
export function checkDatabaseFile(path: string): void {
  if (!existsSync(path)) return;
  let db: Database | null = null;
  try {
    // Only an existing file reaches here (checked above), so opening creates nothing.
    db = openDatabase(path, { readonly: true });
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    if (problems.length) throw new DatabaseFileError(path, `the integrity check found ${problems.length} problem(s), first: ${problems[0]}`);
  } catch (err) {
    throw databaseOpenError(path, err);
  } finally {
    db?.close();
  }
}
