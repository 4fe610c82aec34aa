/**
 * Takes the `.hyper` out of a downloaded data source. "Download Data Source" answers a `.tdsx`
 * (a zip holding the `.tds` and, with includeExtract, `Data/Extracts/<name>.hyper`) for data
 * sources with an extract; what it answers for one published from a bare `.hyper` is UNCONFIRMED,
 * so both a zip and a bare Hyper file are accepted (told apart by their first bytes).
 *
 * The zip reader is minimal on purpose: it reads the central directory and one entry, stored or
 * deflated (the two methods zip writers use), and refuses anything else (zip64, encryption) with a
 * message. No zip-reading library is among the project's dependencies.
 */
import { inflateRawSync } from 'node:zlib';
import { ApiError } from '../errors';

const HYPER_MAGIC = Buffer.from('Hyper', 'latin1');
const ZIP_LOCAL = 0x04034b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_END = 0x06054b50;

/** The Hyper file in `body` (a bare `.hyper` or a `.tdsx`), or an ApiError saying what it was. */
export function hyperFromDownload(body: Buffer, what: string): Buffer {
  if (body.subarray(0, HYPER_MAGIC.length).equals(HYPER_MAGIC)) return body;
  if (body.length >= 4 && body.readUInt32LE(0) === ZIP_LOCAL) {
    const entry = zipEntries(body, what).find((e) => /\.hyper$/i.test(e.name));
    if (!entry) throw unreadable(what, 'the downloaded .tdsx holds no .hyper extract');
    const data = readEntry(body, entry, what);
    if (!data.subarray(0, HYPER_MAGIC.length).equals(HYPER_MAGIC)) throw unreadable(what, `${entry.name} is not a Hyper file`);
    return data;
  }
  throw unreadable(what, 'the download is neither a .hyper nor a .tdsx file');
}

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function zipEntries(buf: Buffer, what: string): ZipEntry[] {
  // The end-of-central-directory record is in the last 22 + 65535 bytes (comment at most 64 KB).
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === ZIP_END) {
      end = i;
      break;
    }
  }
  if (end < 0) throw unreadable(what, 'the .tdsx has no zip directory');
  const count = buf.readUInt16LE(end + 10);
  const dirOffset = buf.readUInt32LE(end + 16);
  if (count === 0xffff || dirOffset === 0xffffffff) throw unreadable(what, 'the .tdsx is a zip64 archive, which the connector does not read');
  const out: ZipEntry[] = [];
  let p = dirOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== ZIP_CENTRAL) throw unreadable(what, 'the .tdsx zip directory is damaged');
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    out.push({
      flags: buf.readUInt16LE(p + 8),
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
      name: buf.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function readEntry(buf: Buffer, e: ZipEntry, what: string): Buffer {
  if (e.flags & 1) throw unreadable(what, `${e.name} is encrypted`);
  const p = e.localOffset;
  if (buf.readUInt32LE(p) !== ZIP_LOCAL) throw unreadable(what, 'the .tdsx zip entry is damaged');
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const raw = buf.subarray(start, start + e.compressedSize);
  let data: Buffer;
  if (e.method === 0) data = raw;
  else if (e.method === 8) data = inflateRawSync(raw);
  else throw unreadable(what, `${e.name} uses zip method ${e.method}`);
  if (data.length !== e.size) throw unreadable(what, `${e.name} is truncated`);
  return data;
}

function unreadable(what: string, why: string): ApiError {
  return new ApiError({ service: 'tableau', kind: 'system', code: 'DOWNLOAD_UNREADABLE', userMessage: `The download of ${what} could not be read: ${why}.` });
}
