/**
 * The ledger: what each Tableau data source holds, as far as the connector loaded it.
 *
 * Tableau's REST API cannot read rows back, so the engine keeps, per stream, the key, content hash
 * and (for tie-out streams) account, period and amount of every record whose load Tableau confirmed.
 * It is used to
 * - skip records that are unchanged since they were loaded (a look-back re-read moves nothing),
 * - tell insert from update in the audit trail,
 * - find deletions by key reconciliation (keys held here but gone from Intacct),
 * - give the Tableau side of the tie-out.
 *
 * Rows of a batch are first STAGED under its RequestID and only promoted to `held` after Tableau's
 * job finished, in one transaction, so the ledger never claims a batch Tableau did not apply. A crash
 * leaves at most staged rows behind (discarded on open) and a re-read re-sends them.
 */
import { openDatabase, type Database } from '../store/sqlite';
import { migrate } from '../store/migrations';
import type { StreamName } from '../../../shared/types';
import { chunkedInsert, type ChunkColumn } from '../store/chunked-insert';

/** One record of a batch, as the ledger tracks it. */
export interface LedgerEntry {
  key: string;
  hash: string;
  /** 'upsert': Tableau holds this version after the batch; 'delete': the batch removes the key. */
  op: 'upsert' | 'delete';
  account?: string | null;
  period?: string | null;
  /** Amount in 10^-scale units (cents). */
  amountUnits?: bigint | null;
}

/** Sum of amounts per (account, period), in units. Key: `${account}\u0000${period}`. */
export type AmountSums = Map<string, bigint>;

export interface Ledger {
  /** Held hash per key (absent: Tableau does not hold the key). */
  hashes(stream: StreamName, keys: readonly string[]): Map<string, string>;
  /** Stages a batch's entries under its RequestID (not yet held). */
  stage(requestId: string, stream: StreamName, entries: readonly LedgerEntry[]): void;
  /** Tableau applied the batch: its staged entries become held. `replace` first forgets the stream (overwrite publish). */
  commit(requestId: string, stream: StreamName, opts?: { replace?: boolean }): void;
  /** Drops a batch that was not applied. */
  discard(requestId: string): void;
  /** Every held key of a stream. */
  keys(stream: StreamName): Generator<string>;
  count(stream: StreamName): number;
  sums(stream: StreamName): AmountSums;
  /**
   * Key reconciliation without holding a key set in memory: `startKeyCheck`, then `sawKeys` for every
   * chunk of keys Intacct has, then `unseenKeys` lists the held keys Intacct no longer has.
   */
  startKeyCheck(): void;
  sawKeys(keys: readonly string[]): void;
  unseenKeys(stream: StreamName): string[];
  /** Forgets a stream entirely (its data source is gone or will be replaced). */
  clear(stream: StreamName): void;
  close(): void;
}

/** What a batch adds to one account and period of `ledger_sums` ('' for none), as held after its commit. */
interface AccountPeriodSum {
  account: string;
  period: string;
  total: bigint;
  n: number;
}

/**
 * What a batch's entries add to the sums once committed, as the commit leaves ledger_held: a key
 * with a delete in the batch is not held (removeDeleted runs after promote); otherwise its last
 * upsert is (promote's newest wins). Keys are walked from the newest, so a repeated key counts once.
 */
export function batchSums(entries: readonly LedgerEntry[]): AccountPeriodSum[] {
  let deleted: Set<string> | null = null;
  for (const e of entries) if (e.op === 'delete') (deleted ??= new Set()).add(e.key);
  const seen = new Set<string>();
  // By account, then period: no key string is made per entry (a batch has a few hundred groups).
  const groups = new Map<string, Map<string, AccountPeriodSum>>();
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.op !== 'upsert' || seen.has(e.key) || deleted?.has(e.key)) continue;
    seen.add(e.key);
    const account = e.account ?? '';
    const period = e.period ?? '';
    let byPeriod = groups.get(account);
    if (!byPeriod) groups.set(account, (byPeriod = new Map()));
    const g = byPeriod.get(period);
    if (g) {
      if (e.amountUnits) g.total += e.amountUnits;
      g.n++;
    } else byPeriod.set(period, { account, period, total: e.amountUnits ?? 0n, n: 1 });
  }
  return [...groups.values()].flatMap((byPeriod) => [...byPeriod.values()]);
}

/** What every row of a staged batch shares. */
interface StagedBatch {
  readonly requestId: string;
  readonly stream: string;
}

/** ledger_staged's columns; record_key first, since chunkedInsert always binds the first per row. */
const stagedColumns: readonly ChunkColumn<LedgerEntry, StagedBatch>[] = [
  { name: 'record_key', value: (e) => e.key },
  { name: 'request_id', value: (_, b) => b.requestId },
  { name: 'stream', value: (_, b) => b.stream },
  { name: 'hash', value: (e) => e.hash },
  { name: 'op', value: (e) => e.op },
  { name: 'account', value: (e) => e.account ?? null },
  { name: 'period', value: (e) => e.period ?? null },
  { name: 'amount_units', value: (e) => e.amountUnits ?? null },
];

/**
 * The ledger on `db`, the connector database (its tables come from store migration 4), so that its
 * writes can share a transaction with the audit trail and the stream state (sync/checkpoint.ts).
 * A path (':memory:' in tests) opens and migrates a database of its own, closed with the ledger.
 * The data folder's owner discards staged rows a crash left behind; a reader (`discardStaged: false`)
 * must not, since they may be a live run's batch in flight.
 */
export function openLedger(target: Database | string, opts: { discardStaged?: boolean } = {}): Ledger {
  const own = typeof target === 'string';
  const db = own ? openDatabase(target) : target;
  if (own) {
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, { now: 0 });
  }
  // Per connection: the keys Intacct has during one key reconciliation.
  db.exec('CREATE TEMP TABLE IF NOT EXISTS ledger_seen (record_key TEXT PRIMARY KEY) WITHOUT ROWID');
  if (opts.discardStaged !== false) db.exec('DELETE FROM ledger_staged');
  const clearStream = db.prepare('DELETE FROM ledger_held WHERE stream = ?');
  const clearSums = db.prepare('DELETE FROM ledger_sums WHERE stream = ?');
  // The running sums (migration 7): a batch's keys leave the sums with what was held for them before
  // the batch (`unsum`) and come back with what is held after it (`resum`): an update, a delete, a
  // key staged twice (newest wins) all come out as a full GROUP BY over ledger_held would give.
  const sumsChange = (sign: '+' | '-') => `
    INSERT INTO ledger_sums (stream, account, period, total, n)
      SELECT stream, COALESCE(account, ''), COALESCE(period, ''), ${sign} COALESCE(SUM(amount_units), 0), ${sign} COUNT(*) FROM ledger_held
       WHERE stream = ? AND record_key IN (SELECT record_key FROM ledger_staged WHERE request_id = ?)
       GROUP BY stream, COALESCE(account, ''), COALESCE(period, '')
      ON CONFLICT (stream, account, period) DO UPDATE SET total = total + excluded.total, n = n + excluded.n`;
  const unsum = db.prepare(sumsChange('-'));
  const resum = db.prepare(sumsChange('+'));
  // What a batch adds once held, counted from its entries when it was staged (batchSums), so the
  // commit looks its keys up in ledger_held once (unsum) rather than twice: the second lookup had
  // halved the commit's rate (bench:sqlite ledgerCommit, issue 10).
  const addSums = db.prepare(`
    INSERT INTO ledger_sums (stream, account, period, total, n) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (stream, account, period) DO UPDATE SET total = total + excluded.total, n = n + excluded.n`);
  // Per batch staged through this ledger and not yet committed or discarded; null when it cannot be
  // counted in advance (staged twice). Staged rows never outlive the connection's owner (they are
  // discarded on open), so neither need these.
  const stagedSums = new Map<string, AccountPeriodSum[] | null>();
  const dropEmptySums = db.prepare('DELETE FROM ledger_sums WHERE stream = ? AND n = 0');
  const promote = db.prepare(`
    INSERT OR REPLACE INTO ledger_held (stream, record_key, hash, account, period, amount_units)
    SELECT stream, record_key, hash, account, period, amount_units FROM ledger_staged WHERE request_id = ? AND op = 'upsert' ORDER BY rowid`);
  const removeDeleted = db.prepare(`
    DELETE FROM ledger_held WHERE stream = ? AND record_key IN (SELECT record_key FROM ledger_staged WHERE request_id = ? AND op = 'delete')`);
  const dropStaged = db.prepare('DELETE FROM ledger_staged WHERE request_id = ?');
  const listKeys = db.prepare<[string], { record_key: string }>('SELECT record_key FROM ledger_held WHERE stream = ?');
  const countKeys = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM ledger_held WHERE stream = ?');
  const sumAmounts = db
    .prepare<[string], { account: string | null; period: string | null; total: bigint | null }>(
      'SELECT account, period, total FROM ledger_sums WHERE stream = ?',
    )
    .safeIntegers(true);
  const clearSeen = db.prepare('DELETE FROM temp.ledger_seen');
  const insertSeen = db.prepare('INSERT OR IGNORE INTO temp.ledger_seen (record_key) VALUES (?)');
  const unseen = db.prepare<[string], { record_key: string }>(
    'SELECT record_key FROM ledger_held WHERE stream = ? AND record_key NOT IN (SELECT record_key FROM temp.ledger_seen)',
  );
  const seeAll = db.transaction((keys: readonly string[]) => {
    for (const k of keys) insertSeen.run(k);
  });

  // A batch's rows go in 100 at a time, its RequestID and stream (and any other column all rows of
  // a chunk share: the op, and the account, period and amount of streams without tie-out) bound
  // once per chunk (chunked-insert.ts: binding values is what a bulk insert's rate depends on).
  // The rows keep their order, on which `promote`'s "newest wins" (ORDER BY rowid) depends.
  const insertStaged = chunkedInsert(db, 'ledger_staged', stagedColumns, 100);
  // Hash lookups send the keys as one JSON array a statement (as audit.ts's lastAppliedHashes
  // does): one bound value instead of one per key (~1.5x the lookups per CPU second, measured under libsql).
  const LOOKUP_CHUNK = 5000;
  const getHashes = db.prepare<[string, string], { record_key: string; hash: string }>(
    'SELECT record_key, hash FROM ledger_held WHERE stream = ? AND record_key IN (SELECT value FROM json_each(?))',
  );
  const stageAll = db.transaction((requestId: string, stream: string, entries: readonly LedgerEntry[]) => insertStaged(entries, { requestId, stream }));
  const commitBatch = db.transaction((requestId: string, stream: string, replace: boolean) => {
    if (replace) {
      clearStream.run(stream);
      clearSums.run(stream);
    } else unsum.run(stream, requestId);
    promote.run(requestId);
    removeDeleted.run(stream, requestId);
    const added = stagedSums.get(requestId);
    if (added) for (const g of added) addSums.run(stream, g.account, g.period, g.total, g.n);
    else resum.run(stream, requestId);
    dropEmptySums.run(stream);
    dropStaged.run(requestId);
  });

  const clearAll = db.transaction((stream: string) => {
    clearStream.run(stream);
    clearSums.run(stream);
  });

  return {
    hashes(stream, keys) {
      const out = new Map<string, string>();
      for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
        for (const r of getHashes.all(stream, JSON.stringify(keys.slice(i, i + LOOKUP_CHUNK)))) out.set(r.record_key, r.hash);
      }
      return out;
    },
    stage(requestId, stream, entries) {
      stageAll(requestId, stream, entries);
      stagedSums.set(requestId, stagedSums.has(requestId) ? null : batchSums(entries));
    },
    commit(requestId, stream, opts) {
      commitBatch(requestId, stream, opts?.replace ?? false);
      stagedSums.delete(requestId);
    },
    discard(requestId) {
      dropStaged.run(requestId);
      stagedSums.delete(requestId);
    },
    *keys(stream) {
      for (const r of listKeys.iterate(stream)) yield r.record_key;
    },
    count: (stream) => countKeys.get(stream)?.n ?? 0,
    sums(stream) {
      const out: AmountSums = new Map();
      for (const r of sumAmounts.all(stream)) out.set(`${r.account ?? ''}\u0000${r.period ?? ''}`, r.total ?? 0n);
      return out;
    },
    startKeyCheck: () => void clearSeen.run(),
    sawKeys: (keys) => void seeAll(keys),
    unseenKeys: (stream) => unseen.all(stream).map((r) => r.record_key),
    clear: (stream) => void clearAll(stream),
    close: () => {
      if (own) db.close();
    },
  };
}
