/**
 * Row → CSV line for `COPY … FROM STDIN WITH (FORMAT CSV, HEADER false, NULL '')`.
 *
 * Exactness rules, checked against hyperd (test/unit/core/hyper/hyper-writer.test.ts):
 * - NULL is an unquoted empty field; an empty string is `""` (Hyper's CSV NULL '' matches only the
 *   unquoted form, like PostgreSQL).
 * - A text field is quoted when it is empty or holds a comma, a double quote, CR or LF; quotes are
 *   doubled. Other text (spaces, non-ASCII) goes as is: Hyper keeps leading/trailing spaces.
 * - Numbers, dates and timestamps are validated against the Row conventions (types.ts) and written as
 *   the exact strings; money never passes through a float.
 *
 * One encoder function per column is built once per table, so the per-row work is a loop over
 * closures with no type switch.
 */
import type { CellValue, ColumnDef, Row } from '../streams/types';
import { badCell as bad, BIGINT_STRING, nullInNotNull, numericRule } from './cell-rules';

type CellEncoder = (value: CellValue | undefined) => string;

const NEEDS_QUOTES = /[",\r\n]/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

/** `v[i]` is an ASCII digit. */
function digitAt(v: string, i: number): boolean {
  const c = v.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/**
 * `YYYY-MM-DD` at `v[0..10)`, checked by character: the common exact shape, about 3× cheaper than
 * the regex per cell on a million-row write. Anything else still goes through DATE / TIMESTAMP.
 */
function plainDateAt0(v: string): boolean {
  return (
    digitAt(v, 0) &&
    digitAt(v, 1) &&
    digitAt(v, 2) &&
    digitAt(v, 3) &&
    v.charCodeAt(4) === 45 &&
    digitAt(v, 5) &&
    digitAt(v, 6) &&
    v.charCodeAt(7) === 45 &&
    digitAt(v, 8) &&
    digitAt(v, 9)
  );
}

/** `YYYY-MM-DD HH:MM:SS` (space or `T`), the shape of every timestamp in the Row conventions. */
function plainTimestamp(v: string): boolean {
  const sep = v.charCodeAt(10);
  return (
    v.length === 19 &&
    plainDateAt0(v) &&
    (sep === 32 || sep === 84) &&
    digitAt(v, 11) &&
    digitAt(v, 12) &&
    v.charCodeAt(13) === 58 &&
    digitAt(v, 14) &&
    digitAt(v, 15) &&
    v.charCodeAt(16) === 58 &&
    digitAt(v, 17) &&
    digitAt(v, 18)
  );
}

/** The CSV encoder of one column. */
export function columnEncoder(c: ColumnDef): CellEncoder {
  const nullValue = (value: unknown): string => (c.nullable ? '' : nullInNotNull(c, value));
  switch (c.type) {
    case 'text':
      return (v) => {
        if (typeof v === 'string') {
          if (v === '') return '""';
          return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
        }
        if (v === null || v === undefined) return nullValue(v);
        return bad(c, v, 'a string');
      };
    case 'bigint':
      return (v) => {
        if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : bad(c, v, 'a safe integer');
        if (v === null || v === undefined) return nullValue(v);
        if (typeof v === 'string' && BIGINT_STRING.test(v)) return v;
        return bad(c, v, 'an integer');
      };
    case 'numeric': {
      const { exact, refusal } = numericRule(c);
      return (v) => {
        if (typeof v === 'string') return exact.test(v) ? v : bad(c, v, refusal(v));
        if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
        if (v === null || v === undefined) return nullValue(v);
        return bad(c, v, 'a decimal string (money is never a float)');
      };
    }
    case 'date':
      return (v) => {
        if (typeof v === 'string' && ((v.length === 10 && plainDateAt0(v)) || DATE.test(v))) return v;
        if (v === null || v === undefined) return nullValue(v);
        return bad(c, v, 'a date "YYYY-MM-DD"');
      };
    case 'timestamp':
      return (v) => {
        if (typeof v === 'string' && (plainTimestamp(v) || TIMESTAMP.test(v))) return v;
        if (v === null || v === undefined) return nullValue(v);
        return bad(c, v, 'a timestamp "YYYY-MM-DD HH:MM:SS"');
      };
    case 'bool':
      return (v) => {
        if (v === true) return 'true';
        if (v === false) return 'false';
        if (v === null || v === undefined) return nullValue(v);
        return bad(c, v, 'a boolean');
      };
  }
}

/**
 * A function turning a row into one CSV line (with its trailing `\n`), compiled once per table.
 *
 * The line is built by a generated function with one call site per column, so each call site sees a
 * single encoder and V8 inlines it; a loop over an array of encoders is megamorphic and measured
 * about 1.5× slower (scripts/bench-tableau.ts, writeRatio). Only JSON-quoted column names and fixed
 * text go into the generated source.
 */
export function createCsvEncoder(columns: readonly ColumnDef[]): (row: Row) => string {
  if (columns.length === 0) throw new RangeError('A table needs at least one column.');
  const encoders = columns.map(columnEncoder);
  const params = columns.map((_, i) => `e${i}`);
  const body = `return function encodeRow(r) { return ${columns.map((c, i) => `e${i}(r[${JSON.stringify(c.name)}])`).join(" + ',' + ")} + '\\n'; };`;
  const factory = new Function(...params, body) as (...e: CellEncoder[]) => (row: Row) => string;
  return factory(...encoders);
}

/** One CSV line for COPY (exact: quotes, newlines, nulls vs empty strings), with its `\n`. */
export function toCsvRow(columns: readonly ColumnDef[], row: Row): string {
  return createCsvEncoder(columns)(row);
}
