/**
 * One-time import of a `ledger.sqlite` written by versions before schema 4, when the ledger had a
 * file of its own. Since then its tables live in connector.sqlite (store migration 4), so that a
 * confirmed batch's audit rows, held keys and checkpoint commit in one transaction.
 *
 * Crash safety: the rows are copied and a marker row is written in ONE transaction of
 * connector.sqlite; only then is the old file renamed aside (to `ledger.sqlite.imported`, kept for
 * support, never read again). A crash before the commit leaves nothing imported and the file in
 * place (the next start imports it again); a crash after it leaves the marker, so the next start
 * only renames the file. Staged rows (batches not confirmed by Tableau) are not imported: the
 * owner discards them on open anyway, and their rows are re-read from the checkpoint.
 */
import { existsSync, renameSync } from 'node:fs';
import type { Database } from './sqlite';
import { rebuildLedgerSums } from './migrations';

/** `ledger_meta` row (stream '') saying the legacy file was imported (its value: when, UTC ms). */
const MARKER = 'importedLedgerFile';

/** What `importLegacyLedger` did. */
export interface LedgerImport {
  /** Held rows copied (0 when nothing was imported). */
  heldRows: number;
  metaRows: number;
  /** Where the old file is now, or null when there was none. */
  renamedTo: string | null;
}

/**
 * Imports `ledgerPath` into `db` (the connector database, migrated to schema 4 or later) if it
 * exists, then renames it aside. Call it only as the data folder's owner, before any run.
 */
export function importLegacyLedger(db: Database, ledgerPath: string, now: number): LedgerImport {
  if (!existsSync(ledgerPath)) return { heldRows: 0, metaRows: 0, renamedTo: null };
  const done = db.prepare<[string], { value: string }>("SELECT value FROM ledger_meta WHERE stream = '' AND name = ?").get(MARKER);
  let heldRows = 0;
  let metaRows = 0;
  if (!done) {
    // ATTACH reads its -wal file too (a crash may have left rows only there); that file is renamed
    // with it below, so the renamed copy stays complete.
    db.prepare('ATTACH DATABASE ? AS legacy').run(ledgerPath);
    try {
      const tables = new Set(
        db
          .prepare<[], { name: string }>("SELECT name FROM legacy.sqlite_master WHERE type = 'table'")
          .all()
          .map((r) => r.name),
      );
      db.transaction(() => {
        // A file with no tables (created, never written) has nothing to import.
        if (tables.has('held'))
          heldRows = db
            .prepare(
              `INSERT OR REPLACE INTO ledger_held (stream, record_key, hash, account, period, amount_units)
             SELECT stream, record_key, hash, account, period, amount_units FROM legacy.held`,
            )
            .run().changes;
        if (tables.has('meta'))
          metaRows = db.prepare('INSERT OR REPLACE INTO ledger_meta (stream, name, value) SELECT stream, name, value FROM legacy.meta').run().changes;
        if (heldRows) rebuildLedgerSums(db);
        db.prepare("INSERT OR REPLACE INTO ledger_meta (stream, name, value) VALUES ('', ?, ?)").run(MARKER, String(now));
      })();
    } finally {
      db.exec('DETACH DATABASE legacy');
    }
  }
  const renamedTo = `${ledgerPath}.imported`;
  renameSync(ledgerPath, renamedTo);
  for (const side of ['-wal', '-shm', '-journal']) if (existsSync(ledgerPath + side)) renameSync(ledgerPath + side, renamedTo + side);
  return { heldRows, metaRows, renamedTo };
}
