/**
 * Loading one stream's batch into its Tableau data source (issue #3, docs/architecture.md).
 *
 * First load (no data source yet, or a full load): publish the .hyper with overwrite=true
 * (asJob from the client's threshold, 8 MB by default, then follow the job). Incremental PUSH only works on data sources
 * created by publishing a .hyper (tableau-rest.md §2), which is why the first load publishes.
 *
 * Later loads: upload the payload and PATCH "Update Data in Hyper Data Source" with
 *   1. upsert Extract.Extract → Extract.Extract, matched on the stream's primary key
 *      (`eq` per key column, `and` for composite keys, as HAS `base_extractor.py` builds them),
 *   2. delete from Extract.Extract the rows whose key is in the payload's Extract.deleted
 *      (key columns only: extra columns in a delete source table are an error, §2).
 * Upsert runs before delete so a record changed and then deleted within one batch ends deleted.
 * One PATCH is atomic (§2). When the upserts and deletes come in two different files, two PATCHes
 * are sent (RequestIDs `<id>:upsert`, `<id>:delete`), each idempotent on its own.
 *
 * RequestID: the batch's id is sent on every HTTP retry of its PATCH, so a PATCH re-sent after a
 * lost answer is ignored by Tableau (24 h de-dup, §2). A PATCH whose job *failed* was discarded
 * whole, so it is sent again with a derived id (`<id>~2`, `<id>~3`): re-using the original id
 * would be ignored as a duplicate and the batch silently lost. A caller retrying a batch after
 * loadBatch threw TableauJobFailedError must likewise use a new requestId.
 */
import { ApiError, ValidationError } from '../errors';
import type { StreamDefinition } from '../streams/types';
import type { TableauClient, UpdateAction } from './tableau-client';
import { isNotFound, TableauJobFailedError } from './tableau-errors';

/** One stream's batch to load. */
export interface LoadBatch {
  stream: StreamDefinition;
  datasourceName: string;
  projectId: string;
  existingDatasourceId: string | null;
  /** .hyper with table Extract.Extract (the rows to publish or upsert); null = nothing to upsert. */
  upsertFile: string | null;
  /** .hyper with table Extract.deleted (key columns only); may be the same file as upsertFile. */
  deleteFile?: string | null;
  /** Stable across retries of the batch (the PATCH RequestID). */
  requestId: string;
  fullLoad: boolean;
}

export type LoadPhase = 'uploading' | 'applying';

export interface LoadOptions {
  signal?: AbortSignal;
  onPhase?: (phase: LoadPhase, pct?: number) => void;
  /** PATCH attempts when the job fails (each with a fresh upload and RequestID). Default 3. */
  maxJobAttempts?: number;
}

export interface LoadResult {
  datasourceId: string;
  /** The publish (asJob) or update job followed to its end; null for a synchronous publish or an empty batch. */
  jobId: string | null;
  /** What was done. */
  mode: 'publish' | 'update' | 'none';
  /** RequestIDs of the PATCHes whose jobs succeeded (for the audit trail). */
  appliedRequestIds: string[];
}

/** Target table of a published single-table .hyper (HDB publish guide, §1.1). */
const TARGET = { 'target-schema': 'Extract', 'target-table': 'Extract' } as const;

/** The `condition` matching source and target rows on the key columns. */
export function keyCondition(primaryKey: readonly string[]): unknown {
  if (primaryKey.length === 0)
    throw new ValidationError({ service: 'tableau', userMessage: 'A stream without a primary key cannot be updated incrementally.' });
  const parts = primaryKey.map((k) => ({ op: 'eq', 'source-col': k, 'target-col': k }));
  return parts.length === 1 ? parts[0] : { op: 'and', args: parts };
}

/** The PATCH actions for a batch: upsert on the key, then delete by key from `deleted`. */
export function buildUpdateActions(stream: StreamDefinition, what: { upsert: boolean; delete: boolean }): UpdateAction[] {
  const condition = keyCondition(stream.primaryKey);
  const actions: UpdateAction[] = [];
  if (what.upsert) actions.push({ action: 'upsert', 'source-schema': 'Extract', 'source-table': 'Extract', ...TARGET, condition });
  if (what.delete) actions.push({ action: 'delete', 'source-schema': 'Extract', 'source-table': 'deleted', ...TARGET, condition });
  return actions;
}

/** Loads one batch; returns the data source LUID to remember and the job followed. */
export async function loadBatch(client: TableauClient, batch: LoadBatch, opts: LoadOptions = {}): Promise<LoadResult> {
  if (batch.fullLoad || !batch.existingDatasourceId) return publish(client, batch, opts);
  return update(client, batch, batch.existingDatasourceId, opts);
}

async function publish(client: TableauClient, batch: LoadBatch, opts: LoadOptions): Promise<LoadResult> {
  if (!batch.upsertFile) {
    throw new ValidationError({
      service: 'tableau',
      userMessage: `Publishing '${batch.datasourceName}' needs a .hyper file with the stream's rows (it may be empty, but it must exist).`,
    });
  }
  opts.onPhase?.('uploading', 0);
  const published = await client.publishHyper({
    filePath: batch.upsertFile,
    name: batch.datasourceName,
    projectId: batch.projectId,
    overwrite: true,
    // asJob from the client's threshold (8 MB by default): large synchronous publishes meet 504s.
    ...sig(opts.signal),
    onProgress: (sent, total) => opts.onPhase?.('uploading', pct(sent, total)),
  });
  if (published.datasource) {
    opts.onPhase?.('applying', 100);
    return { datasourceId: published.datasource.id, jobId: null, mode: 'publish', appliedRequestIds: [] };
  }
  const job = published.job!;
  opts.onPhase?.('applying', 0);
  const done = await client.waitForJob(job.id, { ...sig(opts.signal), onProgress: (p) => opts.onPhase?.('applying', p) });
  const datasourceId = done.datasourceId ?? (await client.findDatasource(batch.datasourceName, batch.projectId))?.id;
  if (!datasourceId) {
    throw new ApiError({
      service: 'tableau',
      code: 'PUBLISHED_NOT_FOUND',
      kind: 'transient',
      retryable: true,
      userMessage: `Tableau finished publishing '${batch.datasourceName}' but the data source cannot be found yet (new items can take a moment to appear). The next sync will find it.`,
    });
  }
  return { datasourceId, jobId: job.id, mode: 'publish', appliedRequestIds: [] };
}

async function update(client: TableauClient, batch: LoadBatch, datasourceId: string, opts: LoadOptions): Promise<LoadResult> {
  const units: { file: string; actions: UpdateAction[]; requestId: string }[] = [];
  const del = batch.deleteFile ?? null;
  if (batch.upsertFile && del && batch.upsertFile === del) {
    units.push({ file: del, actions: buildUpdateActions(batch.stream, { upsert: true, delete: true }), requestId: batch.requestId });
  } else {
    const both = !!batch.upsertFile && !!del;
    if (batch.upsertFile)
      units.push({
        file: batch.upsertFile,
        actions: buildUpdateActions(batch.stream, { upsert: true, delete: false }),
        requestId: both ? `${batch.requestId}:upsert` : batch.requestId,
      });
    if (del)
      units.push({
        file: del,
        actions: buildUpdateActions(batch.stream, { upsert: false, delete: true }),
        requestId: both ? `${batch.requestId}:delete` : batch.requestId,
      });
  }
  if (units.length === 0) return { datasourceId, jobId: null, mode: 'none', appliedRequestIds: [] };

  const maxAttempts = Math.max(1, opts.maxJobAttempts ?? 3);
  let lastJobId: string | null = null;
  const applied: string[] = [];
  for (const unit of units) {
    for (let attempt = 1; ; attempt++) {
      const requestId = attempt === 1 ? unit.requestId : `${unit.requestId}~${attempt}`;
      opts.onPhase?.('uploading', 0);
      const uploadSessionId = await client.uploadFile(unit.file, opts.signal, { onProgress: (sent, total) => opts.onPhase?.('uploading', pct(sent, total)) });
      opts.onPhase?.('applying', 0);
      let jobId: string;
      try {
        jobId = (await client.updateData({ datasourceId, uploadSessionId, actions: unit.actions, requestId, ...sig(opts.signal) })).id;
      } catch (err) {
        // A 404 on the PATCH does not prove the data source is gone: the upload session may have
        // expired or been used up, or the connection may be unknown. Only a GET of the data source
        // that also answers 404 makes it "missing" (which resets the stream to a full republish).
        if (!(isNotFound(err) && /^404\d{3}$/.test((err as ApiError).code ?? ''))) throw err;
        const still = await client.getDatasource(datasourceId);
        if (!still) throw datasourceMissing(batch, datasourceId, err);
        throw updateNotFound(batch, datasourceId, err as ApiError);
      }
      lastJobId = jobId;
      try {
        await client.waitForJob(jobId, { ...sig(opts.signal), onProgress: (p) => opts.onPhase?.('applying', p) });
        applied.push(requestId);
        break;
      } catch (err) {
        // A failed job applied nothing (the batch is atomic, §2): send it again under a new id.
        if (err instanceof TableauJobFailedError && attempt < maxAttempts) continue;
        throw err;
      }
    }
  }
  return { datasourceId, jobId: lastJobId, mode: 'update', appliedRequestIds: applied };
}

/** True when loadBatch failed because the target data source was deleted in Tableau. */
export function isDatasourceMissing(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'DATASOURCE_MISSING';
}

function datasourceMissing(batch: LoadBatch, id: string, cause: unknown): ApiError {
  return new ApiError({
    service: 'tableau',
    kind: 'config',
    code: 'DATASOURCE_MISSING',
    status: 404,
    userMessage: `The Tableau data source '${batch.datasourceName}' (${id}) no longer exists or cannot be seen by the token's user. It has to be published again with a full load.`,
    detail: { datasourceId: id, stream: batch.stream.name },
    cause,
  });
}

function updateNotFound(batch: LoadBatch, id: string, cause: ApiError): ApiError {
  const said = [cause.code, (cause.detail?.['detail'] as string | undefined) ?? ''].filter(Boolean).join(' ');
  return new ApiError({
    service: 'tableau',
    kind: 'transient',
    code: 'UPDATE_NOT_FOUND',
    status: 404,
    userMessage: `Tableau answered "not found" (${said}) to the update of '${batch.datasourceName}', but the data source still exists: the upload session probably expired or was already used. Nothing was applied; the next sync sends the batch again.`,
    detail: { datasourceId: id, stream: batch.stream.name, code: cause.code },
    cause,
  });
}

function pct(sent: number, total: number): number {
  return total > 0 ? Math.min(100, Math.round((sent / total) * 100)) : 100;
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
