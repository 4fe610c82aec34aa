/**
 * SQL text for hyperd.
 *
 * hyperd rejects `$n` parameters (tableau-rest.md §1.3), so every name and value is written into the
 * SQL as a properly escaped identifier or literal. Database paths are identifiers in Hyper's grammar
 * (`CREATE DATABASE "<path>"`; a string literal is a syntax error, checked against hyperd 0.0.26359).
 */
import type { ColumnDef } from '../streams/types';

/** A table inside a `.hyper` file. Tableau expects `"Extract"."Extract"` for a single-table extract. */
export interface HyperTable {
  schema: string;
  name: string;
  columns: readonly ColumnDef[];
}

/** `"name"` with embedded double quotes doubled. Rejects NUL, which no identifier may hold. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new RangeError('A SQL identifier cannot contain a NUL character.');
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'` with embedded single quotes doubled (standard_conforming_strings is on in hyperd). */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new RangeError('A SQL literal cannot contain a NUL character.');
  return `'${value.replace(/'/g, "''")}'`;
}

/** The Hyper type of a column, e.g. `NUMERIC(18,2)`. */
export function hyperTypeSql(c: ColumnDef): string {
  switch (c.type) {
    case 'bigint':
      return 'BIGINT';
    case 'text':
      return 'TEXT';
    case 'numeric': {
      const precision = c.precision ?? 18;
      const scale = c.scale ?? 2;
      // File format 2 stores NUMERIC in 64 bits: precision above 18 needs database version 3.
      if (!Number.isInteger(precision) || !Number.isInteger(scale) || precision < 1 || precision > 18 || scale < 0 || scale > precision) {
        throw new RangeError(`Column "${c.name}": NUMERIC(${precision},${scale}) is not supported (precision 1–18, scale 0–precision).`);
      }
      return `NUMERIC(${precision},${scale})`;
    }
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'bool':
      return 'BOOL';
  }
}

/** A column definition for CREATE TABLE, e.g. `"AMOUNT" NUMERIC(18,2) NOT NULL`. */
export function hyperColumnSql(c: ColumnDef): string {
  return `${quoteIdent(c.name)} ${hyperTypeSql(c)}${c.nullable ? '' : ' NOT NULL'}`;
}

/** `"alias"."schema"."table"`. */
export function qualifiedTable(alias: string, table: Pick<HyperTable, 'schema' | 'name'>): string {
  return `${quoteIdent(alias)}.${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

/** CREATE TABLE for a table in an attached database. */
export function createTableSql(alias: string, table: HyperTable): string {
  if (table.columns.length === 0) throw new RangeError(`Table "${table.schema}"."${table.name}" has no columns.`);
  return `CREATE TABLE ${qualifiedTable(alias, table)} (${table.columns.map(hyperColumnSql).join(', ')})`;
}
