/**
 * File uploads and publishing a .hyper (tableau-rest.md §3).
 *
 * Upload: `POST fileUploads` (201, an upload session) then one `PUT fileUploads/<id>` per block,
 * each a multipart/mixed body with an empty `request_payload` and a `tableau_file` part holding the
 * block, read from disk while it is sent. Blocks are at most 64 MB (the ceiling Tableau's own
 * clients use) and sent in order (parallel appends with `sequenceID` are preview-only, UNCONFIRMED).
 *
 * Neither call is idempotent: a repeated append would add the block twice. So they are re-sent only
 * when Tableau cannot have acted on them (see tableau-http.ts); after an ambiguous failure the
 * whole upload restarts with a fresh upload session, and the abandoned session is left to expire
 * (it is never committed, so it changes nothing).
 *
 * Publish: files under the single-call limit (16 MB by default, at most 64 MB) go in one call (request_payload + tableau_datasource); larger ones are
 * uploaded first and committed with `?uploadSessionId=…&datasourceType=hyper`. Files from
 * `asyncPublishBytes` (8 MB by default) on are published with `asJob=true`: a synchronous publish
 * of tens of MB meets gateway timeouts (504) on real sites, and TSC answers a 504 on a synchronous
 * publish with "Please use asynchronous publishing to avoid timeouts" (`datasources_endpoint.py`).
 * A publish POST is not re-sent blindly either; with overwrite=true publishing the same file again
 * gives the same data source (a new revision at most), so after an ambiguous failure the whole
 * publish is repeated, except after a 504: the server may still be working on it, so a synchronous
 * publish is repeated once as a job and an asJob publish is not repeated at all (no re-upload loop).
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Clock } from '../clock';
import { ConnectorError, NetworkError, ValidationError } from '../errors';
import { withRetry, type RetryPolicy } from '../http/retry';
import { RequestNotResentError } from './tableau-errors';
import type { TableauHttp } from './tableau-http';
import { buildMultipart, type MultipartPart } from './tableau-multipart';
import { hasJob, readDatasource, readFileUpload, readJob, requireTree, xmlAttr, type DatasourceInfo, type TableauJob } from './tableau-xml';

/** Largest block Tableau takes: 64 MB (MCP MAX_FILE_UPLOAD_CHUNK_BYTES, MIG). */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
/** Files smaller than this may be published in one request (PUBCON: 64 MB per request). */
export const SINGLE_CALL_LIMIT_BYTES = 64 * 1024 * 1024;
/**
 * The default block size, and the default size from which a publish goes through an upload
 * session: 16 MB. Each request body is held in memory whole (tableau-http.ts RequestBody), and the
 * network stack may copy it once more, so 64 MB blocks took a 1M-line GL load to ~390 MB RSS
 * (bench:tableau); TSC sends 50 MB, the Tableau documentation allows up to 64 MB.
 */
export const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;
/** Files from this size on are published as jobs (asJob=true), see the header. */
export const ASYNC_PUBLISH_BYTES = 8 * 1024 * 1024;
/** Tableau accepts at most 1000 blocks per file (release-preview PUBREF). */
export const MAX_BLOCKS = 1000;

/** Uploads and publishes take long: give each request at least this (MIG uses 30 min). */
export const TRANSFER_TIMEOUT_MS = 30 * 60_000;

export interface UploadDeps {
  http: TableauHttp;
  clock: Clock;
  random?: () => number;
  retry: RetryPolicy;
  chunkSizeBytes: number;
  singleCallLimitBytes: number;
  /** Publish as a job from this size on. */
  asyncPublishBytes: number;
  timeoutMs: number;
}

export interface UploadOptions {
  signal?: AbortSignal;
  /** Bytes acknowledged by Tableau so far, and the file size. */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
}

export interface PublishOptions extends UploadOptions {
  filePath: string;
  name: string;
  projectId: string;
  overwrite: boolean;
  /** Default: as a job from `asyncPublishBytes` on. */
  asJob?: boolean;
}

export interface PublishResult {
  /** The data source; null for an asJob publish (find it by name once the job has finished). */
  datasource: DatasourceInfo | null;
  job?: TableauJob;
}

/** Splits `size` bytes into consecutive [start, end) blocks of at most `chunkSize`. */
export function planBlocks(size: number, chunkSize: number): { start: number; end: number }[] {
  const blocks: { start: number; end: number }[] = [];
  for (let start = 0; start < size; start += chunkSize) blocks.push({ start, end: Math.min(size, start + chunkSize) });
  return blocks;
}

/** Uploads a file in blocks; returns the upload session id to commit or to use in a PATCH. */
export async function uploadFile(deps: UploadDeps, filePath: string, opts: UploadOptions = {}): Promise<string> {
  const size = await fileSize(filePath);
  const blocks = planBlocks(size, deps.chunkSizeBytes);
  if (blocks.length > MAX_BLOCKS) {
    throw new ValidationError({
      service: 'tableau',
      userMessage: `The file to upload (${Math.round(size / 1048576)} MB) would need ${blocks.length} blocks; Tableau accepts at most ${MAX_BLOCKS}. Increase the upload block size (up to 64 MB).`,
    });
  }
  return restartOnAmbiguity(deps, opts.signal, async () => {
    const sessionId = await deps.http.request(
      { operation: 'start a file upload', method: 'POST', path: 'fileUploads', site: true, auth: 'session', resend: 'if-not-processed', ...sig(opts.signal) },
      (res) => readFileUpload(requireTree(res.tree)).uploadSessionId,
    );
    let sent = 0;
    opts.onProgress?.(0, size);
    // One buffer for every block's body, each read into it when its request is sent: blocks go one
    // at a time, so a block's body is done with before the next is read. A new 16 MB Buffer per
    // block (beside the copy fetch makes of each body) left several waiting for the garbage
    // collector: bench:tableau's peak RSS, reached in the upload, was 259–310 MB against its 300 MB
    // target, and 227–299 MB (median 268) with one buffer (2026-12-04).
    let scratch: Buffer | undefined;
    for (const block of blocks) {
      const body = buildMultipart([
        { name: 'request_payload', contentType: 'text/xml', content: '' },
        { name: 'tableau_file', filename: basename(filePath), contentType: 'application/octet-stream', content: { path: filePath, ...block } },
      ]);
      await deps.http.request(
        {
          operation: 'upload a file block',
          method: 'PUT',
          path: `fileUploads/${encodeURIComponent(sessionId)}`,
          site: true,
          auth: 'session',
          resend: 'if-not-processed',
          body: () => ({ body: () => body.bytes((scratch ??= Buffer.allocUnsafe(body.length))), contentType: body.contentType }),
          timeoutMs: Math.max(deps.timeoutMs, TRANSFER_TIMEOUT_MS),
          ...sig(opts.signal),
        },
        (res) => readFileUpload(requireTree(res.tree)),
      );
      sent += block.end - block.start;
      opts.onProgress?.(sent, size);
    }
    return sessionId;
  });
}

/** Publishes a .hyper as a data source (single call under the limit, else upload + commit). */
export async function publishHyper(deps: UploadDeps, opts: PublishOptions): Promise<PublishResult> {
  const size = await fileSize(opts.filePath);
  const payload = `<tsRequest><datasource name="${xmlAttr(opts.name)}"><project id="${xmlAttr(opts.projectId)}"/></datasource></tsRequest>`;
  const publishOnce = async (asJob: boolean): Promise<PublishResult> => {
    const query = { datasourceType: 'hyper', overwrite: opts.overwrite ? 'true' : 'false', asJob: asJob ? 'true' : undefined };
    const parts: MultipartPart[] = [{ name: 'request_payload', contentType: 'text/xml', content: payload }];
    let uploadSessionId: string | undefined;
    if (size < deps.singleCallLimitBytes) {
      opts.onProgress?.(0, size);
      parts.push({
        name: 'tableau_datasource',
        filename: hyperFileName(opts.name),
        contentType: 'application/octet-stream',
        content: { path: opts.filePath, start: 0, end: size },
      });
    } else {
      uploadSessionId = await uploadFile(deps, opts.filePath, opts);
    }
    const body = buildMultipart(parts);
    const result = await deps.http.request(
      {
        operation: `publish data source '${opts.name}'`,
        method: 'POST',
        path: 'datasources',
        site: true,
        query: { ...(uploadSessionId ? { uploadSessionId } : {}), ...query },
        auth: 'session',
        resend: 'if-not-processed',
        body: () => ({ body: () => body.bytes(), contentType: body.contentType }),
        timeoutMs: Math.max(deps.timeoutMs, TRANSFER_TIMEOUT_MS),
        ...sig(opts.signal),
      },
      (res): PublishResult => {
        const tree = requireTree(res.tree);
        return hasJob(tree) ? { datasource: null, job: readJob(tree) } : { datasource: readDatasource(tree) };
      },
    );
    if (!uploadSessionId) opts.onProgress?.(size, size);
    return result;
  };
  const asJob = opts.asJob ?? size >= deps.asyncPublishBytes;
  const attempt = (job: boolean) => (opts.overwrite ? restartOnAmbiguity(deps, opts.signal, () => publishOnce(job), { keep504: true }) : publishOnce(job));
  try {
    return await attempt(asJob);
  } catch (err) {
    if (!isGatewayTimeout(err)) throw err;
    // A 504 on a synchronous overwrite: repeat it once as a job (TSC's advice). Any 504 after that,
    // or on an asJob publish, ends the attempt: the next sync publishes again.
    if (!asJob && opts.overwrite) {
      try {
        return await publishOnce(true);
      } catch (again) {
        if (isGatewayTimeout(again)) throw gatewayTimeout(opts.name, again);
        throw again;
      }
    }
    throw gatewayTimeout(opts.name, err);
  }
}

function isGatewayTimeout(err: unknown): boolean {
  return err instanceof ConnectorError && err.status === 504;
}

function gatewayTimeout(name: string, cause: unknown): NetworkError {
  return new NetworkError({
    service: 'tableau',
    code: 'PUBLISH_GATEWAY_TIMEOUT',
    status: 504,
    retryable: false,
    userMessage: `Tableau's gateway timed out (HTTP 504) while publishing '${name}'. Tableau may still finish that publish; the connector does not upload it again now, and the next sync publishes the data source again.`,
    cause,
  });
}

/**
 * Runs `op` again (through withRetry) when it failed with RequestNotResentError: used only where a
 * repeat is known to be harmless (a fresh upload session; an overwrite publish of the same file).
 */
async function restartOnAmbiguity<T>(deps: UploadDeps, signal: AbortSignal | undefined, op: () => Promise<T>, opts: { keep504?: boolean } = {}): Promise<T> {
  return withRetry(
    async () => {
      try {
        return await op();
      } catch (err) {
        // A publish's 504 is left to the caller: it may still be running in Tableau (see the header).
        if (!(err instanceof RequestNotResentError) || (opts.keep504 && err.status === 504)) throw err;
        throw new NetworkError({
          service: 'tableau',
          code: err.code ?? 'RESTART',
          ...(err.status !== undefined ? { status: err.status } : {}),
          userMessage: err.userMessage,
          detail: { ...(err.detail ?? {}), restarted: true },
          cause: err,
        });
      }
    },
    // As many fresh starts as the retry policy allows attempts: each restart is rare in practice
    // (an ambiguous 5xx or reset), but a large upload has many blocks that can meet one.
    deps.retry,
    { clock: deps.clock, ...(deps.random ? { random: deps.random } : {}), ...(signal ? { signal } : {}) },
  );
}

/** The file name Tableau sees for a single-call publish (it infers the type from the extension). */
function hyperFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9 ._-]/g, '_').trim() || 'datasource';
  return `${safe}.hyper`;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    throw new ConnectorError({ service: 'local', kind: 'system', retryable: false, userMessage: `Cannot read the file to upload (${path}).`, cause: err });
  }
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
