/**
 * The text of an answer, decoded lazily: one char per byte (latin1), with UTF-8 decoding left to
 * the few values that hold a non-ASCII byte.
 *
 * A 2,000-row GL detail page is ~3 MB, nearly all ASCII markup and figures, yet one em dash in a
 * description (the emulator's `OEM — Direct`, real memo texts) makes a full UTF-8 decode give a
 * two-byte string: twice the memory, slower scanning, and the decode itself cost ~8–15 ms a page
 * (scripts/bench-intacct.ts, perPageMs.decode). Every byte of XML markup is ASCII, so in the
 * latin1 text positions are byte offsets and every tag reads as it does in the decoded text; only
 * values with a byte ≥ 0x80 differ, and the scanner (flat-records.ts) decodes just those. An
 * all-ASCII answer's latin1 text IS its UTF-8 decode.
 *
 * Validity is checked on the bytes first (intacct-transport.ts, `isUtf8`): invalid UTF-8 is refused
 * as before (http/transport.ts InvalidTextError), never loaded as replacement characters.
 */
import { isAscii } from 'node:buffer';

/** The UTF-8 decode of the text's chars [from, to) (a slice of the bytes, not of the latin1 text). */
export type Utf8Slice = (from: number, to: number) => string;

/** An answer body as one char per byte; `ascii` says it needs no further decoding at all. */
export interface AnswerText {
  text: string;
  ascii: boolean;
  utf8: Utf8Slice;
}

/**
 * The latin1 text of `body` (a leading UTF-8 BOM dropped, as TextDecoder and Response.text() do),
 * without leading and trailing XML whitespace (trim() would also take a latin1 0xA0 byte).
 */
export function answerText(body: Buffer): AnswerText {
  let a = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  let b = body.length;
  while (a < b && isXmlSpace(body[a]!)) a++;
  while (b > a && isXmlSpace(body[b - 1]!)) b--;
  const bytes = body.subarray(a, b);
  return { text: bytes.toString('latin1'), ascii: isAscii(bytes), utf8: (from, to) => bytes.toString('utf8', from, to) };
}

/** The UTF-8 decode of a latin1 text (exact: latin1 maps each byte to the char of the same code). */
export function utf8FromLatin1(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}

const NON_ASCII = /[\x80-\xff]/g;

/** Position of the next char ≥ 0x80 at or after `i`, or `to` when there is none before it. */
export function nextNonAscii(s: string, i: number, to: number): number {
  NON_ASCII.lastIndex = i;
  if (!NON_ASCII.test(s)) return to;
  const at = NON_ASCII.lastIndex - 1;
  return at > to ? to : at;
}

/** Whether a latin1 text holds any char ≥ 0x80 (so it needs {@link utf8FromLatin1}). */
export function hasNonAscii(s: string): boolean {
  return nextNonAscii(s, 0, s.length) < s.length;
}

const isXmlSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
