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

/** The answer split in two: the envelope with `<data>` emptied, and the records it held. */
export interface FlatSplit {
  envelope: string;
  records: FlatRecord[];
}

/** Names already checked: a page repeats the same few dozen field names thousands of times. */
const goodNames = new Set<string>();

/**
 * Splits an answer with exactly one `<data …>…</data>` whose content is flat records; null when
 * the answer has no such element, more than one, or content of another shape.
 */
export function splitFlatData(xml: string): FlatSplit | null {
  const open = xml.indexOf('<data');
  if (open < 0 || xml.indexOf('<data', open + 5) >= 0) return null;
  const openEnd = xml.indexOf('>', open);
  if (openEnd < 0 || xml[openEnd - 1] === '/') return null;
  // `<data` must be the element itself, not `<dataset…>`.
  const after = xml[open + 5];
  if (after !== ' ' && after !== '>' && after !== '\t' && after !== '\n' && after !== '\r') return null;
  // Only record lists (query, readByQuery, readMore: their <data> carries count="…"); other
  // functions' data (readUserFormatting, lookup) is read whole by the full parser, raw tree included.
  if (!/\scount="/.test(xml.slice(open, openEnd))) return null;
  const close = xml.indexOf('</data>', openEnd);
  if (close < 0 || xml.indexOf('</data>', close + 7) >= 0) return null;
  const records = scanRecords(xml, openEnd + 1, close);
  if (records === null) return null;
  return { envelope: xml.slice(0, openEnd + 1) + xml.slice(close), records };
}

/** The records between `from` and `to` (exclusive), or null when the content is not flat records. */
export function scanRecords(xml: string, from: number, to: number): FlatRecord[] | null {
  const out: FlatRecord[] = [];
  let i = skipSpace(xml, from, to);
  while (i < to) {
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
      if (xml.startsWith(closeTag, i)) {
        i += closeTag.length;
        break;
      }
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
    out.push(rec);
    i = skipSpace(xml, i, to);
  }
  return out;
}

function isName(s: string): boolean {
  if (goodNames.has(s)) return true;
  if (s.length === 0 || s.length > 200 || s === '__proto__') return false;
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
