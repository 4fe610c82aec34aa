/**
 * The audit and ledger write statements as they were while better-sqlite3 was the product's driver
 * (commit 228066a^, before "SQLite through libsql"): the baseline issue 10 compares the product's driver with
 * ("the audit trail and ledger write rates must not drop"). `npm run bench:sqlite -- --code old`
 * runs them instead of today's for the three measures whose statements changed since:
 * - auditRecord: entries sorted by (stream, record key as text), then 100-row VALUES inserts of the
 *   10 columns of that time (document, vendor and journal came with schema 5; the bench's entries
 *   have none, so the rows stored are the same);
 * - ledgerStage: one 8-value INSERT per entry;
 * - ledgerHashes: one indexed SELECT per key.
 * markAudit and the ledger commit are unchanged since then (only the tables' names), so the bench
 * runs today's for both codes. Same tables, pragmas and transactions as today's code.
 */
import type { Database } from '../main/core/store/sqlite';
import type { LedgerEntry } from '../main/core/sync/ledger';
import type { AuditEntry } from '../shared/types';

const rowsPerInsert = 100;
const columns = '(run_id, stream, record_key, when_modified, content_hash, action, request_id, job_id, result, at)';
const placeholders = (n: number) => Array.from({ length: n }, () => '(?,?,?,?,?,?,?,?,?,?)').join(',');
const byStreamAndKey = (a: AuditEntry, b: AuditEntry): number =>
  a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : a.recordKey < b.recordKey ? -1 : a.recordKey > b.recordKey ? 1 : 0;

/** The old statements on `db` (a store's database, at today's schema). */
export function oldCode(db: Database) {
  const insertMany = db.prepare(`INSERT INTO audit ${columns} VALUES ${placeholders(rowsPerInsert)}`);
  const insertOne = db.prepare(`INSERT INTO audit ${columns} VALUES ${placeholders(1)}`);
  const flat = (e: AuditEntry, out: unknown[]) => {
    out.push(e.runId, e.stream, e.recordKey, e.whenModified, e.contentHash, e.action, e.requestId, e.jobId, e.result, e.at);
  };
  const insertAll = db.transaction((entries: readonly AuditEntry[]) => {
    let i = 0;
    const params: unknown[] = [];
    for (; i + rowsPerInsert <= entries.length; i += rowsPerInsert) {
      params.length = 0;
      for (let j = i; j < i + rowsPerInsert; j++) flat(entries[j]!, params);
      insertMany.run(params);
    }
    for (; i < entries.length; i++) {
      params.length = 0;
      flat(entries[i]!, params);
      insertOne.run(params);
    }
  });
  const getHash = db.prepare<[string, string], { hash: string }>('SELECT hash FROM ledger_held WHERE stream = ? AND record_key = ?');
  const insertStaged = db.prepare(
    'INSERT INTO ledger_staged (request_id, stream, record_key, hash, op, account, period, amount_units) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const stageAll = db.transaction((requestId: string, stream: string, entries: readonly LedgerEntry[]) => {
    for (const e of entries) {
      insertStaged.run(requestId, stream, e.key, e.hash, e.op, e.account ?? null, e.period ?? null, e.amountUnits ?? null);
    }
  });
  return {
    recordAudit(entries: readonly AuditEntry[]): void {
      if (entries.length) insertAll([...entries].sort(byStreamAndKey));
    },
    stage: (requestId: string, stream: string, entries: readonly LedgerEntry[]) => void stageAll(requestId, stream, entries),
    hashes(stream: string, keys: readonly string[]): Map<string, string> {
      const out = new Map<string, string>();
      for (const k of keys) {
        const r = getHash.get(stream, k);
        if (r) out.set(k, r.hash);
      }
      return out;
    },
  };
}
