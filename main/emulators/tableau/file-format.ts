/**
 * Which `.hyper` file formats the emulated Tableau Server release can open.
 *
 * The format version sits in the file header: bytes 10–11, little-endian (docs/reference/tableau-realities.md; measured:
 * hyperd 0.0.26359 writes 1, 2, 3 there for `--default-database-version=1/2/3`, and TSC's
 * `World Indicators.hyper`, an older default file, has 0). Format 2 opens from Tableau Server
 * 2021.2.9 / 2021.3.8 / 2021.4.4 / 2022.1.2 and every release from 2022.2 on (Hyper API docs,
 * "Hyper Database Versions"). Formats 0 and 1 are taken to open everywhere the PATCH API exists;
 * releases for formats above 2 are UNCONFIRMED, so the emulator refuses those files, and a writer
 * that moved to a newer format fails the tests instead of a user's publish.
 */
import { open } from 'node:fs/promises';
import { versionNumber } from './emulator-state';

const FORMAT_2_FIRST: Record<string, number> = { '2021.2': 9, '2021.3': 8, '2021.4': 4, '2022.1': 2 };

/** The format version in a `.hyper` file's header, or null when it is not a Hyper file. */
export async function hyperFileFormat(path: string): Promise<number | null> {
  const h = await open(path, 'r');
  try {
    const buf = Buffer.alloc(12);
    const { bytesRead } = await h.read(buf, 0, 12, 0);
    if (bytesRead < 12 || buf.subarray(0, 5).toString('latin1') !== 'Hyper') return null;
    return buf.readUInt16LE(10);
  } finally {
    await h.close();
  }
}

/** Why `productVersion` cannot open a file of `format`, or null when it can. */
export function formatRefusal(format: number, productVersion: string): string | null {
  if (format <= 1) return null;
  if (format > 2) return `.hyper file format ${format} is newer than the emulator knows Tableau to accept.`;
  const m = /^(\d{4})\.(\d+)(?:\.(\d+))?/.exec(productVersion);
  if (!m) return null;
  const line = `${m[1]}.${m[2]}`;
  const first = FORMAT_2_FIRST[line];
  if (first !== undefined)
    return Number(m[3] ?? 0) >= first ? null : `Tableau Server ${productVersion} cannot open .hyper file format 2 (it needs ${line}.${first} or later).`;
  return versionNumber(line) > versionNumber('2022.1') ? null : `Tableau Server ${productVersion} cannot open .hyper file format 2.`;
}
