/**
 * The SQLite driver, in one place: libsql, behind the part of better-sqlite3's API that the store
 * and the ledger use.
 *
 * Why libsql: it is an N-API addon (prebuilt per platform, no install script), so the one build in
 * node_modules loads in Node (tests, CLI) and in Electron's main process alike; better-sqlite3 is
 * compiled against one runtime's NODE_MODULE_VERSION and needs rebuilding for the other
 * (https://www.electronjs.org/docs/latest/tutorial/using-native-node-modules). Measured with
 * `npm run bench:sqlite` before choosing (figures in README "The desktop app on each system").
 *
 * Where libsql 0.5 departs from better-sqlite3, this wrapper restores better-sqlite3's behaviour,
 * each checked by test/unit/core/store/sqlite.test.ts:
 * - a boolean or an object as a bound value aborts the process with a Rust panic, and a single
 *   Buffer argument is taken for named parameters (also a panic): values are checked here and
 *   refused with better-sqlite3's TypeError, and arguments always reach libsql as one array or
 *   one named-parameter object;
 * - `get()` adds an enumerable `_metadata` property to the row: removed;
 * - `pragma(..., { simple: true })` returns the row, not its value: done here;
 * - `transaction()` does not nest (BEGIN inside BEGIN fails): nested calls use a SAVEPOINT, as
 *   better-sqlite3's do;
 * - the `readonly` option is ignored: done with `PRAGMA query_only`.
 * Two differences stay: libsql binds NULL for a missing parameter where better-sqlite3 throws, and
 * reads a BLOB as an ArrayBuffer, not a Buffer (the store and the ledger keep no BLOBs).
 */
import Libsql from 'libsql';

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
  iterate(...params: P): IterableIterator<R>;
  /** Integers come back as bigint (for sums of cents that may pass 2^53). */
  safeIntegers(on?: boolean): this;
}

export interface Database {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R>;
  exec(sql: string): void;
  /** `PRAGMA <source>`: its rows, or with `simple` the first column of the first row. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Wraps `fn` in a transaction (a savepoint when already inside one); rolled back if it throws. */
  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T;
  close(): void;
}

export interface OpenOptions {
  readonly?: boolean;
}

/**
 * How a database is opened: `openDatabase` (libsql) in the product. The store takes another one
 * only so that `npm run bench:sqlite -- --driver better-sqlite3` can measure the same store code
 * on better-sqlite3, whose Database already has this interface (issue 10: "measure before choosing").
 */
export type OpenDatabase = (path: string, options?: OpenOptions) => Database;

/** Opens (creating if needed) the database at `path` (':memory:' for a private in-memory one). */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  return new LibsqlDatabase(path, options);
}

type Bound = number | string | bigint | Uint8Array | null;

const bindError = () => new TypeError('SQLite3 can only bind numbers, strings, bigints, buffers, and null');

function bindValue(v: unknown): Bound {
  switch (typeof v) {
    case 'number':
    case 'string':
    case 'bigint':
      return v;
    case 'undefined':
      return null;
    case 'object':
      if (v === null) return null;
      if (ArrayBuffer.isView(v)) return v as Uint8Array;
      throw bindError();
    default:
      throw bindError();
  }
}

const isNamed = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/** Values bound as they are (the common case: no copy). */
function isPlain(v: unknown): boolean {
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'bigint' || v === null;
}

/** `values` checked, with undefined as NULL; the same array when nothing needed changing. */
function checkedValues(values: readonly unknown[]): Bound[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isPlain(v)) continue;
    out ??= values.slice();
    out[i] = bindValue(v);
  }
  return (out ?? values) as Bound[];
}

/**
 * better-sqlite3's argument forms (values, arrays of values, or one object of named parameters)
 * as the one argument libsql takes safely: an array, or a plain object. The hot paths (a row's
 * values as arguments, or one array of them) pass the caller's array through after checking it.
 */
function bindArgs(params: readonly unknown[]): Bound[] | Record<string, Bound> {
  if (params.length === 1) {
    const only = params[0];
    if (Array.isArray(only)) return checkedValues(only);
    if (isNamed(only)) {
      const named: Record<string, Bound> = {};
      for (const [k, v] of Object.entries(only)) named[k] = bindValue(v);
      return named;
    }
  }
  if (!params.some((p) => Array.isArray(p) || isNamed(p))) return checkedValues(params);
  const out: Bound[] = [];
  for (const p of params) {
    if (Array.isArray(p)) for (const v of p) out.push(bindValue(v));
    else if (isNamed(p)) throw new TypeError('Named parameters must be the only argument');
    else out.push(bindValue(p));
  }
  return out;
}

type NativeStatement = Libsql.Statement<[unknown]>;

class LibsqlStatement<P extends unknown[], R> implements Statement<P, R> {
  constructor(private readonly native: NativeStatement) {}

  run(...params: P): RunResult {
    const r = this.native.run(bindArgs(params));
    return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
  }

  get(...params: P): R | undefined {
    const row = this.native.get(bindArgs(params)) as (R & { _metadata?: unknown }) | undefined | null;
    if (row === null || row === undefined) return undefined;
    if (typeof row === 'object' && '_metadata' in row) delete row._metadata;
    return row;
  }

  all(...params: P): R[] {
    return this.native.all(bindArgs(params)) as R[];
  }

  iterate(...params: P): IterableIterator<R> {
    return this.native.iterate(bindArgs(params)) as IterableIterator<R>;
  }

  safeIntegers(on = true): this {
    this.native.safeIntegers(on);
    return this;
  }
}

/** The savepoint name better-sqlite3 uses for nested transactions (same-name savepoints stack). */
const SAVEPOINT = '"\t_mlc_sp\t"';

class LibsqlDatabase implements Database {
  private readonly native: Libsql.Database;

  constructor(path: string, options: OpenOptions) {
    this.native = new Libsql(path);
    if (options.readonly) this.native.exec('PRAGMA query_only = ON');
  }

  get open(): boolean {
    return this.native.open;
  }

  get inTransaction(): boolean {
    return this.native.inTransaction;
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    return new LibsqlStatement<P, R>(this.native.prepare<[unknown]>(sql));
  }

  exec(sql: string): void {
    this.native.exec(sql);
  }

  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    const stmt = this.prepare(`PRAGMA ${source}`);
    if (!options.simple) return stmt.all();
    const row = stmt.get() as Record<string, unknown> | undefined;
    return row === undefined ? undefined : Object.values(row)[0];
  }

  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T {
    return (...args: A): T => {
      const nested = this.native.inTransaction;
      this.native.exec(nested ? `SAVEPOINT ${SAVEPOINT}` : 'BEGIN');
      let result: T;
      try {
        result = fn(...args);
      } catch (err) {
        if (this.native.inTransaction) this.native.exec(nested ? `ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}` : 'ROLLBACK');
        throw err;
      }
      try {
        this.native.exec(nested ? `RELEASE ${SAVEPOINT}` : 'COMMIT');
      } catch (err) {
        // A failed COMMIT (busy, disk full) leaves the transaction open: roll it back, as better-sqlite3 does.
        if (!nested && this.native.inTransaction) this.native.exec('ROLLBACK');
        throw err;
      }
      return result;
    };
  }

  close(): void {
    if (this.native.open) this.native.close();
  }
}
