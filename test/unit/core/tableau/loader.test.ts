import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../../../main/core/errors';
import { streamByName } from '../../../../main/core/streams/definitions';
import type { StreamDefinition } from '../../../../main/core/streams/types';
import {
  buildUpdateActions,
  isDatasourceMissing,
  keyCondition,
  loadBatch,
  TableauJobFailedError,
  type LoadBatch,
  type TableauClient,
  type TableauJob,
  type UpdateAction,
} from '../../../../main/core/tableau';

const dir = mkdtempSync(join(tmpdir(), 'tableau-loader-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes = 10) => {
  const p = join(dir, name);
  writeFileSync(p, Buffer.alloc(bytes));
  return p;
};

const gl = streamByName('gl_detail')!;

type Call = { op: string; args: unknown };

/** A scripted TableauClient: records calls; jobs fail while `failJobs` > 0. */
function fakeClient(opts: { failJobs?: number; asJobPublish?: boolean; patchStatus?: 404; datasourceExists?: boolean } = {}) {
  const calls: Call[] = [];
  let failJobs = opts.failJobs ?? 0;
  let uploads = 0;
  let jobs = 0;
  const job = (id: string, finishCode: number | null, datasourceId?: string): TableauJob => ({
    id,
    type: 'UpdateUploadedFile',
    progress: finishCode === null ? 0 : 100,
    finishCode,
    notes: finishCode === 1 ? ['Hyper failed'] : [],
    ...(datasourceId ? { datasourceId } : {}),
  });
  const client: Partial<TableauClient> = {
    publishHyper: async (o) => {
      calls.push({ op: 'publish', args: { name: o.name, projectId: o.projectId, overwrite: o.overwrite, asJob: o.asJob, filePath: o.filePath } });
      o.onProgress?.(10, 10);
      return opts.asJobPublish ? { datasource: null, job: job('pub-job', null) } : { datasource: { id: 'ds-new', name: o.name, projectId: o.projectId } };
    },
    uploadFile: async (filePath) => {
      calls.push({ op: 'upload', args: filePath });
      return `upload-${++uploads}`;
    },
    updateData: async (o) => {
      calls.push({ op: 'patch', args: { datasourceId: o.datasourceId, uploadSessionId: o.uploadSessionId, actions: o.actions, requestId: o.requestId } });
      if (opts.patchStatus === 404) throw new ApiError({ service: 'tableau', status: 404, code: '404004', userMessage: 'Data source not found' });
      return job(`job-${++jobs}`, null);
    },
    waitForJob: async (id, o) => {
      calls.push({ op: 'wait', args: id });
      o?.onProgress?.(100);
      if (id.startsWith('job-') && failJobs > 0) {
        failJobs--;
        throw new TableauJobFailedError(job(id, 1));
      }
      return job(id, 0);
    },
    getDatasource: async (id) => {
      calls.push({ op: 'get', args: id });
      return opts.datasourceExists ? { id, name: 'Intacct GL Detail', projectId: 'proj' } : null;
    },
    findDatasource: async (name, projectId) => {
      calls.push({ op: 'find', args: { name, projectId } });
      return { id: 'ds-found', name, projectId: projectId ?? '' };
    },
  };
  return { client: client as TableauClient, calls };
}

const batch = (over: Partial<LoadBatch>): LoadBatch => ({
  stream: gl,
  datasourceName: 'Intacct GL Detail',
  projectId: 'proj',
  existingDatasourceId: 'ds-1',
  upsertFile: null,
  deleteFile: null,
  requestId: 'run1:gl_detail:1',
  fullLoad: false,
  ...over,
});

describe('keyCondition / buildUpdateActions', () => {
  it('matches on the key with eq, and combines composite keys with and', () => {
    assert.deepEqual(keyCondition(['RECORDNO']), { op: 'eq', 'source-col': 'RECORDNO', 'target-col': 'RECORDNO' });
    assert.deepEqual(keyCondition(['A', 'B']), {
      op: 'and',
      args: [
        { op: 'eq', 'source-col': 'A', 'target-col': 'A' },
        { op: 'eq', 'source-col': 'B', 'target-col': 'B' },
      ],
    });
    assert.throws(() => keyCondition([]));
  });

  it('upserts Extract.Extract then deletes the keys in Extract.deleted', () => {
    const composite: StreamDefinition = { ...gl, primaryKey: ['RECORDNO', 'LINE_NO'] };
    const actions = buildUpdateActions(composite, { upsert: true, delete: true });
    assert.deepEqual(
      actions.map((a) => [a.action, a['source-schema'], a['source-table'], a['target-schema'], a['target-table']]),
      [
        ['upsert', 'Extract', 'Extract', 'Extract', 'Extract'],
        ['delete', 'Extract', 'deleted', 'Extract', 'Extract'],
      ],
    );
    assert.deepEqual((actions[1]!.condition as { op: string }).op, 'and');
  });
});

describe('loadBatch', () => {
  it('publishes with overwrite on the first load and returns the new data source id', async () => {
    const { client, calls } = fakeClient();
    const phases: string[] = [];
    const r = await loadBatch(client, batch({ existingDatasourceId: null, upsertFile: file('full.hyper') }), {
      onPhase: (p, pct) => phases.push(`${p}:${pct}`),
    });
    assert.deepEqual(r, { datasourceId: 'ds-new', jobId: null, mode: 'publish', appliedRequestIds: [] });
    assert.deepEqual(
      calls.map((c) => c.op),
      ['publish'],
    );
    assert.deepEqual(calls[0]!.args, { name: 'Intacct GL Detail', projectId: 'proj', overwrite: true, asJob: undefined, filePath: join(dir, 'full.hyper') });
    assert.deepEqual(phases, ['uploading:0', 'uploading:100', 'applying:100']);
  });

  it('a full load publishes even when the data source exists; an asJob publish is followed and the data source found', async () => {
    const { client, calls } = fakeClient({ asJobPublish: true });
    const r = await loadBatch(client, batch({ fullLoad: true, upsertFile: file('full2.hyper') }));
    assert.equal(r.datasourceId, 'ds-found');
    assert.equal(r.jobId, 'pub-job');
    assert.deepEqual(
      calls.map((c) => c.op),
      ['publish', 'wait', 'find'],
    );
  });

  it('later loads upload one payload and PATCH upsert + delete in one batch under the batch RequestID', async () => {
    const { client, calls } = fakeClient();
    const payload = file('payload.hyper');
    const r = await loadBatch(client, batch({ upsertFile: payload, deleteFile: payload }));
    assert.deepEqual(r, { datasourceId: 'ds-1', jobId: 'job-1', mode: 'update', appliedRequestIds: ['run1:gl_detail:1'] });
    assert.deepEqual(
      calls.map((c) => c.op),
      ['upload', 'patch', 'wait'],
    );
    const patch = calls[1]!.args as { actions: UpdateAction[]; requestId: string; uploadSessionId: string };
    assert.equal(patch.uploadSessionId, 'upload-1');
    assert.deepEqual(
      patch.actions.map((a) => a.action),
      ['upsert', 'delete'],
    );
  });

  it('two separate files become two PATCHes with distinct derived RequestIDs', async () => {
    const { client, calls } = fakeClient();
    const r = await loadBatch(client, batch({ upsertFile: file('u.hyper'), deleteFile: file('d.hyper') }));
    const patches = calls.filter((c) => c.op === 'patch').map((c) => c.args as { requestId: string; actions: UpdateAction[] });
    assert.deepEqual(
      patches.map((p) => [p.requestId, p.actions.map((a) => a.action).join()]),
      [
        ['run1:gl_detail:1:upsert', 'upsert'],
        ['run1:gl_detail:1:delete', 'delete'],
      ],
    );
    assert.deepEqual(r.appliedRequestIds, ['run1:gl_detail:1:upsert', 'run1:gl_detail:1:delete']);
  });

  it('re-sends a PATCH whose job failed with a fresh upload and a new RequestID (a failed job applied nothing)', async () => {
    const { client, calls } = fakeClient({ failJobs: 1 });
    const r = await loadBatch(client, batch({ upsertFile: file('p2.hyper') }));
    const patches = calls.filter((c) => c.op === 'patch').map((c) => c.args as { requestId: string; uploadSessionId: string });
    assert.deepEqual(
      patches.map((p) => [p.requestId, p.uploadSessionId]),
      [
        ['run1:gl_detail:1', 'upload-1'],
        ['run1:gl_detail:1~2', 'upload-2'],
      ],
    );
    assert.deepEqual(r.appliedRequestIds, ['run1:gl_detail:1~2']);
  });

  it('gives up after maxJobAttempts and throws the job failure with its notes', async () => {
    const { client } = fakeClient({ failJobs: 5 });
    const err = await loadBatch(client, batch({ upsertFile: file('p3.hyper') }), { maxJobAttempts: 2 }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof TableauJobFailedError);
    assert.match(err.userMessage, /Hyper failed/);
  });

  it('reports a data source deleted in Tableau as DATASOURCE_MISSING (a full load is needed) only once a GET confirms it', async () => {
    const { client, calls } = fakeClient({ patchStatus: 404 });
    const err = await loadBatch(client, batch({ upsertFile: file('p4.hyper') })).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(isDatasourceMissing(err));
    assert.deepEqual(
      calls.map((c) => c.op),
      ['upload', 'patch', 'get'],
    );
  });

  it("a 404 on the PATCH while the data source still exists is the upload session's error, not a missing data source", async () => {
    const { client, calls } = fakeClient({ patchStatus: 404, datasourceExists: true });
    const err = await loadBatch(client, batch({ upsertFile: file('p5.hyper') })).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError);
    assert.ok(!isDatasourceMissing(err));
    assert.equal(err.code, 'UPDATE_NOT_FOUND');
    assert.match(err.userMessage, /upload session/);
    assert.deepEqual(
      calls.map((c) => c.op),
      ['upload', 'patch', 'get'],
    );
  });

  it('does nothing for an empty incremental batch, and refuses a publish without a file', async () => {
    const { client, calls } = fakeClient();
    assert.deepEqual(await loadBatch(client, batch({})), { datasourceId: 'ds-1', jobId: null, mode: 'none', appliedRequestIds: [] });
    assert.equal(calls.length, 0);
    await assert.rejects(loadBatch(client, batch({ existingDatasourceId: null })), /needs a \.hyper file/);
  });
});
