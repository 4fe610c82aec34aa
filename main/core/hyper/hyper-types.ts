/**
 * Per-client result parsers for hyperd sessions.
 *
 * pg's global defaults turn NUMERIC into strings but BIGINT into strings and DATE/TIMESTAMP into JS
 * Dates in the local zone: a date would shift by the machine's offset and a money value could be
 * tempted through parseFloat. These parsers keep every value in the Row conventions (types.ts) and
 * are passed per client, never installed globally (other code in the process uses pg too).
 */
import pg from 'pg';

/** PostgreSQL type OIDs hyperd reports (checked against hyperd 0.0.26359). */
export const PgOid = { bool: 16, int8: 20, int2: 21, int4: 23, text: 25, numeric: 1700, date: 1082, timestamp: 1114, timestamptz: 1184 } as const;

/** BIGINT → number; beyond 2^53 a number would be wrong, so that is an error, not a rounding. */
export function parseBigint(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${text} does not fit a JavaScript number exactly.`);
  return n;
}

/** TIMESTAMP text → `YYYY-MM-DD HH:MM:SS` (drops an all-zero fraction; keeps a real one). */
export function parseTimestamp(text: string): string {
  const dot = text.indexOf('.');
  if (dot >= 0 && /^\.0*$/.test(text.slice(dot))) return text.slice(0, dot);
  return text;
}

const identity = (text: string): string => text;

/** The `types` option for `new pg.Client(...)`: exact parsers for hyperd's types. */
export const hyperTypeParsers = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    if (format === 'binary') return pg.types.getTypeParser(oid, 'binary');
    switch (oid) {
      case PgOid.int8:
        return parseBigint;
      case PgOid.numeric:
      case PgOid.date:
      case PgOid.timestamptz:
        return identity;
      case PgOid.timestamp:
        return parseTimestamp;
      default:
        return pg.types.getTypeParser(oid, 'text');
    }
  },
} as unknown as pg.CustomTypesConfig;
