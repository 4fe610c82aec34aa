/**
 * Row → Hyper's own binary COPY format, for `COPY … FROM STDIN WITH (FORMAT hyperbinary)`.
 *
 * Why not CSV: on a million GL rows, building CSV text in Node and parsing it back in hyperd cost
 * about as much CPU as each other (~2 s each on this project's 2-core bench machine); the binary form
 * is what Tableau's own Hyper API inserters send, and hyperd copies it into its columns with no
 * parsing (scripts/bench-tableau.ts). The layout, checked byte by byte against hyperd's own
 * `COPY … TO STDOUT WITH (FORMAT hyperbinary)` (test/unit/core/hyper/hyperbinary-encoder.test.ts)
 * and described by Tableau's open-source Rust client (hyperdb-api-core, `protocol/copy.rs`):
 * - a 19-byte header, `HPRCPY` and 13 zero bytes, then the rows back to back with no framing;
 * - a nullable column starts with one byte, 1 for NULL (nothing follows) or 0 (the value follows);
 *   a NOT NULL column has no such byte;
 * - little-endian values: BIGINT and NUMERIC(p ≤ 18, s) as int64 (NUMERIC is the value × 10^s),
 *   DATE as uint32 Julian day number, TIMESTAMP as int64 microseconds since Julian day 0,
 *   BOOL as one byte, TEXT as uint32 byte length + UTF-8 bytes.
 * hyperd does not need messages to end on a row boundary, so a chunk is cut wherever it fills.
 *
 * The validation is the CSV encoder's (the Row conventions in streams/types.ts, same messages), plus
 * what hyperd's CSV parser used to check for us: real calendar dates and times of day, and money
 * that fits the column's precision.
 */
import type { CellValue, ColumnDef, Row } from '../streams/types';
import { badCell as bad, BIGINT_STRING, nullInNotNull, numericRule } from './cell-rules';

/** The format's header: `HPRCPY` and 13 zero bytes. */
export const HYPERBINARY_HEADER: Buffer = Buffer.concat([Buffer.from('HPRCPY', 'latin1'), Buffer.alloc(13)]);

/**
 * Where encoded bytes go: a chunk being filled and the chunks already full.
 * Encoders write straight into `buf` at `pos` after `ensure()` made room.
 */
export class ChunkSink {
  buf: Buffer;
  pos = 0;
  /** Chunks filled and not yet taken, in order. */
  private full: Buffer[] = [];

  constructor(private readonly chunkBytes: number) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  /** Makes room for `n` more bytes in `buf`, starting a new chunk when the current one cannot hold them. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) {
      if (this.pos > 0) this.full.push(this.buf.subarray(0, this.pos));
      this.buf = Buffer.allocUnsafe(Math.max(this.chunkBytes, n));
      this.pos = 0;
    }
  }

  /** Whether a chunk has filled since the last `takeFull()`. */
  get hasFull(): boolean {
    return this.full.length > 0;
  }

  /** The full chunks gathered since the last call. */
  takeFull(): Buffer[] {
    const out = this.full;
    this.full = [];
    return out;
  }

  /** Everything not yet taken (full chunks, then the partly filled one); the sink is empty after. */
  drain(): Buffer[] {
    const out = this.takeFull();
    if (this.pos > 0) out.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(this.chunkBytes);
    this.pos = 0;
    return out;
  }
}

type CellWriter = (value: CellValue | undefined, s: ChunkSink) => void;

const TWO_32 = 4294967296;
/** Julian day number of 1970-01-01 (the Unix epoch), for tests and readers. */
export const JULIAN_DAY_UNIX_EPOCH = 2440588;

/** Little-endian int64 of a safe integer at `p` (two's complement through a hi/lo split). */
function putInt64(b: Buffer, p: number, x: number): void {
  const hi = Math.floor(x / TWO_32);
  const lo = x - hi * TWO_32;
  putHiLo(b, p, hi, lo);
}

function putHiLo(b: Buffer, p: number, hi: number, lo: number): void {
  b[p] = lo & 255;
  b[p + 1] = (lo >>> 8) & 255;
  b[p + 2] = (lo >>> 16) & 255;
  b[p + 3] = lo >>> 24;
  b[p + 4] = hi & 255;
  b[p + 5] = (hi >> 8) & 255;
  b[p + 6] = (hi >> 16) & 255;
  b[p + 7] = (hi >> 24) & 255;
}

function putUint32(b: Buffer, p: number, x: number): void {
  b[p] = x & 255;
  b[p + 1] = (x >>> 8) & 255;
  b[p + 2] = (x >>> 16) & 255;
  b[p + 3] = x >>> 24;
}

/** Digit value of `v[i]`, or -1. */
function digit(v: string, i: number): number {
  const d = v.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** Two digits at `v[i..i+2)` as a number, or -1. */
function twoDigits(v: string, i: number): number {
  const a = digit(v, i);
  const b = digit(v, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Julian day number of the `YYYY-MM-DD` at `v[0..10)` (proleptic Gregorian), or -1 when it is not
 * a real date of years 1–9999.
 */
export function julianDayAt0(v: string): number {
  const y1 = twoDigits(v, 0);
  const y2 = twoDigits(v, 2);
  const month = twoDigits(v, 5);
  const day = twoDigits(v, 8);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return -1;
  const year = y1 * 100 + y2;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (year < 1 || day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!)) return -1;
  // The usual civil-to-Julian-day arithmetic (March-based year so the leap day comes last).
  const a = month <= 2 ? 1 : 0;
  const y = year + 4800 - a;
  const m = month + 12 * a - 3;
  return day + Math.floor((153 * m + 2) / 5) + 365 * y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) - 32045;
}

/**
 * Microseconds into the day of `HH:MM:SS(.f{1,6})?` at `v[11..)`, or -1. `v[10]` must be a space or `T`.
 */
function microsOfDay(v: string): number {
  const sep = v.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return -1;
  const h = twoDigits(v, 11);
  const m = twoDigits(v, 14);
  const s = twoDigits(v, 17);
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return -1;
  let micros = 0;
  if (v.length > 19) {
    const digits = v.length - 20;
    if (v.charCodeAt(19) !== 46 || digits < 1 || digits > 6) return -1;
    for (let i = 20; i < v.length; i++) {
      const d = digit(v, i);
      if (d < 0) return -1;
      micros = micros * 10 + d;
    }
    for (let k = digits; k < 6; k++) micros *= 10;
  }
  return ((h * 60 + m) * 60 + s) * 1_000_000 + micros;
}

/** 10^n for the scales a NUMERIC(≤18) can have. */
const POW10 = Array.from({ length: 19 }, (_, n) => 10 ** n);
const POW10_BIG = Array.from({ length: 19 }, (_, n) => 10n ** BigInt(n));

/** Returned by `unscaled` for a string outside the column's pattern. */
const NOT_EXACT = -1;

/**
 * The unscaled integer of a decimal string for NUMERIC(p, `scale`) with at most `maxInt` integer
 * digits: "-1234.5" at scale 2 → -123450. One pass over the characters, accepting exactly what the
 * CSV encoder's pattern accepts (`numericRule`): sign, 1–maxInt digits, then a point and 1+ digits
 * of which those past the scale must be zeros (at scale 0 a bare point is allowed too).
 * Returns the magnitude, a number while it is exact (≤ 15 digits) and a bigint beyond, with the
 * sign in `out.neg`; a magnitude is never negative, so `NOT_EXACT` (-1) means "not accepted".
 */
function unscaled(v: string, scale: number, maxInt: number, out: { neg: boolean }): number | bigint {
  const n = v.length;
  let i = 0;
  out.neg = false;
  if (n > 0 && v.charCodeAt(0) === 45) {
    out.neg = true;
    i = 1;
  }
  let x = 0;
  const intStart = i;
  for (; i < n; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    x = x * 10 + d;
  }
  const intDigits = i - intStart;
  if (intDigits === 0 || intDigits > maxInt) return NOT_EXACT;
  let fracDigits = 0;
  if (i < n) {
    if (v.charCodeAt(i) !== 46) return NOT_EXACT;
    const fracStart = ++i;
    for (; i < n; i++) {
      const d = v.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return NOT_EXACT;
      if (fracDigits < scale) {
        x = x * 10 + d;
        fracDigits++;
      } else if (d !== 0) {
        return NOT_EXACT;
      }
    }
    if (i === fracStart && scale > 0) return NOT_EXACT;
  }
  if (intDigits + scale > 15) {
    // Past 2^53 the running number may have rounded: redo it exactly (rare: amounts of 10^13+).
    const dot = v.indexOf('.');
    const frac = dot < 0 ? '' : v.slice(dot + 1, dot + 1 + scale);
    return BigInt(v.slice(intStart, intStart + intDigits)) * POW10_BIG[scale]! + (frac === '' ? 0n : BigInt(frac) * POW10_BIG[scale - frac.length]!);
  }
  return x * POW10[scale - fracDigits]!;
}

/**
 * The binary writer of one column. `rowSlack` is the most bytes the row's fixed-size cells can
 * take: a text cell makes room for itself plus that, so the cells after it always fit.
 */
export function columnWriter(c: ColumnDef, rowSlack: number): CellWriter {
  const nullable = c.nullable;
  /** A NULL: the indicator byte, or an error for a NOT NULL column. */
  const writeNull = (value: unknown, s: ChunkSink): void => {
    if (!nullable) nullInNotNull(c, value);
    s.ensure(1);
    s.buf[s.pos++] = 1;
  };
  const lead = nullable ? 1 : 0;
  /** Writes the not-null indicator (if any) and an int64; room was made for the row. */
  const int64 = (s: ChunkSink, x: number): void => {
    const b = s.buf;
    let p = s.pos;
    if (nullable) b[p++] = 0;
    putInt64(b, p, x);
    s.pos = p + 8;
  };
  const bigInt64 = (s: ChunkSink, x: bigint): void => {
    s.ensure(9);
    if (nullable) s.buf[s.pos++] = 0;
    s.pos = s.buf.writeBigInt64LE(x, s.pos);
  };
  switch (c.type) {
    case 'text':
      return (v, s) => {
        if (typeof v !== 'string') return v === null || v === undefined ? writeNull(v, s) : bad(c, v, 'a string');
        const n = v.length;
        // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
        s.ensure(lead + 4 + n * 3 + rowSlack);
        const b = s.buf;
        let p = s.pos;
        if (nullable) b[p++] = 0;
        const start = p + 4;
        let i = 0;
        // Short ASCII text (codes, ids, flags) is copied by hand, cheaper than a call into Buffer.write;
        // past ~16 characters Buffer.write's native copy wins (the loop, seeing every kind of V8 string,
        // pays for the kind per character): on 1M GL rows (bench:tableau, 9 writes each, alternating)
        // Node's CPU median was 5.0 s with the loop up to 64 characters, 3.9 s up to 16.
        if (n <= 16) {
          for (; i < n; i++) {
            const ch = v.charCodeAt(i);
            if (ch >= 128) break;
            b[start + i] = ch;
          }
        }
        const bytes = i === n ? n : b.write(v, start, 'utf8');
        putUint32(b, p, bytes);
        s.pos = start + bytes;
      };
    case 'bigint':
      return (v, s) => {
        if (typeof v === 'number') return Number.isSafeInteger(v) ? int64(s, v) : bad(c, v, 'a safe integer');
        if (v === null || v === undefined) return writeNull(v, s);
        if (typeof v === 'string' && BIGINT_STRING.test(v)) {
          const x = BigInt(v);
          if (x >= -(2n ** 63n) && x < 2n ** 63n) return bigInt64(s, x);
        }
        return bad(c, v, 'an integer');
      };
    case 'numeric': {
      const { scale, maxInt, refusal } = numericRule(c);
      const limit = POW10[maxInt]!;
      const sign = { neg: false };
      return (v, s) => {
        if (typeof v === 'string') {
          const x = unscaled(v, scale, maxInt, sign);
          if (x === NOT_EXACT) return bad(c, v, refusal(v));
          if (typeof x === 'number') return int64(s, sign.neg ? -x : x);
          return bigInt64(s, sign.neg ? -x : x);
        }
        if (typeof v === 'number' && Number.isSafeInteger(v)) {
          if (Math.abs(v) >= limit) return bad(c, v, `at most ${maxInt} integer digits and ${scale} decimals`);
          const x = v * POW10[scale]!;
          return Number.isSafeInteger(x) ? int64(s, x) : bigInt64(s, BigInt(v) * POW10_BIG[scale]!);
        }
        if (v === null || v === undefined) return writeNull(v, s);
        return bad(c, v, 'a decimal string (money is never a float)');
      };
    }
    case 'date': {
      // Consecutive rows mostly share their dates: remember the last one converted.
      let lastText = '';
      let lastDay = -1;
      return (v, s) => {
        if (typeof v === 'string') {
          let day = lastDay;
          if (v !== lastText) {
            day = v.length === 10 ? julianDayAt0(v) : -1;
            if (day < 0) return bad(c, v, 'a date "YYYY-MM-DD"');
            lastText = v;
            lastDay = day;
          }
          const b = s.buf;
          let p = s.pos;
          if (nullable) b[p++] = 0;
          putUint32(b, p, day);
          s.pos = p + 4;
          return;
        }
        if (v === null || v === undefined) return writeNull(v, s);
        return bad(c, v, 'a date "YYYY-MM-DD"');
      };
    }
    case 'timestamp':
      return (v, s) => {
        if (typeof v === 'string') {
          const day = v.length >= 19 ? julianDayAt0(v) : -1;
          const micros = day < 0 ? -1 : microsOfDay(v);
          if (micros < 0) return bad(c, v, 'a timestamp "YYYY-MM-DD HH:MM:SS"');
          // day × 86,400,000,000 + micros needs 58 bits, more than a double holds exactly.
          // 86,400,000,000 = 10,546,875 × 2^13, and day × 10,546,875 < 2^53: split that product at
          // bit 19 so each half is exact, then carry the low word.
          const a = day * 10_546_875;
          const aHi = Math.floor(a / 524_288);
          let lo = (a - aHi * 524_288) * 8192 + micros;
          const carry = Math.floor(lo / TWO_32);
          lo -= carry * TWO_32;
          const b = s.buf;
          let p = s.pos;
          if (nullable) b[p++] = 0;
          putHiLo(b, p, aHi + carry, lo);
          s.pos = p + 8;
          return;
        }
        if (v === null || v === undefined) return writeNull(v, s);
        return bad(c, v, 'a timestamp "YYYY-MM-DD HH:MM:SS"');
      };
    case 'bool':
      return (v, s) => {
        if (v === true || v === false) {
          const b = s.buf;
          let p = s.pos;
          if (nullable) b[p++] = 0;
          b[p] = v ? 1 : 0;
          s.pos = p + 1;
          return;
        }
        if (v === null || v === undefined) return writeNull(v, s);
        return bad(c, v, 'a boolean');
      };
  }
}

/** Bytes a cell of this column takes at most, text bodies excepted (they make their own room). */
function fixedWidth(c: ColumnDef): number {
  const lead = c.nullable ? 1 : 0;
  switch (c.type) {
    case 'bigint':
    case 'numeric':
    case 'timestamp':
      return lead + 8;
    case 'date':
      return lead + 4;
    case 'bool':
      return lead + 1;
    case 'text':
      return 0;
  }
}

/**
 * A function writing one row into a sink, compiled once per table.
 *
 * Like the CSV encoder, the row function is generated with one call site per column, so each call
 * site sees a single writer and V8 can inline it (a loop over an array of writers is megamorphic).
 * Only JSON-quoted column names go into the generated source.
 */
export function createHyperBinaryEncoder(columns: readonly ColumnDef[]): (row: Row, s: ChunkSink) => void {
  if (columns.length === 0) throw new RangeError('A table needs at least one column.');
  const rowFixed = columns.reduce((sum, c) => sum + fixedWidth(c), 0);
  const writers = columns.map((c) => columnWriter(c, rowFixed));
  const params = columns.map((_, i) => `w${i}`);
  const body = `return function encodeRow(r, s) { s.ensure(${rowFixed}); ${columns.map((c, i) => `w${i}(r[${JSON.stringify(c.name)}], s);`).join(' ')} };`;
  const factory = new Function(...params, body) as (...w: CellWriter[]) => (row: Row, s: ChunkSink) => void;
  return factory(...writers);
}
