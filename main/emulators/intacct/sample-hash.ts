/**
 * Deterministic hashing and decimal text for the sample company: the same seed always builds the
 * same company (the seeded generator itself is main/core/util/seeded-random.ts).
 */

/** A 32-bit hash of (seed, a, b): a pure function, so any GL row can be rebuilt on demand. */
export function hash3(seed: number, a: number, b: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (a >>> 0), 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h ^ (b >>> 0), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h + Math.floor(a / 4294967296), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/** Integer cents → Intacct's decimal text: no trailing zeros (`205375`, `1679615.93`, `12.5`; intacct-xml.md §7.2 DOC-Q samples). */
export function centsToText(cents: number): string {
  const neg = cents < 0;
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = abs % 100;
  const text = frac === 0 ? String(whole) : frac % 10 === 0 ? `${whole}.${frac / 10}` : `${whole}.${frac < 10 ? '0' : ''}${frac}`;
  return neg && abs !== 0 ? '-' + text : text;
}

/** Exact decimal text → integer units at `scale` decimals, as a BigInt (never a float). */
export function decimalToUnits(text: string, scale = 2): bigint {
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new RangeError(`Not a decimal: "${text}"`);
  const frac = (m[3] ?? '').padEnd(scale, '0');
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) throw new RangeError(`More than ${scale} decimals: "${text}"`);
  const units = BigInt((m[2] || '0') + frac.slice(0, scale));
  return m[1] ? -units : units;
}

/** Integer units at `scale` decimals → canonical decimal text with exactly `scale` decimals (`-1234.50`). */
export function unitsToDecimal(units: bigint, scale = 2): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? '-' + text : text;
}
