/**
 * multipart/mixed bodies for publish and file-upload calls, streamed from disk.
 *
 * Tableau wants `multipart/mixed` with a `request_payload` part (XML, possibly empty) first and the
 * file part second (`tableau_file` for an upload block, `tableau_datasource` for a single-call
 * publish), each with `Content-Disposition: name="…"` (tableau-rest.md §3; MCP and MIG send no
 * `form-data;` prefix, TSC does; both are accepted). File bytes are read from disk in small pieces
 * into one buffer of the exact length just before the request (tableau-http.ts), so the network
 * stack sends it with a Content-Length (some proxies refuse chunked uploads; Electron's net.fetch
 * refuses a Content-Length set by hand).
 */
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ConnectorError } from '../errors';

/** A byte range of a file on disk: [start, end). */
export interface FileRange {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

export interface MultipartPart {
  readonly name: string;
  readonly filename?: string;
  readonly contentType: string;
  readonly content: string | Buffer | FileRange;
}

export interface MultipartBody {
  readonly contentType: string;
  readonly length: number;
  /** A fresh stream of the body each call (a retry needs a new one). */
  stream(): ReadableStream<Uint8Array>;
}

const READ_PIECE_BYTES = 1024 * 1024;

/** A boundary that cannot occur by accident in the payload. */
export function newBoundary(): string {
  return `mlconnector-${randomBytes(16).toString('hex')}`;
}

/** Lays out the parts with CRLF line ends and the closing delimiter. */
export function buildMultipart(parts: readonly MultipartPart[], boundary: string = newBoundary()): MultipartBody {
  const segments: (Buffer | FileRange)[] = [];
  for (const part of parts) {
    const disposition = `name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename.replace(/["\r\n\\]/g, '_')}"` : ''}`;
    segments.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${part.contentType}\r\n\r\n`, 'utf8'));
    segments.push(typeof part.content === 'string' ? Buffer.from(part.content, 'utf8') : part.content);
    segments.push(Buffer.from('\r\n', 'utf8'));
  }
  segments.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  const length = segments.reduce((n, s) => n + (Buffer.isBuffer(s) ? s.length : s.end - s.start), 0);
  return {
    contentType: `multipart/mixed; boundary=${boundary}`,
    length,
    stream: () => ReadableStream.from(pieces(segments)) as ReadableStream<Uint8Array>,
  };
}

async function* pieces(segments: readonly (Buffer | FileRange)[]): AsyncGenerator<Uint8Array> {
  for (const s of segments) {
    if (Buffer.isBuffer(s)) {
      yield s;
      continue;
    }
    if (s.end <= s.start) continue;
    let expected = s.end - s.start;
    for await (const chunk of createReadStream(s.path, { start: s.start, end: s.end - 1, highWaterMark: READ_PIECE_BYTES })) {
      const buf = chunk as Buffer;
      expected -= buf.length;
      yield buf;
    }
    // The file shrank while we were reading it: never send a short body.
    if (expected !== 0)
      throw new ConnectorError({
        service: 'local',
        kind: 'system',
        retryable: false,
        code: 'FILE_CHANGED',
        userMessage: `File ${s.path} changed while it was being uploaded.`,
      });
  }
}
