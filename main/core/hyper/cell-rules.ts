/**
 * The checks every cell passes before it goes to hyperd, shared by the CSV and the binary encoders
 * so both refuse the same values with the same words (the Row conventions in streams/types.ts).
 */
import type { ColumnDef } from '../streams/types';

const DECIMAL = /^-?\d+(\.\d+)?$/;

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return String(value);
}

/** The error for a value that breaks its column's convention. */
export function badCell(c: ColumnDef, value: unknown, expected: string): never {
  throw new TypeError(`Column "${c.name}" (${c.type}) expects ${expected}, got ${typeof value} ${describeValue(value)}.`);
}

/** The error for a NULL (or a missing key) in a NOT NULL column. */
export function nullInNotNull(c: ColumnDef, value: unknown): never {
  throw new TypeError(`Column "${c.name}" is NOT NULL but the row has ${value === undefined ? 'no value' : 'null'}.`);
}

/**
 * What a NUMERIC(p,s) column accepts as a string: sign, up to p − s integer digits, up to s decimals
 * (extra trailing zeros lose nothing). More decimals would be rounded by Hyper: refused instead.
 * `refusal(v)` says what was expected, for a string `exact` did not match.
 */
export function numericRule(c: ColumnDef): { scale: number; maxInt: number; exact: RegExp; refusal: (v: string) => string } {
  const scale = c.scale ?? 2;
  const maxInt = (c.precision ?? 18) - scale;
  const exact = new RegExp(`^-?\\d{1,${maxInt}}${scale > 0 ? `(\\.\\d{1,${scale}}0*)?` : '(\\.0*)?'}$`);
  const tooBig = `at most ${maxInt} integer digits and ${scale} decimals`;
  return { scale, maxInt, exact, refusal: (v) => (DECIMAL.test(v) ? tooBig : 'a decimal string like "-1234.50"') };
}

/** Integers above 2^53 can only travel as strings: this is their shape. */
export const BIGINT_STRING = /^-?\d{1,19}$/;
