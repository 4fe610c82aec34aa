/**
 * "Update Data in Hyper Data Source" (the PATCH, tableau-rest.md §2), extract refresh and Query Job
 * (§6).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseActions } from './data-update';
import { formatRefusal, hyperFileFormat } from './file-format';
import { MB, type EmulatorState, type Route } from './emulator-state';
import { badRequest, notFound, TsHttpError } from './http-error';
import { ActionFailedError, applyActionsCopyOnWrite } from './hyper-store';
import { advanceJob, jobElement, jobPending } from './jobs';
import { drain, readBody } from './request-io';

const REQUEST_ID_WINDOW_MS = 24 * 60 * 60_000; // §2: duplicates within 24 hours are ignored

const INJECTED_UPDATE_FAILURE =
  'com.tableausoftware.server.status.reporting.TableauRuntimeException: The Hyper engine stopped unexpectedly while running the job. (emulated fault)';
const NOT_LIVE_TO_HYPER = (name: string): string =>
  `com.tableausoftware.server.status.reporting.TableauRuntimeException: Data source '${name}' is not a live-to-Hyper data source; incremental update is not supported for it. (emulated)`;
const INJECTED_REFRESH_FAILURE = 'com.tableausoftware.nativeapi.dll.DataSourceException: The connection to the upstream database failed. (emulated fault)';

/** The PATCH, refresh and job routes. */
export function dataRoutes(st: EmulatorState): Route[] {
  const { config } = st;
  const updateData: Route['handle'] = async (ctx) => {
    const ds = st.datasourceOr404(ctx.params.datasourceId);
    // Multi-connection form (§2): the connection must be the data source's (it has one).
    if (ctx.params.connectionId !== undefined && ctx.params.connectionId !== ds.connectionLuid) {
      throw notFound(`Connection '${ctx.params.connectionId}' could not be found.`, '404020'); // UNCONFIRMED code
    }
    const rid = ctx.req.headers.requestid;
    const requestId = typeof rid === 'string' ? rid.trim() : '';
    // UNCONFIRMED whether Tableau requires the header; requiring it keeps clients honest (§2).
    if (!requestId) throw badRequest("The 'RequestID' header is required.");
    ctx.log.requestId = requestId;
    const raw = await readBody(ctx.req, 10 * MB);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw badRequest('The request body is not valid JSON.');
    }
    const sessionId = ctx.query.get('uploadSessionId');
    const actions = parseActions(body, sessionId !== null);
    const seen = st.requestIds.get(requestId);
    if (seen && config.clock.now() - seen.at < REQUEST_ID_WINDOW_MS) {
      const original = st.jobs.get(seen.jobId);
      // A duplicate is ignored (§2); what Tableau returns for it is UNCONFIRMED: the original job here.
      if (original) return { status: 202, body: [jobElement(original, true)] };
    }
    const upload = sessionId !== null ? st.uploadOr404(sessionId) : null;
    if (upload && upload.bytes === 0) throw badRequest(`Upload session '${sessionId}' is empty.`);
    if (ds.filePath === null) {
      // HOWTO (§2): "Incremental update is not currently supported for other forms of extracts".
      // Tableau accepts the PATCH (202, a job) and the job fails (TSC #1303: a .tdsx target failed
      // its job), so the client learns it only by following the job.
      return { status: 202, body: [jobElement(st.newJob('UpdateUploadedFile', ds, NOT_LIVE_TO_HYPER(ds.name)), true)] };
    }
    if (ctx.fault === 'jobFail' || ctx.fault === 'jobCancel') {
      // The job fails (or is cancelled) without applying anything. Its RequestID is not remembered:
      // a discarded batch is not a duplicate of an applied one, so it may be sent again.
      const job = st.newJob('UpdateUploadedFile', ds, ctx.fault === 'jobFail' ? INJECTED_UPDATE_FAILURE : null);
      if (ctx.fault === 'jobCancel') {
        job.cancelled = true;
        job.workDone = true;
      }
      return { status: 202, body: [jobElement(job, true)] };
    }
    const job = st.newJob('UpdateUploadedFile', ds);
    st.requestIds.set(requestId, { jobId: job.id, at: config.clock.now() });
    st.runJob(job, st.datasourceKey(ds.projectId, ds.name), async () => {
      try {
        if (ds.filePath === null) throw new ActionFailedError('The data source has no Hyper data.');
        const format = upload ? await hyperFileFormat(upload.path) : null;
        const refusal = format === null ? null : formatRefusal(format, config.productVersion);
        if (refusal) throw new ActionFailedError(`The payload could not be read: ${refusal}`);
        // Copy-on-write: the batch is atomic ("if any of the actions fail, the whole operation is discarded", §2).
        await applyActionsCopyOnWrite(await st.engine(), ds.filePath, upload?.path ?? null, actions, join(config.dirs.ds, `${ds.id}.${job.id}.tmp.hyper`));
        ds.updatedAt = config.clock.now();
        st.appliedRequestIds.push(requestId);
        if (upload) {
          st.uploads.delete(upload.id);
          await rm(upload.path, { force: true });
        }
      } catch (e) {
        st.requestIds.delete(requestId);
        throw e;
      }
    });
    // fixture datasource_data_update.xml
    return { status: 202, body: [jobElement(job, true)] };
  };
  const patchRoute = {
    method: 'PATCH',
    authed: true,
    scope: 'tableau:datasources:update', // UNCONFIRMED that this is the PATCH's scope (tableau-auth.ts)
    faults: ['expire401', 'http429', 'http5xx', 'jobFail', 'jobCancel'],
    minVersion: '3.12' /* §2: REST 3.12 */,
    handle: updateData,
  } as const;
  return [
    { ...patchRoute, pattern: /^sites\/([^/]+)\/datasources\/([^/]+)\/data$/, keys: ['siteId', 'datasourceId'] },
    { ...patchRoute, pattern: /^sites\/([^/]+)\/datasources\/([^/]+)\/connections\/([^/]+)\/data$/, keys: ['siteId', 'datasourceId', 'connectionId'] },
    {
      method: 'POST',
      pattern: /^sites\/([^/]+)\/datasources\/([^/]+)\/refresh$/,
      keys: ['siteId', 'datasourceId'],
      authed: true,
      scope: 'tableau:tasks:run', // UNCONFIRMED
      faults: ['expire401', 'http429', 'http5xx', 'jobFail'],
      handle: async (ctx) => {
        await drain(ctx.req);
        const ds = st.datasourceOr404(ctx.params.datasourceId);
        if (ds.filePath !== null) {
          // A pushed .hyper data source has no upstream to re-extract (§6); the code Tableau returns
          // is UNCONFIRMED (expect 409090 or 400): 409090 here.
          throw new TsHttpError(409, '409090', 'Bad Request', `Extract operation for the data source '${ds.name}' is not allowed.`);
        }
        const now = config.clock.now();
        for (const j of st.jobs.values()) {
          if (j.type !== 'RefreshExtract' || j.datasource?.id !== ds.id) continue;
          advanceJob(j, now, config.pacing, false);
          // §6: 409093 "Job for … is already queued. Not queuing a duplicate".
          if (jobPending(j)) throw new TsHttpError(409, '409093', 'Resource Conflict', `Job for '${ds.name}' is already queued. Not queuing a duplicate.`);
        }
        const failed = ctx.fault === 'jobFail';
        const job = st.newJob('RefreshExtract', ds, failed ? INJECTED_REFRESH_FAILURE : null);
        job.workDone = true;
        if (!failed) st.refreshes.push({ datasourceId: ds.id, at: now });
        // fixture datasource_refresh.xml
        return { status: 202, body: [jobElement(job, true)] };
      },
    },
    {
      method: 'GET',
      pattern: /^sites\/([^/]+)\/jobs\/([^/]+)$/,
      keys: ['siteId', 'jobId'],
      authed: true,
      scope: 'tableau:jobs:read',
      jobQuery: true,
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        const id = ctx.params.jobId ?? '';
        const job = st.jobs.get(id);
        // UNCONFIRMED code for an unknown job.
        if (!job) throw notFound(`Job '${id}' could not be found.`, '404031');
        advanceJob(job, config.clock.now(), config.pacing, true);
        // fixtures job_get_by_id*.xml
        return { status: 200, body: [jobElement(job, false)] };
      },
    },
    {
      // Cancel Job (API 3.1, TSC `jobs.cancel`): a job that has not finished ends with finish code
      // 2 and its work is not applied; one whose work already ran cannot be cancelled any more
      // (UNCONFIRMED what Tableau answers then: 409 here).
      method: 'PUT',
      pattern: /^sites\/([^/]+)\/jobs\/([^/]+)$/,
      keys: ['siteId', 'jobId'],
      authed: true,
      scope: 'tableau:jobs:update', // UNCONFIRMED scope name
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        await drain(ctx.req);
        const id = ctx.params.jobId ?? '';
        const job = st.jobs.get(id);
        if (!job) throw notFound(`Job '${id}' could not be found.`, '404031');
        const ranWork = job.type !== 'RefreshExtract' && job.workStarted;
        if (job.completedAt !== null || ranWork) {
          throw new TsHttpError(409, '409000', 'Conflict', `Job '${id}' has already finished and cannot be cancelled.`);
        }
        job.cancelled = true;
        if (job.type === 'RefreshExtract') {
          job.workDone = true;
          const i = st.refreshes.findIndex((r) => r.datasourceId === job.datasource?.id && r.at === job.createdAt);
          if (i >= 0) st.refreshes.splice(i, 1);
        }
        return { status: 200, body: [jobElement(job, false)] };
      },
    },
  ];
}
