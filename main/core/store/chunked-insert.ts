/**
 * Many-row INSERTs that bind each value a chunk shares only once.
 *
 * Why: a bound value costs a few hundred nanoseconds through the driver (~400 ns per string under
 * libsql, the driver before this one, against ~200 ns under better-sqlite3, measured with a
 * 600-parameter statement), while the work SQLite does for a row is the same; so the rate of a
 * bulk insert is set by how many values it binds per row (issue 10, `npm run bench:sqlite`). A sync batch shares many of its columns
 * (run, stream, RequestID, result; often the action, the op and the labels), so a chunk binds
 * each column that holds one value across all its rows once, and only the others per row:
 *
 *   INSERT INTO t (a, b, c) SELECT ?, column1, column2 FROM (VALUES (?, ?), (?, ?), …)
 *
 * The stored values are exactly those bound one per row (the same JavaScript values, bound by the
 * same driver; "the same" is `Object.is`), and the rows go in in the chunk's order, as a multi-row
 * VALUES insert does: the rowid order that "newest wins" depends on (audit.ts, ledger.ts) is kept.
 * One prepared statement per set of shared columns, made on first use and reused.
 */
import type { Database, Statement } from './sqlite';

/** One column: its name and how to read its value from an item (and what the whole batch shares). */
export interface ChunkColumn<T, C = undefined> {
  readonly name: string;
  readonly value: (item: T, batch: C) => unknown;
}

/**
 * An inserter into `table` of items `rowsPerChunk` at a time; a batch's last, shorter chunk goes
 * row by row (at most `rowsPerChunk - 1` rows a batch). The first column is always bound per row,
 * so a statement always has a VALUES list. Call inside a transaction: it runs one statement a chunk.
 */
export function chunkedInsert<T, C = undefined>(db: Database, table: string, columns: readonly ChunkColumn<T, C>[], rowsPerChunk: number) {
  const n = columns.length;
  const names = columns.map((c) => c.name).join(', ');
  const insertOne = db.prepare(`INSERT INTO ${table} (${names}) VALUES (${columns.map(() => '?').join(', ')})`);
  /** Statements by the bit set of the columns a chunk binds once. */
  const byShared = new Map<number, Statement>();
  const statementFor = (shared: number): Statement => {
    let s = byShared.get(shared);
    if (s) return s;
    // Plain `?`s, numbered by where they stand: the shared ones first, then the rows' (better-sqlite3,
    // which the bench runs this code on too, takes no array for `?NNN` parameters).
    const select: string[] = [];
    let perRow = 0;
    for (let c = 0; c < n; c++) select.push(shared & (1 << c) ? '?' : `column${++perRow}`);
    const row = () => `(${Array.from({ length: perRow }, () => '?').join(', ')})`;
    const values = Array.from({ length: rowsPerChunk }, row).join(', ');
    s = db.prepare(`INSERT INTO ${table} (${names}) SELECT ${select.join(', ')} FROM (VALUES ${values})`);
    byShared.set(shared, s);
    return s;
  };

  const cells: unknown[] = [];
  const args: unknown[] = [];
  return (items: readonly T[], batch: C): void => {
    let i = 0;
    for (; i + rowsPerChunk <= items.length; i += rowsPerChunk) {
      // The chunk's values, row by row, read once.
      cells.length = 0;
      for (let k = i; k < i + rowsPerChunk; k++) {
        const item = items[k]!;
        for (let c = 0; c < n; c++) cells.push(columns[c]!.value(item, batch));
      }
      let shared = 0;
      for (let c = 1; c < n; c++) {
        const first = cells[c];
        let same = true;
        for (let at = c + n; same && at < cells.length; at += n) same = Object.is(cells[at], first);
        if (same) shared |= 1 << c;
      }
      args.length = 0;
      for (let c = 0; c < n; c++) if (shared & (1 << c)) args.push(cells[c]);
      for (let at = 0; at < cells.length; at += n) {
        for (let c = 0; c < n; c++) if (!(shared & (1 << c))) args.push(cells[at + c]);
      }
      statementFor(shared).run(args);
    }
    for (; i < items.length; i++) {
      const item = items[i]!;
      args.length = 0;
      for (let c = 0; c < n; c++) args.push(columns[c]!.value(item, batch));
      insertOne.run(args);
    }
  };
}
