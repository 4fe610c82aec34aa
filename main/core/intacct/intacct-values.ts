/**
 * Typed conversion of Intacct's string values (streams/types.ts Row conventions).
 *
 * - dates `MM/DD/YYYY` → `YYYY-MM-DD`;
 * - datetimes `MM/DD/YYYY HH:MM:SS` carry no offset. intacct-xml.md §4.4 says the zone is
 *   UNCONFIRMED but follows the API user's preferences (Estuary reads them with
 *   readUserFormatting); we interpret them in the configured zone and emit UTC
 *   `YYYY-MM-DD HH:MM:SS`, and format filter values back into that zone;
 * - numerics stay exact decimal strings normalised to the column's scale (never a float);
 * - booleans `true`/`false`; integers as safe JS numbers; empty elements → null.
 *
 * Conversion runs for every cell of every page, so the hot paths avoid luxon: the zone's offset is
 * looked up once per local hour and cached.
 */
import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';
import { ApiError, ValidationError } from '../errors';
import type { CellValue, ColumnDef } from '../streams/types';

/** Turns 'UTC', 'GMT', '+02:00', 'GMT-08:00', 'UTC+5:30' or an IANA name into a luxon zone. */
export function resolveZone(name: string | undefined | null): Zone {
  const raw = (name ?? 'UTC').trim();
  if (/^(utc|gmt|z)$/i.test(raw) || raw === '') return FixedOffsetZone.utcInstance;
  const off = /^(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(raw);
  if (off) {
    const minutes = (Number(off[2]) * 60 + Number(off[3] ?? 0)) * (off[1] === '-' ? -1 : 1);
    return FixedOffsetZone.instance(minutes);
  }
  if (IANAZone.isValidZone(raw)) return IANAZone.create(raw);
  throw new ValidationError({
    service: 'intacct',
    code: 'BAD_TIME_ZONE',
    userMessage: `Unknown time zone '${raw}' for the Intacct API user. Use an IANA name like 'America/New_York', or an offset like '+02:00'.`,
    fields: { 'intacct.timeZone': 'Unknown time zone' },
  });
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const pad4 = (n: number) => (n < 10 ? `000${n}` : n < 100 ? `00${n}` : n < 1000 ? `0${n}` : String(n));

/** Matches Intacct's `MM/DD/YYYY` and `MM/DD/YYYY HH:MM:SS` (24-hour). */
const DATETIME_RE = /^(\d{2})\/(\d{2})\/(\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Converts between Intacct's local datetimes and UTC for one zone. */
export class ZoneConverter {
  readonly zone: Zone;
  private readonly utc: boolean;
  private readonly fixedOffsetMin: number | null;
  private readonly offsetCache = new Map<number, number>();

  constructor(zone: Zone | string | undefined | null) {
    this.zone = typeof zone === 'object' && zone !== null ? zone : resolveZone(zone);
    this.fixedOffsetMin = this.zone.isUniversal ? this.zone.offset(0) : null;
    this.utc = this.fixedOffsetMin === 0;
  }

  /** Intacct local datetime text → UTC epoch ms, or null when the text is not a datetime. */
  toUtcMs(text: string): number | null {
    const m = DATETIME_RE.exec(text);
    if (!m) return null;
    const y = Number(m[3]),
      mo = Number(m[1]),
      d = Number(m[2]);
    const h = Number(m[4] ?? 0),
      mi = Number(m[5] ?? 0),
      s = Number(m[6] ?? 0);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
    const local = Date.UTC(y, mo - 1, d, h, mi, s);
    return local - this.offsetMinutes(y, mo, d, h, local) * 60_000;
  }

  /** Intacct local datetime text → UTC `YYYY-MM-DD HH:MM:SS`, or null when not a datetime. */
  toUtcText(text: string): string | null {
    if (this.utc && text.length === 19 && text.charCodeAt(2) === 47 && text.charCodeAt(5) === 47 && text.charCodeAt(10) === 32) {
      // Fast path for the recommended GMT API user (§4.4): rearrange, after a cheap check.
      if (!DATETIME_RE.test(text)) return null;
      return `${text.slice(6, 10)}-${text.slice(0, 2)}-${text.slice(3, 5)} ${text.slice(11)}`;
    }
    const ms = this.toUtcMs(text);
    return ms === null ? null : formatUtc(ms);
  }

  /** UTC epoch ms → the zone's `MM/DD/YYYY HH:MM:SS`, Intacct's filter format (§4.4). */
  toIntacct(ms: number): string {
    const offset = this.fixedOffsetMin ?? this.zone.offset(ms);
    const t = new Date(Math.floor(ms / 1000) * 1000 + offset * 60_000);
    return `${pad2(t.getUTCMonth() + 1)}/${pad2(t.getUTCDate())}/${pad4(t.getUTCFullYear())} ${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}:${pad2(t.getUTCSeconds())}`;
  }

  private offsetMinutes(y: number, mo: number, d: number, h: number, localMs: number): number {
    if (this.fixedOffsetMin !== null) return this.fixedOffsetMin;
    const key = Math.floor(localMs / 3_600_000);
    let off = this.offsetCache.get(key);
    if (off === undefined) {
      // luxon resolves local wall time in the zone (gaps shift forward, overlaps take the earlier).
      off = DateTime.fromObject({ year: y, month: mo, day: d, hour: h }, { zone: this.zone }).offset;
      if (this.offsetCache.size > 50_000) this.offsetCache.clear();
      this.offsetCache.set(key, off);
    }
    return off;
  }
}

/** UTC epoch ms → `YYYY-MM-DD HH:MM:SS`. */
export function formatUtc(ms: number): string {
  const t = new Date(ms);
  return `${pad4(t.getUTCFullYear())}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())} ${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}:${pad2(t.getUTCSeconds())}`;
}

/** `MM/DD/YYYY` (or a datetime's date part, or ISO) → `YYYY-MM-DD`; null when not a date. */
export function parseIntacctDate(text: string): string | null {
  if (text.length >= 10 && text.charCodeAt(2) === 47 && text.charCodeAt(5) === 47) {
    const mo = Number(text.slice(0, 2)),
      d = Number(text.slice(3, 5)),
      y = text.slice(6, 10);
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && /^\d{4}$/.test(y) && (text.length === 10 || text.charCodeAt(10) === 32)) {
      return `${y}-${text.slice(0, 2)}-${text.slice(3, 5)}`;
    }
    return null;
  }
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : null;
}

/** `YYYY-MM-DD` → Intacct's `MM/DD/YYYY` filter format. */
export function toIntacctDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`Expected a date YYYY-MM-DD, got '${iso}'.`);
  return `${m[2]}/${m[3]}/${m[1]}`;
}

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?$/;

/**
 * Normalises a decimal string exactly: `1234.5` → `1234.50` at scale 2, `-0012.345` → `-12.35`
 * (half away from zero, on the digits), `-0.00` → `0.00`. Without a scale, trailing zeros go.
 * Returns null when the text is not a plain decimal.
 */
export function normalizeDecimal(text: string, scale?: number): string | null {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m) return null;
  let int = m[2] ?? '';
  let frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  const negative = m[1] === '-';
  if (scale !== undefined) {
    if (frac.length > scale) {
      const roundUp = frac.charCodeAt(scale) >= 53; // '5'
      frac = frac.slice(0, scale);
      if (roundUp) {
        const digits = incrementDigits(int + frac);
        int = digits.slice(0, digits.length - scale);
        frac = digits.slice(digits.length - scale);
      }
    } else if (frac.length < scale) {
      frac = frac.padEnd(scale, '0');
    }
  } else {
    frac = frac.replace(/0+$/, '');
  }
  int = int.replace(/^0+/, '') || '0';
  const body = frac ? `${int}.${frac}` : int;
  const zero = int === '0' && /^0*$/.test(frac);
  return negative && !zero ? `-${body}` : body;
}

function incrementDigits(digits: string): string {
  const chars = digits.split('');
  let i = chars.length - 1;
  for (; i >= 0; i--) {
    if (chars[i] === '9') chars[i] = '0';
    else {
      chars[i] = String.fromCharCode(chars[i]!.charCodeAt(0) + 1);
      break;
    }
  }
  return i < 0 ? `1${chars.join('')}` : chars.join('');
}

/** A compiled converter for one column: Intacct string (or null) → typed cell. */
export type CellConverter = (raw: string | null) => CellValue;

function badValue(col: ColumnDef, raw: string, expected: string): ApiError {
  return new ApiError({
    service: 'intacct',
    code: 'BAD_VALUE',
    userMessage:
      `Intacct returned '${raw.slice(0, 40)}' for ${col.source}, which is not ${expected}. ` +
      // A field the user added most likely has the wrong type; a standard one, a user preference.
      (col.extra
        ? `Change the type of the extra field ${col.source} in Settings › Streams to match what Intacct holds.`
        : expected.includes('date')
          ? "Set the Intacct API user's date format to MM/DD/YYYY and a 24-hour clock."
          : 'Check the column type in the stream definition.'),
    detail: { column: col.name, source: col.source },
  });
}

/** Distinct values a memoized converter remembers before it starts over. */
const MEMO_LIMIT = 4096;

/**
 * Wraps a pure text → text conversion with a small cache. Dates and timestamps repeat heavily
 * within a page (a 2,000-row GL detail page holds a few dozen posting dates and a few hundred
 * timestamps), so most cells become one Map lookup, and equal cells share one string instead of
 * each allocating its own. Failures throw and are not cached.
 */
function memoized(convert: (raw: string) => string): CellConverter {
  const cache = new Map<string, string>();
  return (raw) => {
    if (raw === null) return null;
    let v = cache.get(raw);
    if (v === undefined) {
      v = convert(raw);
      if (cache.size >= MEMO_LIMIT) cache.clear();
      cache.set(raw, v);
    }
    return v;
  };
}

/** Builds the converter for a column once, so per-cell work is a switch-free call. */
export function compileColumn(col: ColumnDef, zone: ZoneConverter): CellConverter {
  switch (col.type) {
    case 'text': {
      const labels = col.labels;
      // A code column's readable label (STATE 'C' → 'Posted'); an unknown code stays as it is.
      return labels ? (raw) => (raw === null ? null : (labels[raw] ?? raw)) : (raw) => raw;
    }
    case 'bigint':
      return (raw) => {
        if (raw === null) return null;
        // Decimal digits only: Number() would also take '0x10', '1e3', '16.0' and '-0', and two
        // different keys could then collide.
        if (!/^-?(0|[1-9]\d*)$/.test(raw) || raw === '-0') throw badValue(col, raw, 'a whole number');
        const n = Number(raw);
        if (!Number.isSafeInteger(n)) throw badValue(col, raw, 'a whole number');
        return n;
      };
    case 'numeric': {
      const scale = col.scale;
      // Most amounts already arrive in canonical form (`-23568.63`): accept them without rebuilding.
      const canonical = scale === undefined ? null : scale === 0 ? /^-?[1-9]\d*$|^0$/ : new RegExp(`^-?(?:0|[1-9]\\d*)\\.\\d{${scale}}$`);
      // A zero ('0', Intacct's usual debit or credit of a line on the other side) is common enough for its own answer.
      const zero = normalizeDecimal('0', scale)!;
      return (raw) => {
        if (raw === null) return null;
        if (raw === '0') return zero;
        if (canonical !== null && canonical.test(raw) && !(raw.charCodeAt(0) === 45 && /^-0(\.0*)?$/.test(raw))) return raw;
        const v = normalizeDecimal(raw, scale);
        if (v === null) throw badValue(col, raw, 'a decimal number');
        return v;
      };
    }
    case 'date':
      return memoized((raw) => {
        const v = parseIntacctDate(raw);
        if (v === null) throw badValue(col, raw, 'a date (MM/DD/YYYY)');
        return v;
      });
    case 'timestamp':
      return memoized((raw) => {
        const v = zone.toUtcText(raw);
        if (v === null) throw badValue(col, raw, 'a date and time (MM/DD/YYYY HH:MM:SS)');
        return v;
      });
    case 'bool':
      return (raw) => {
        if (raw === null) return null;
        switch (raw.toLowerCase()) {
          case 'true':
          case 't':
          case '1':
            return true;
          case 'false':
          case 'f':
          case '0':
            return false;
          default:
            throw badValue(col, raw, 'true or false');
        }
      };
    default: {
      const never: never = col.type;
      throw new RangeError(`Unknown column type ${String(never)}`);
    }
  }
}
