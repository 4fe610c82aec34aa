/**
 * multipart/mixed bodies for publish and file-upload calls, streamed from disk.
 *
 * Tableau wants `multipart/mixed` with a `request_payload` part (XML, possibly empty) first and the
 * file part second (`tableau_file` for an upload block, `tableau_datasource` for a single-call
 * publish), each with `Content-Disposition: name="…"` (tableau-rest.md §3; MCP and MIG send no
 * `form-data;` prefix, TSC does; both are accepted). File bytes are read from disk straight into
 * one buffer of the body's exact length just before the request (tableau-http.ts), so the network
 * stack sends it with a Content-Length (some proxies refuse chunked uploads; Electron's net.fetch
 * refuses a Content-Length set by hand), and a block is held once, not also as the pieces it was
 * read in (bench:tableau's peak RSS).
 */
import { open } from 'node:fs/promises';
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
  /**
   * The whole body in one Buffer of `length` bytes, read afresh each call (a retry reads again);
   * into the start of `into` when it is given and large enough (the upload reuses one buffer for
   * all its blocks), else into a new Buffer.
   */
  bytes(into?: Buffer): Promise<Buffer>;
}

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
    bytes: (into) => readInto(segments, length, into),
  };
}

async function readInto(segments: readonly (Buffer | FileRange)[], length: number, into?: Buffer): Promise<Buffer> {
  const out = into && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
  let at = 0;
  for (const s of segments) {
    if (Buffer.isBuffer(s)) {
      at += s.copy(out, at);
      continue;
    }
    const want = s.end - s.start;
    if (want <= 0) continue;
    const file = await open(s.path, 'r');
    try {
      let got = 0;
      while (got < want) {
        const { bytesRead } = await file.read(out, at + got, want - got, s.start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      // The file shrank while we were reading it: never send a short body.
      if (got !== want)
        throw new ConnectorError({
          service: 'local',
          kind: 'system',
          retryable: false,
          code: 'FILE_CHANGED',
          userMessage: `File ${s.path} changed while it was being uploaded.`,
        });
    } finally {
      await file.close();
    }
    at += want;
  }
  return out;
}
