/**
 * A fast path for the one big part of a `query` answer: the records inside `<data>`.
 *
 * Intacct returns records flat (intacct-exchanges.md §4): `<OBJ><F1>…</F1>…<Fn></Fn></OBJ>`, one
 * element per selected field, dotted names kept (`<VENDOR.NAME>`), empty values as empty
 * elements, no attributes and no nesting inside a record. fast-xml-parser builds a generic tree for
 * them and then compresses it, which made a 2,000-row GL detail page (46 fields, ~3 MB) cost about
 * 0.4 s: more than the 250 ms a request takes, so parsing, not Intacct, set the pace.
 *
 * This scanner reads exactly that flat shape with `indexOf` and gives the same objects
 * fast-xml-parser would (strings as sent, the five predefined entities decoded). The moment it
 * meets anything else (a nested element, an attribute, a comment, CDATA, a numeric or unknown
 * entity, a repeated field, a tag that does not close as it opened) it returns null and the caller
 * parses the whole answer with fast-xml-parser as before, so an unusual answer is never misread;
 * it is only slower. The envelope (control, authentication, result, errors) is always parsed by
 * fast-xml-parser.
 */

/** One record: field element name → its text. */
export type FlatRecord = Record<string, string>;

/**
 * Records that all send the same fields in the same order (what a `query` answer is: the selected
 * fields, intacct-exchanges.md §4), by position: `rows[r][k]` is field `fields[k]` of record r.
 */
export interface FlatTable {
  /** The record element (`GLDETAIL`). */
  tag: string;
  fields: readonly string[];
  /** Values by position, record after record; empty when a builder made `built` instead. */
  rows: string[][];
  /** What the builder made of each record, in document order, when one was given; else null. */
  built: unknown[] | null;
  /** The last record's values (a keyset read continues from it), null when there is no record. */
  last: readonly string[] | null;
}

/**
 * Makes something of each record as it is read (the reader's typed rows): given a page's layout, a
 * function of one record's values by position. The values array is reused for the next record, so
 * the function must not keep it. With a builder no table of values is kept: on a 2,000-row GL page
 * that is 2,000 arrays and ~90,000 strings less that live through a scavenge (measured: scan and
 * conversion together then cost about what the scan alone did).
 */
export type RecordBuilder = (fields: readonly string[]) => (values: readonly string[]) => unknown;

/** The answer split in two: the envelope with `<data>` emptied, and the records it held. */
export interface FlatSplit {
  envelope: string;
  /** The records by position when they all have one layout, else null. */
  table: FlatTable | null;
  /** Number of records. */
  count: number;
  /** The records as objects (built from `table` on first use: the reader converts the table itself). */
  readonly records: FlatRecord[];
}

/** Names already checked: a page repeats the same few dozen field names thousands of times. */
const goodNames = new Set<string>();

/**
 * Splits an answer with exactly one `<data …>…</data>` whose content is flat records; null when
 * the answer has no such element, more than one, or content of another shape.
 */
export function splitFlatData(xml: string, build?: RecordBuilder): FlatSplit | null {
  const open = xml.indexOf('<data');
  if (open < 0) return null;
  const openEnd = xml.indexOf('>', open);
  if (openEnd < 0 || xml[openEnd - 1] === '/') return null;
  // `<data` must be the element itself, not `<dataset…>`.
  const after = xml[open + 5];
  if (after !== ' ' && after !== '>' && after !== '\t' && after !== '\n' && after !== '\r') return null;
  // Only record lists (query, readByQuery, readMore: their <data> carries count="…"); other
  // functions' data (readUserFormatting, lookup) is read whole by the full parser, raw tree included.
  if (!/\scount="/.test(xml.slice(open, openEnd))) return null;
  // The last `</data>` is found from the end, so the page is not searched twice: any `</data>` or
  // `<data…` before it, inside the records, is refused by the scanner (a name starting with `data`).
  const close = xml.lastIndexOf('</data>');
  if (close < openEnd || xml.indexOf('<data', close) >= 0) return null;
  const scanned = scanTable(xml, openEnd + 1, close, build);
  if (scanned === null) return null;
  return withRecords({ envelope: xml.slice(0, openEnd + 1) + xml.slice(close), ...scanned }, () => scanTable(xml, openEnd + 1, close));
}

/** The records between `from` and `to` (exclusive), or null when the content is not flat records. */
export function scanRecords(xml: string, from: number, to: number): FlatRecord[] | null {
  const scanned = scanTable(xml, from, to);
  return scanned === null ? null : withRecords({ envelope: '', ...scanned }, () => scanned).records;
}

/**
 * Adds the `records` view, built once on first use; when a builder kept no values, the records
 * are read again (`rescan`), which only callers other than the reader ever ask for.
 */
function withRecords(split: Omit<FlatSplit, 'records'> & { records?: FlatRecord[] }, rescan: () => Scanned | null): FlatSplit {
  let records: FlatRecord[] | null = split.records ?? null;
  const table = split.table;
  return {
    envelope: split.envelope,
    table,
    count: split.count,
    get records(): FlatRecord[] {
      if (records === null) {
        const values = table && table.built ? rescan()?.table : table;
        records = values ? tableRecords(values) : [];
      }
      return records;
    },
  };
}

function tableRecords(table: FlatTable): FlatRecord[] {
  const { fields, rows } = table;
  return rows.map((values) => {
    const rec: FlatRecord = {};
    for (let k = 0; k < fields.length; k++) rec[fields[k]!] = values[k]!;
    return rec;
  });
}

type Scanned = { table: FlatTable; count: number; records?: undefined } | { table: null; count: number; records: FlatRecord[] };

/**
 * The records between `from` and `to`: the first record is read field by field and sets the
 * layout (record tag, field names in order); every later record is checked against that layout
 * with `startsWith` on its known tags, so names are neither cut out nor looked up again. A record
 * that does not follow the layout (another field, another order, a missing field) turns the rest
 * of the page into a generic read of objects; anything that is not flat records gives null.
 */
function scanTable(xml: string, from: number, to: number, builder?: RecordBuilder): Scanned | null {
  let i = skipSpace(xml, from, to);
  if (i >= to) return { table: { tag: '', fields: [], rows: [], built: builder ? [] : null, last: null }, count: 0 };
  const first = readRecord(xml, i, to);
  if (first === null) return null;
  const fields = Object.keys(first.rec);
  const tag = first.tag;
  let last: string[] = fields.map((f) => first.rec[f]!);
  const build = builder ? builder(fields) : null;
  const built: unknown[] | null = build ? [build(last)] : null;
  const rows: string[][] = build ? [] : [last];
  const width = fields.length;
  // With a builder one array holds each record's values in turn (the builder does not keep it).
  const scratch: string[] = new Array(width);
  const openTag = `<${tag}>`;
  const closeTag = `</${tag}>`;
  const opens = fields.map((f) => `<${f}`);
  const closes = fields.map((f) => `</${f}>`);
  i = skipSpace(xml, first.end, to);
  // The next `&` of the page: a value needs decoding only when it lies inside that value's text
  // (the known tags hold none), so values are not searched for one each.
  let amp = nextAmp(xml, i, to);
  while (i < to) {
    const start = i;
    let ok = xml.startsWith(openTag, i);
    const values: string[] = build ? scratch : new Array(width);
    if (ok) i = skipSpace(xml, i + openTag.length, to);
    for (let k = 0; ok && k < width; k++) {
      const o = opens[k]!;
      if (!xml.startsWith(o, i)) {
        ok = false;
        break;
      }
      const j = i + o.length;
      const c = xml.charCodeAt(j);
      if (c === 62 /* > */) {
        const textEnd = xml.indexOf('<', j + 1);
        if (textEnd < 0 || textEnd >= to || !xml.startsWith(closes[k]!, textEnd)) {
          ok = false;
          break;
        }
        const raw = xml.slice(j + 1, textEnd);
        let decoded: string | null = raw;
        if (amp < textEnd) {
          decoded = decodeEntities(raw);
          amp = nextAmp(xml, textEnd, to);
        }
        if (decoded === null) return null;
        values[k] = decoded;
        i = skipSpace(xml, textEnd + closes[k]!.length, to);
      } else if (c === 47 /* / */ && xml.charCodeAt(j + 1) === 62) {
        values[k] = '';
        i = skipSpace(xml, j + 2, to);
      } else {
        ok = false;
      }
    }
    if (ok && xml.startsWith(closeTag, i)) {
      if (build) built!.push(build(values));
      else rows.push(values);
      last = values;
      i = skipSpace(xml, i + closeTag.length, to);
      continue;
    }
    // Not this layout: the whole page is read record by record, as objects.
    if (build) return scanTable(xml, from, to);
    const records = tableRecords({ tag, fields, rows, built: null, last: null });
    for (i = start; i < to;) {
      const r = readRecord(xml, i, to);
      if (r === null) return null;
      records.push(r.rec);
      i = skipSpace(xml, r.end, to);
    }
    return { table: null, count: records.length, records };
  }
  return { table: { tag, fields, rows, built, last: last === scratch ? [...scratch] : last }, count: built ? built.length : rows.length };
}

/** One record at `i` (on its `<`), read field by field; null when it is not a flat record. */
function readRecord(xml: string, i: number, to: number): { tag: string; rec: FlatRecord; end: number } | null {
  if (xml.charCodeAt(i) !== 60 /* < */) return null;
  const tagEnd = xml.indexOf('>', i);
  if (tagEnd < 0 || tagEnd >= to) return null;
  const tag = xml.slice(i + 1, tagEnd);
  if (!isName(tag)) return null;
  const closeTag = `</${tag}>`;
  const rec: FlatRecord = {};
  i = skipSpace(xml, tagEnd + 1, to);
  for (;;) {
    if (i >= to || xml.charCodeAt(i) !== 60) return null;
    if (xml.startsWith(closeTag, i)) return { tag, rec, end: i + closeTag.length };
    const fEnd = xml.indexOf('>', i);
    if (fEnd < 0 || fEnd >= to) return null;
    let name: string;
    let value: string;
    if (xml.charCodeAt(fEnd - 1) === 47 /* / */) {
      name = xml.slice(i + 1, fEnd - 1);
      value = '';
      i = fEnd + 1;
    } else {
      name = xml.slice(i + 1, fEnd);
      const textEnd = xml.indexOf('<', fEnd + 1);
      if (textEnd < 0 || textEnd >= to) return null;
      // The text must be followed by this field's own closing tag: anything else is nesting.
      if (xml.charCodeAt(textEnd + 1) !== 47 || !xml.startsWith(name, textEnd + 2) || xml.charCodeAt(textEnd + 2 + name.length) !== 62) return null;
      const raw = xml.slice(fEnd + 1, textEnd);
      const decoded = raw.indexOf('&') < 0 ? raw : decodeEntities(raw);
      if (decoded === null) return null;
      value = decoded;
      i = textEnd + name.length + 3;
    }
    if (!isName(name) || name in rec) return null;
    rec[name] = value;
    i = skipSpace(xml, i, to);
  }
}

function isName(s: string): boolean {
  if (goodNames.has(s)) return true;
  // `<data…>` inside the records would be a second data element (splitFlatData refuses those).
  if (s.length === 0 || s.length > 200 || s === '__proto__' || s.startsWith('data')) return false;
  const c = s.charCodeAt(0);
  if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return false;
  for (let k = 1; k < s.length; k++) {
    const d = s.charCodeAt(k);
    // Letters, digits, _ . - :
    if (!((d >= 65 && d <= 90) || (d >= 97 && d <= 122) || (d >= 48 && d <= 58) || d === 95 || d === 46 || d === 45)) return false;
  }
  if (goodNames.size < 10_000) goodNames.add(s);
  return true;
}

/** Position of the next `&` at or after `i`, or `to` when there is none before it. */
function nextAmp(s: string, i: number, to: number): number {
  const at = s.indexOf('&', i);
  return at < 0 || at > to ? to : at;
}

function skipSpace(s: string, i: number, to: number): number {
  while (i < to) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five predefined entities; null for any other reference (the full parser decides). */
function decodeEntities(raw: string): string | null {
  let out = '';
  let at = 0;
  for (;;) {
    const amp = raw.indexOf('&', at);
    if (amp < 0) return out + raw.slice(at);
    const semi = raw.indexOf(';', amp);
    if (semi < 0) return null;
    const value = ENTITIES[raw.slice(amp + 1, semi)];
    if (value === undefined) return null;
    out += raw.slice(at, amp) + value;
    at = semi + 1;
  }
}
