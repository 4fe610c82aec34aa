/**
 * What the emulator does to stored `.hyper` files through `hyperd`: check a published file, apply a
 * batch of update actions copy-on-write (atomic: a failure leaves the original file untouched,
 * tableau-rest.md §2 "the whole operation is discarded"), and read rows back typed per the Row
 * conventions (`main/core/streams/types.ts`).
 */
import { copyFile, rename, rm } from 'node:fs/promises';
import type pg from 'pg';
import type { CellValue, Row } from '../../core/streams/types';
import type { HyperEngine } from '../../core/hyper';
import { actionSql, ident, type UpdateActionSpec } from './data-update';

// Raw text for every type: conversions are ours (NUMERIC must stay an exact string), and the
// engine's client may have pg's default parsers (Date objects), so they are set per query.
const rawTypes = { getTypeParser: () => (v: string) => v };

async function query(c: pg.Client, text: string): Promise<pg.QueryResult<Record<string, string | null>>> {
  return c.query({ text, types: rawTypes } as pg.QueryConfig);
}

function sqlString(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** A table inside a `.hyper` file. */
export interface HyperTableName {
  readonly schema: string;
  readonly name: string;
}

/** Column of a stored table, with a type named like the project's ColumnType where one fits. */
export interface StoredColumn {
  readonly name: string;
  readonly type: string;
  readonly precision?: number;
  readonly scale?: number;
}

// PostgreSQL type OIDs that hyperd reports (checked against hyperd 0.0.26359).
const OID_TYPES: Record<number, string> = {
  16: 'bool',
  20: 'bigint',
  21: 'smallint',
  23: 'integer',
  25: 'text',
  1042: 'text',
  1043: 'text',
  700: 'double',
  701: 'double',
  1082: 'date',
  1114: 'timestamp',
  1184: 'timestamptz',
  1700: 'numeric',
};

function columnOf(f: pg.FieldDef): StoredColumn {
  const type = OID_TYPES[f.dataTypeID] ?? `oid:${f.dataTypeID}`;
  if (type === 'numeric' && f.dataTypeModifier >= 4) {
    const mod = f.dataTypeModifier - 4;
    return { name: f.name, type, precision: (mod >> 16) & 0xffff, scale: mod & 0xffff };
  }
  return { name: f.name, type };
}

function convert(type: string, v: string | null): CellValue {
  if (v === null) return null;
  switch (type) {
    case 'bigint':
    case 'integer':
    case 'smallint':
    case 'double':
      return Number(v);
    case 'bool':
      return v === 't' || v === 'true';
    default:
      // numeric: Hyper prints an exact decimal with the column's scale ("-1234.50");
      // date "YYYY-MM-DD"; timestamp "YYYY-MM-DD HH:MM:SS".
      return v;
  }
}

let aliasCounter = 0;
function alias(prefix: string): string {
  aliasCounter += 1;
  return `${prefix}_${aliasCounter}`;
}

async function withAttached<T>(engine: HyperEngine, files: { path: string; alias: string }[], fn: (c: pg.Client) => Promise<T>): Promise<T> {
  return engine.withClient(async (c) => {
    const attached: string[] = [];
    try {
      for (const f of files) {
        await query(c, `ATTACH DATABASE ${sqlString(f.path)} AS ${ident(f.alias)}`);
        attached.push(f.alias);
      }
      return await fn(c);
    } finally {
      for (const a of attached.reverse()) await query(c, `DETACH DATABASE ${ident(a)}`).catch(() => undefined);
    }
  });
}

async function listTables(c: pg.Client, db: string): Promise<HyperTableName[]> {
  const r = await query(c, `SELECT schemaname, tablename FROM ${ident(db)}.pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`);
  return r.rows.map((row) => ({ schema: row.schemaname ?? '', name: row.tablename ?? '' }));
}

async function columnsOf(c: pg.Client, qualified: string): Promise<StoredColumn[]> {
  const r = await query(c, `SELECT * FROM ${qualified} LIMIT 0`);
  return r.fields.map(columnOf);
}

/** The tables of a `.hyper` file; throws when the file is not a Hyper database. */
export async function inspectHyperFile(engine: HyperEngine, path: string): Promise<HyperTableName[]> {
  const a = alias('inspect');
  return withAttached(engine, [{ path, alias: a }], (c) => listTables(c, a));
}

/** Columns of one table of a `.hyper` file (empty if the table does not exist). */
export async function hyperColumns(engine: HyperEngine, path: string, table: HyperTableName): Promise<StoredColumn[]> {
  const a = alias('cols');
  return withAttached(engine, [{ path, alias: a }], async (c) => {
    const tables = await listTables(c, a);
    if (!tables.some((t) => t.schema === table.schema && t.name === table.name)) return [];
    return columnsOf(c, `${ident(a)}.${ident(table.schema)}.${ident(table.name)}`);
  });
}

/** Every row of one table, typed per the Row conventions; null when the table does not exist. */
export async function readHyperTable(engine: HyperEngine, path: string, table: HyperTableName): Promise<Row[] | null> {
  const a = alias('read');
  return withAttached(engine, [{ path, alias: a }], async (c) => {
    const tables = await listTables(c, a);
    if (!tables.some((t) => t.schema === table.schema && t.name === table.name)) return null;
    // Array rows: pg skips building an object per row (readRows of 100k rows is a test's hot path).
    const r = await c.query<(string | null)[]>({
      text: `SELECT * FROM ${ident(a)}.${ident(table.schema)}.${ident(table.name)}`,
      types: rawTypes,
      rowMode: 'array',
    } as pg.QueryArrayConfig);
    const cols = r.fields.map(columnOf);
    return r.rows.map((raw) => {
      const row: Record<string, CellValue> = {};
      cols.forEach((col, i) => (row[col.name] = convert(col.type, raw[i] ?? null)));
      return row;
    });
  });
}

/**
 * Runs `sql(table)` against one table of a stored file (`table` is its qualified name) and returns
 * the columns and raw text rows: the VizQL Data Service queries and the tests' edits behind the
 * connector's back. Null when the table does not exist.
 */
export async function queryStoredTable(
  engine: HyperEngine,
  path: string,
  table: HyperTableName,
  sql: (qualified: string) => string,
): Promise<{ columns: StoredColumn[]; rows: (string | null)[][] } | null> {
  const a = alias('query');
  return withAttached(engine, [{ path, alias: a }], async (c) => {
    const tables = await listTables(c, a);
    if (!tables.some((t) => t.schema === table.schema && t.name === table.name)) return null;
    const r = await c.query<(string | null)[]>({
      text: sql(`${ident(a)}.${ident(table.schema)}.${ident(table.name)}`),
      types: rawTypes,
      rowMode: 'array',
    } as pg.QueryArrayConfig);
    return { columns: (r.fields ?? []).map(columnOf), rows: r.rows ?? [] };
  });
}

/** A failure of an action, with the text a job's notes carry (tableau-rest.md §2 "Polling"). */
export class ActionFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionFailedError';
  }
}

/**
 * Applies `actions` to the data source file at `targetPath`, reading source tables from
 * `payloadPath`. Works on a copy and swaps it in only when every action succeeded.
 */
export async function applyActionsCopyOnWrite(
  engine: HyperEngine,
  targetPath: string,
  payloadPath: string | null,
  actions: readonly UpdateActionSpec[],
  scratchPath: string,
): Promise<{ statements: number }> {
  await copyFile(targetPath, scratchPath);
  const t = alias('target');
  const s = alias('source');
  const files = [{ path: scratchPath, alias: t }, ...(payloadPath ? [{ path: payloadPath, alias: s }] : [])];
  let statements = 0;
  try {
    await withAttached(engine, files, async (c) => {
      const targetTables = await listTables(c, t);
      const sourceTables = payloadPath ? await listTables(c, s) : [];
      for (const a of actions) {
        if (!targetTables.some((x) => x.schema === a.targetSchema && x.name === a.targetTable)) {
          // Wording after the real job note quoted in tableau-rest.md §2 (HAS issue #103).
          throw new ActionFailedError(
            `There was a problem retrieving table information for the target table. Specified table does not exist: ${a.targetTable}. (errorCode=410012)`,
          );
        }
        if (a.sourceTable !== undefined && !sourceTables.some((x) => x.schema === a.sourceSchema && x.name === a.sourceTable)) {
          throw new ActionFailedError(
            `There was a problem retrieving table information for the source table. Specified table does not exist: ${a.sourceTable}. (errorCode=410012)`,
          );
        }
        const target = `${ident(t)}.${ident(a.targetSchema)}.${ident(a.targetTable)}`;
        const source = a.sourceTable !== undefined ? `${ident(s)}.${ident(a.sourceSchema!)}.${ident(a.sourceTable)}` : undefined;
        const targetColumns = (await columnsOf(c, target)).map((x) => x.name);
        const sourceColumns = source ? (await columnsOf(c, source)).map((x) => x.name) : undefined;
        let sqls: string[];
        try {
          sqls = actionSql(a, { target, source, targetColumns, sourceColumns });
        } catch (e) {
          throw new ActionFailedError((e as Error).message);
        }
        for (const sql of sqls) {
          try {
            await query(c, sql);
          } catch (e) {
            throw new ActionFailedError(`Action '${a.action}' failed: ${(e as Error).message}`);
          }
          statements += 1;
        }
      }
    });
  } catch (e) {
    await rm(scratchPath, { force: true });
    throw e;
  }
  await rename(scratchPath, targetPath);
  return { statements };
}
