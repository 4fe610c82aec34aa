/**
 * Row identity and content fingerprints, and exact money arithmetic for the tie-out.
 *
 * The audit trail records a hash of each record's canonical form, and the engine compares it with
 * the hash of what Tableau already holds to tell insert from update from unchanged. The canonical
 * form is the JSON array of the row's cells in column order (Row conventions make each cell's text
 * exact: money as a decimal string, timestamps in UTC), so the same record always hashes the same.
 */
import { createHash } from 'node:crypto';
import type { Row, StreamDefinition } from '../streams/types';

/** The record key as the audit trail stores it: the primary-key cells joined by '|'. */
export function rowKey(def: StreamDefinition, row: Row): string {
  if (def.primaryKey.length === 1) return String(row[def.primaryKey[0]!] ?? '');
  return def.primaryKey.map((k) => String(row[k] ?? '')).join('|');
}

/** sha1 (hex) of the row's canonical form: its cells in the stream's column order. */
export function rowHash(def: StreamDefinition, row: Row): string {
  const cells = def.columns.map((c) => row[c.name] ?? null);
  return createHash('sha1').update(JSON.stringify(cells)).digest('hex');
}

/**
 * An exact decimal string ("-1234.5", "12", "0.07") as an integer count of 10^-scale units.
 * Digits beyond `scale` are rejected rather than rounded: money is never silently changed.
 */
export function decimalToUnits(value: string, scale = 2): bigint {
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`Not a decimal number: "${value}"`);
  const frac = m[3] ?? '';
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) throw new RangeError(`More than ${scale} decimals: "${value}"`);
  const units = BigInt((m[2] || '0') + frac.slice(0, scale).padEnd(scale, '0'));
  return m[1] ? -units : units;
}

/** Inverse of decimalToUnits: 123450n, 2 → "1234.50". */
export function unitsToDecimal(units: bigint, scale = 2): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** "YYYY-MM" of a Row date ("YYYY-MM-DD") or timestamp cell; null when absent. */
export function periodOf(value: unknown): string | null {
  return typeof value === 'string' && /^\d{4}-\d{2}/.test(value) ? value.slice(0, 7) : null;
}
