/**
 * Initiate File Upload and Append to File Upload (tableau-rest.md §3): appends are real
 * multipart/mixed bodies, at most 64 MB of file per block, 1000 blocks per file.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { MB, type EmulatorState, type Route } from './emulator-state';
import { badRequest } from './http-error';
import { multipartBoundary, openForWrite, parseMultipart } from './multipart';
import { drain } from './request-io';
import { el } from './ts-response';

const MAX_BLOCKS = 1000; // PUBREF preview text (§3): a file is limited to 1000 blocks

/** XSD pattern `([0-9]+:[0-9a-fA-F]+)-([0-9]+:[0-9]+)`, e.g. "7720:170fe6b1c1c7422dadff20f944d58a52-1:0". */
function newUploadSessionId(): string {
  return `${1000 + (randomBytes(2).readUInt16BE() % 9000)}:${randomBytes(16).toString('hex')}-1:0`;
}

/** The file upload routes. */
export function uploadRoutes(st: EmulatorState): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^sites\/([^/]+)\/fileUploads$/,
      keys: ['siteId'],
      authed: true,
      scope: 'tableau:file_uploads:create',
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        await drain(ctx.req);
        const id = newUploadSessionId();
        const path = join(st.config.dirs.uploads, `${randomUUID()}.bin`);
        await (await openForWrite(path)).close();
        st.uploads.set(id, { id, path, bytes: 0, blocks: 0, lastUsedAt: st.config.clock.now() });
        // fixture fileupload_initialize.xml
        return { status: 201, body: [el('fileUpload', { uploadSessionId: id, fileSize: 0 })] };
      },
    },
    {
      method: 'PUT',
      pattern: /^sites\/([^/]+)\/fileUploads\/([^/]+)$/,
      keys: ['siteId', 'uploadSessionId'],
      authed: true,
      scope: 'tableau:file_uploads:create',
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        const id = ctx.params.uploadSessionId ?? '';
        const upload = st.uploadOr404(id);
        const boundary = multipartBoundary(ctx.req.headers['content-type']);
        // Appends to one session are sequential (current docs, §3).
        return st.serialize(`upload:${id}`, async () => {
          if (upload.blocks >= MAX_BLOCKS) throw badRequest(`An upload may have at most ${MAX_BLOCKS} blocks.`);
          const handle = await openForWrite(upload.path);
          try {
            const parsed = await parseMultipart(ctx.req, boundary, {
              fileParts: ['tableau_file'],
              fileHandle: handle,
              filePosition: upload.bytes,
              maxFileBytes: st.config.maxBlockBytes,
            });
            if (!parsed.file) throw badRequest("The multipart body has no 'tableau_file' part.");
            upload.bytes += parsed.file.bytes;
            upload.blocks += 1;
          } catch (e) {
            // Undo a partial append: the session's file stays as it was before this request.
            await handle.close();
            await truncate(upload.path, upload.bytes);
            throw e;
          }
          await handle.close();
          // §3: fileSize is the size so far in MB (UNCONFIRMED rounding: up, so that any data shows).
          // fixture fileupload_append.xml
          return { status: 200, body: [el('fileUpload', { uploadSessionId: id, fileSize: Math.ceil(upload.bytes / MB) })] };
        });
      },
    },
  ];
}
