/**
 * A streaming parser for the `multipart/mixed` bodies of Tableau's upload and publish calls
 * (tableau-rest.md §3): a `request_payload` part (XML, small) and a file part (`tableau_file` or
 * `tableau_datasource`, up to 64 MB) that is streamed to disk, never held in memory.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { TsHttpError, badRequest } from './http-error';

/** The headers of one part. Tableau's clients send `name="…"` with or without `form-data;` (§3). */
export interface PartInfo {
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
}

/** What the parser found: the small parts' bytes and the one file part written to disk. */
export interface MultipartResult {
  readonly fields: ReadonlyMap<string, Buffer>;
  readonly file: { readonly part: PartInfo; readonly bytes: number } | null;
}

/** Where the parser writes the file part and the limits it enforces. */
export interface MultipartOptions {
  /** Names of parts whose content goes to `fileHandle` (e.g. `tableau_file`). */
  readonly fileParts: readonly string[];
  /** Where the file part's bytes are written, at `filePosition` onwards. */
  readonly fileHandle: FileHandle | null;
  readonly filePosition: number;
  /** A file part larger than this is refused (the 64 MB block limit, §3). */
  readonly maxFileBytes: number;
  /** Non-file parts larger than this are refused. */
  readonly maxFieldBytes?: number;
}

/** The boundary from `Content-Type: multipart/mixed; boundary=…`, or a 400. */
export function multipartBoundary(contentType: string | undefined): string {
  const ct = contentType ?? '';
  if (!/^multipart\/(mixed|form-data)\b/i.test(ct)) throw badRequest(`Expected a multipart/mixed body, got '${ct || 'none'}'.`);
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(ct);
  const b = m?.[1] ?? m?.[2];
  if (!b) throw badRequest('The multipart Content-Type has no boundary.');
  return b;
}

function parsePartHeaders(raw: string): PartInfo {
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of raw.split('\r\n')) {
    const idx = line.indexOf(':');
    if (idx < 0) continue;
    const key = line.slice(0, idx).trim().toLowerCase();
    const value = line.slice(idx + 1).trim();
    if (key === 'content-disposition') {
      name = /(?:^|[;\s])name="([^"]*)"/i.exec(value)?.[1] ?? /(?:^|[;\s])name=([^;\s]+)/i.exec(value)?.[1];
      filename = /filename="([^"]*)"/i.exec(value)?.[1] ?? /filename=([^;\s]+)/i.exec(value)?.[1];
    } else if (key === 'content-type') contentType = value;
  }
  if (!name) throw badRequest('A multipart part has no Content-Disposition name.');
  return { name, filename, contentType };
}

/**
 * Parses `body` (an async iterable of chunks, e.g. the request) and writes the file part to
 * `fileHandle`. Throws a TsHttpError (400 malformed, 413 block too large); the caller undoes any
 * partial write.
 */
export async function parseMultipart(body: AsyncIterable<Buffer>, boundary: string, opts: MultipartOptions): Promise<MultipartResult> {
  const maxField = opts.maxFieldBytes ?? 1024 * 1024;
  // A leading CRLF lets the first delimiter (which has none before it) match like the others.
  const delim = Buffer.from(`\r\n--${boundary}`);
  const keep = delim.length - 1;
  let buf: Buffer = Buffer.from('\r\n');
  let state: 'preamble' | 'afterDelim' | 'headers' | 'body' | 'done' = 'preamble';
  let part: PartInfo | null = null;
  let fieldChunks: Buffer[] = [];
  let fieldBytes = 0;
  let fileBytes = 0;
  let file: MultipartResult['file'] = null;
  const fields = new Map<string, Buffer>();

  const emit = async (data: Buffer): Promise<void> => {
    if (!part || data.length === 0) return;
    if (opts.fileParts.includes(part.name)) {
      if (fileBytes + data.length > opts.maxFileBytes) {
        // UNCONFIRMED: the status/code Tableau gives an over-size block; 413 follows HTTP and the
        // "first three digits = status" rule (tableau-rest.md §8).
        throw new TsHttpError(413, '413000', 'Payload Too Large', `A file part may hold at most ${opts.maxFileBytes} bytes.`);
      }
      if (!opts.fileHandle) throw badRequest(`Unexpected file part '${part.name}'.`);
      let off = 0;
      while (off < data.length) {
        const { bytesWritten } = await opts.fileHandle.write(data, off, data.length - off, opts.filePosition + fileBytes + off);
        off += bytesWritten;
      }
      fileBytes += data.length;
    } else {
      fieldBytes += data.length;
      if (fieldBytes > maxField) throw badRequest(`The part '${part.name}' is too large.`);
      fieldChunks.push(Buffer.from(data));
    }
  };
  const closePart = (): void => {
    if (!part) return;
    if (opts.fileParts.includes(part.name)) {
      if (file) throw badRequest('More than one file part.');
      file = { part, bytes: fileBytes };
    } else fields.set(part.name, Buffer.concat(fieldChunks));
    part = null;
    fieldChunks = [];
    fieldBytes = 0;
  };

  const step = async (final: boolean): Promise<void> => {
    for (;;) {
      if (state === 'done') return;
      if (state === 'preamble') {
        const idx = buf.indexOf(delim);
        if (idx < 0) {
          if (buf.length > keep) buf = buf.subarray(buf.length - keep);
          return;
        }
        buf = buf.subarray(idx + delim.length);
        state = 'afterDelim';
      } else if (state === 'afterDelim') {
        if (buf.length < 2) return;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = 'done';
          return;
        }
        // RFC 2046 allows transport padding (spaces/tabs) after a delimiter.
        const eol = buf.indexOf('\r\n');
        if (eol < 0) {
          if (buf.length > 1024) throw badRequest('Malformed multipart delimiter line.');
          return;
        }
        if (buf.subarray(0, eol).toString('latin1').trim() !== '') throw badRequest('Malformed multipart delimiter line.');
        buf = buf.subarray(eol + 2);
        state = 'headers';
      } else if (state === 'headers') {
        let headerText: string;
        if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
          headerText = '';
          buf = buf.subarray(2);
        } else {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) {
            if (buf.length > 16 * 1024) throw badRequest('Multipart part headers are too long.');
            return;
          }
          headerText = buf.subarray(0, end).toString('utf8');
          buf = buf.subarray(end + 4);
        }
        part = parsePartHeaders(headerText);
        state = 'body';
      } else {
        const idx = buf.indexOf(delim);
        if (idx < 0) {
          if (buf.length > keep) {
            await emit(buf.subarray(0, buf.length - keep));
            buf = buf.subarray(buf.length - keep);
          }
          return;
        }
        await emit(buf.subarray(0, idx));
        closePart();
        buf = buf.subarray(idx + delim.length);
        state = 'afterDelim';
      }
      if (final && buf.length === 0) return;
    }
  };

  for await (const chunk of keepOpen(body)) {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    await step(false);
  }
  await step(true);
  if ((state as string) !== 'done') throw badRequest('The multipart body ended before its closing boundary.');
  return { fields, file };
}

/**
 * Iterates `body` without destroying it when the loop exits early: on an error the request must
 * stay readable so the server can drain it and still send its error response.
 */
export function keepOpen<T>(body: AsyncIterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: () => {
      const it = body[Symbol.asyncIterator]();
      return { next: () => it.next() };
    },
  };
}

/** Opens (creating if needed) a file for the parser to write into. */
export async function openForWrite(path: string): Promise<FileHandle> {
  return open(path, 'a+').then(async (h) => {
    await h.close();
    return open(path, 'r+');
  });
}
