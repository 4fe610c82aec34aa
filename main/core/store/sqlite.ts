/**
 * The SQLite driver, in one place: @photostructure/sqlite (Node's own `node:sqlite`, built as an
 * N-API addon), behind the part of better-sqlite3's API that the store and the ledger use.
 *
 * Why this driver: it is an N-API addon (prebuilt per platform, loaded by node-gyp-build), so the
 * one build in node_modules loads in Node (tests, CLI) and in Electron's main process alike;
 * better-sqlite3 is compiled against one runtime's NODE_MODULE_VERSION and needs rebuilding for the
 * other (https://www.electronjs.org/docs/latest/tutorial/using-native-node-modules). It replaced
 * libsql 0.5, also N-API, whose SQLite (3.45.1, built with gcc 5.4 and with memory statistics on,
 * which cost every allocation a lock: https://www.sqlite.org/compile.html#default_memstatus)
 * marked the audit trail applied and staged the ledger slower than better-sqlite3 did, which
 * issue 10 does not allow. This one embeds a current SQLite (3.53) built as better-sqlite3's is
 * (no memory statistics, WAL synchronous NORMAL); its 1.x line is the one that supports Node 20.
 * Figures: README "The desktop app on each system", `npm run bench:sqlite`.
 *
 * What the wrapper adds to node:sqlite's API, each checked by test/unit/core/store/sqlite.test.ts:
 * - better-sqlite3's argument forms (values, arrays of values, one object of named parameters),
 *   with booleans and objects refused with better-sqlite3's TypeError (node:sqlite binds a boolean
 *   as an integer, which would store `true` as 1 unnoticed) and undefined bound as NULL;
 * - rows as plain objects (node:sqlite's have a null prototype), built from each statement's rows
 *   as arrays by a function compiled once per statement;
 * - `pragma()`, `transaction()` (nested calls use a SAVEPOINT, as better-sqlite3's do), `open`,
 *   `inTransaction`, `safeIntegers()`, and a `close()` that may be called twice.
 * Two differences from better-sqlite3 stay: an integer past 2^53 read without `safeIntegers()` is
 * refused (RangeError) rather than rounded, and a BLOB reads as a Uint8Array, not a Buffer (the
 * store and the ledger keep no BLOBs).
 */
import { DatabaseSync, type DatabaseSyncInstance, type StatementSyncInstance } from '@photostructure/sqlite';

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
 * How a database is opened: `openDatabase` (@photostructure/sqlite) in the product. The store
 * takes another one only so that `npm run bench:sqlite -- --driver better-sqlite3` can measure the same store code
 * on better-sqlite3, whose Database already has this interface (issue 10: "measure before choosing").
 */
export type OpenDatabase = (path: string, options?: OpenOptions) => Database;

/** Opens (creating if needed) the database at `path` (':memory:' for a private in-memory one). */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  return new SqliteDatabase(path, options);
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
 * as one array of values or one plain object. The hot paths (a row's values as arguments, or one
 * array of them) pass the caller's array through after checking it.
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

type Row = Record<string, unknown>;
type RowOf = (values: readonly unknown[]) => Row;

/**
 * A function making a plain object from a row's values, for these column names: one object
 * literal, so every row gets its properties in one allocation with one shape. A later column of
 * the same name wins, as in better-sqlite3. Names are embedded with JSON.stringify; `__proto__`
 * (which a literal would take for the prototype), or no code generation, gets the same rows from a loop.
 */
function compileRowOf(names: readonly string[]): RowOf {
  const loop: RowOf = (values) => {
    const row: Row = {};
    for (let i = 0; i < names.length; i++) Object.defineProperty(row, names[i]!, { value: values[i], enumerable: true, writable: true, configurable: true });
    return row;
  };
  if (names.includes('__proto__')) return loop;
  try {
    return new Function('v', `return {${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')}};`) as RowOf;
  } catch {
    return loop;
  }
}

class SqliteStatement<P extends unknown[], R> implements Statement<P, R> {
  private rowOfCache: RowOf | null = null;

  constructor(private readonly native: StatementSyncInstance) {
    // Rows come as arrays and become plain objects here (rowOf): cheaper than null-prototype
    // objects copied into plain ones.
    native.setReturnArrays(true);
  }

  private get rowOf(): RowOf {
    return (this.rowOfCache ??= compileRowOf(this.native.columns().map((c) => c.name)));
  }

  private call<T>(method: 'run' | 'get' | 'all' | 'iterate', params: readonly unknown[]): T {
    const args = bindArgs(params);
    const native = this.native as unknown as Record<typeof method, (...a: unknown[]) => T>;
    return Array.isArray(args) ? native[method](...args) : native[method](args);
  }

  run(...params: P): RunResult {
    const r = this.call<{ changes: number | bigint; lastInsertRowid: number | bigint }>('run', params);
    return { changes: Number(r.changes), lastInsertRowid: r.lastInsertRowid };
  }

  get(...params: P): R | undefined {
    const values = this.call<unknown[] | undefined>('get', params);
    return values === undefined ? undefined : (this.rowOf(values) as R);
  }

  all(...params: P): R[] {
    const rows = this.call<unknown[][]>('all', params);
    const rowOf = this.rowOf;
    const out = new Array<R>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = rowOf(rows[i]!) as R;
    return out;
  }

  *iterate(...params: P): IterableIterator<R> {
    const rowOf = this.rowOf;
    for (const values of this.call<IterableIterator<unknown[]>>('iterate', params)) yield rowOf(values) as R;
  }

  safeIntegers(on = true): this {
    this.native.setReadBigInts(on);
    return this;
  }
}

/** The savepoint name better-sqlite3 uses for nested transactions (same-name savepoints stack). */
const SAVEPOINT = '"\t_mlc_sp\t"';

class SqliteDatabase implements Database {
  private readonly native: DatabaseSyncInstance;

  constructor(path: string, options: OpenOptions) {
    this.native = new DatabaseSync(path, options.readonly ? { readOnly: true } : {});
  }

  get open(): boolean {
    return this.native.isOpen;
  }

  get inTransaction(): boolean {
    return this.native.isOpen && this.native.isTransaction;
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    return new SqliteStatement<P, R>(this.native.prepare(sql));
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
      const nested = this.inTransaction;
      this.native.exec(nested ? `SAVEPOINT ${SAVEPOINT}` : 'BEGIN');
      let result: T;
      try {
        result = fn(...args);
      } catch (err) {
        if (this.inTransaction) this.native.exec(nested ? `ROLLBACK TO ${SAVEPOINT}; RELEASE ${SAVEPOINT}` : 'ROLLBACK');
        throw err;
      }
      try {
        this.native.exec(nested ? `RELEASE ${SAVEPOINT}` : 'COMMIT');
      } catch (err) {
        // A failed COMMIT (busy, disk full) leaves the transaction open: roll it back, as better-sqlite3 does.
        if (!nested && this.inTransaction) this.native.exec('ROLLBACK');
        throw err;
      }
      return result;
    };
  }

  close(): void {
    if (this.native.isOpen) this.native.close();
  }
}
