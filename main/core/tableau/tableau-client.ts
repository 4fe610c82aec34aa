/**
 * The Tableau REST client (Cloud and Server): version discovery, sign-in, projects, data sources,
 * uploads and publishing, the incremental PATCH, jobs and refreshes (issue #3, docs/architecture.md).
 *
 * Everything that touches the world is injected (fetch, clock, random). All requests go through
 * TableauHttp (sendRequest + withRetry + RequestEvents); this file only says which requests to
 * make and how to read the answers. XML is asked for throughout: the fixtures, the multipart
 * payloads and every Tableau client speak it; JSON answers are read the same way (tableau-xml.ts).
 */
import { ApiError, ConnectorError, ValidationError } from '../errors';
import { defaultRetryPolicy, withRetry, type RetryPolicy } from '../http/retry';
import { connectedAppScopes, TableauSessionHolder, signInBody, type TableauSessionInfo } from './tableau-auth';
import type { ServerInfoResult, TableauClient, TableauClientOptions } from './tableau-client-types';
import { downloadDatasourceHyper, vdsQueryDatasource, vdsReadMetadata } from './tableau-readback';
import { isAlreadyQueued, RequestNotResentError } from './tableau-errors';
import { TableauHttp, type TableauRequest } from './tableau-http';
import { defaultJobPollPolicy, waitForJob, type JobPollPolicy } from './tableau-jobs';
import { discoverServerVersion, isTableauNotFound } from './tableau-server-info';
import {
  ASYNC_PUBLISH_BYTES,
  DEFAULT_CHUNK_BYTES,
  MAX_CHUNK_BYTES,
  publishHyper,
  SINGLE_CALL_LIMIT_BYTES,
  uploadFile,
  type UploadDeps,
} from './tableau-upload';
import { MIN_JWT_API_VERSION, MIN_JWT_JOBS_API_VERSION, compareVersions, isTableauCloud, parseTableauAddress } from './tableau-version';
import {
  readConnections,
  readCredentials,
  readDatasource,
  readDatasources,
  readJob,
  readPagination,
  readProject,
  readProjects,
  requireTree,
  xmlAttr,
  type ProjectInfo,
  type TsTree,
} from './tableau-xml';

// Re-exported: the loader, the service and the tests import the client's types from here.
export type { ServerInfoResult, TableauClient, TableauClientOptions, UpdateAction } from './tableau-client-types';

const PAGE_SIZE = 100;
const MAX_PAGES = 10_000;

/** Creates a client. Throws ValidationError for an unusable address, site or block size. */
export function createTableauClient(opts: TableauClientOptions): TableauClient {
  const address = parseTableauAddress(opts.serverUrl, opts.site);
  const { baseUrl, site } = address;
  if (site === '' && isTableauCloud(baseUrl)) {
    throw new ValidationError({
      service: 'tableau',
      userMessage: 'Tableau Cloud needs the site name (the part after /site/ in the browser address).',
      fields: { site: 'Required for Tableau Cloud' },
    });
  }
  const chunkSizeBytes = opts.chunkSizeBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkSizeBytes) || chunkSizeBytes < 1 || chunkSizeBytes > MAX_CHUNK_BYTES) {
    throw new ValidationError({
      service: 'tableau',
      userMessage: `The upload block size must be between 1 byte and 64 MB (got ${chunkSizeBytes}).`,
      fields: { chunkSizeBytes: 'At most 64 MB' },
    });
  }
  const retry: RetryPolicy = { ...defaultRetryPolicy, ...(opts.retry ?? {}) };
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const poll: JobPollPolicy = { ...defaultJobPollPolicy, ...(opts.jobPoll ?? {}) };
  const { clock } = opts;
  const retryDeps = (signal?: AbortSignal) => ({ clock, ...(opts.random ? { random: opts.random } : {}), ...(signal ? { signal } : {}) });

  let info: Promise<ServerInfoResult> | null = null;
  const serverInfo = (): Promise<ServerInfoResult> => {
    info ??= discoverServerVersion(http).catch((err: unknown) => {
      info = null; // a network failure must not stick
      throw err;
    });
    return info;
  };

  const http = new TableauHttp(
    {
      baseUrl,
      fetch: opts.fetch,
      clock,
      ...(opts.random ? { random: opts.random } : {}),
      retry,
      timeoutMs,
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
      authKind: opts.auth.kind,
    },
    async () => (await serverInfo()).apiVersion,
  );

  const doSignIn = async (): Promise<TableauSessionInfo> => {
    const si = await serverInfo();
    const { apiVersion } = si;
    let scopes: string[] | undefined;
    if (opts.auth.kind === 'connected-app') {
      if (compareVersions(apiVersion, MIN_JWT_API_VERSION) < 0) {
        throw new ApiError({
          service: 'tableau',
          kind: 'config',
          code: 'JWT_UNSUPPORTED',
          userMessage: `This Tableau Server (${si.productVersion}, REST API ${apiVersion}) does not support connected-app sign-in (it needs REST API ${MIN_JWT_API_VERSION}, Tableau Server 2022.3, or later). Use a personal access token instead.`,
        });
      }
      // How a JWT session follows a job, by version: Query Job from REST 3.25 on; before that
      // Tableau answers it 401002 (TSC #1320, #1581) and there is no other way to learn a PATCH's
      // outcome, so such servers are refused before anything is sent.
      if (compareVersions(apiVersion, MIN_JWT_JOBS_API_VERSION) < 0) {
        throw new ApiError({
          service: 'tableau',
          kind: 'config',
          code: 'JWT_JOBS_UNSUPPORTED',
          userMessage: `With a connected app, this Tableau Server (${si.productVersion}, REST API ${apiVersion}) does not let the connector check its jobs (Query Job accepts connected-app sessions from REST API ${MIN_JWT_JOBS_API_VERSION}, Tableau Server 2025.1, on), so it could not confirm any load. Use a personal access token with this server, or upgrade it.`,
        });
      }
      const needs = opts.scopeNeeds ?? {};
      const readBack = needs.readBack === 'auto' ? ((await expectsVds()) ? 'vds' : 'download') : (needs.readBack ?? null);
      scopes = connectedAppScopes({ ...needs, readBack });
    }
    const creds = await http.request(
      {
        operation: 'sign in',
        method: 'POST',
        path: 'auth/signin',
        auth: 'none',
        resend: 'always',
        noRetry: true, // retried by the caller: sign-in runs inside other requests' retries
        isSignIn: true,
        body: () => ({ body: signInBody(opts.auth, site, clock.now(), scopes), contentType: 'application/xml' }),
      },
      (res) => readCredentials(requireTree(res.tree)),
    );
    return { token: creds.token, siteId: creds.siteId, userId: creds.userId, signedInAt: clock.now() };
  };
  const session = new TableauSessionHolder(doSignIn);
  http.session = session;

  const get = <T>(operation: string, path: string, query: Record<string, string | undefined>, read: (tree: TsTree) => T, signal?: AbortSignal) =>
    http.request({ operation, method: 'GET', path, site: true, query, auth: 'session', resend: 'always', ...(signal ? { signal } : {}) }, (res) =>
      read(requireTree(res.tree)),
    );

  /** Pages through a list endpoint lazily (pageNumber/pageSize, tableau-rest.md §7). */
  async function* pages<T>(operation: string, path: string, filter: string | undefined, read: (tree: TsTree) => T[]): AsyncGenerator<T[]> {
    for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
      const { items, total } = await get(operation, path, { filter, pageSize: String(PAGE_SIZE), pageNumber: String(pageNumber) }, (tree) => {
        const list = read(tree);
        return { items: list, total: readPagination(tree, list.length).totalAvailable };
      });
      yield items;
      if (items.length === 0 || pageNumber * PAGE_SIZE >= total) return;
    }
  }

  /** VDS: Tableau Cloud, and Tableau Server from 2025.1 (REST 3.25) on. */
  async function expectsVds(): Promise<boolean> {
    if (isTableauCloud(baseUrl)) return true;
    const si = await serverInfo();
    const m = /^(\d{4})\.(\d+)/.exec(si.productVersion);
    return m ? compareVersions(`${m[1]}.${m[2]}`, '2025.1') >= 0 : compareVersions(si.restApiVersion, '3.25') >= 0;
  }

  const getJob = (jobId: string, signal?: AbortSignal) => get('check the job', `jobs/${encodeURIComponent(jobId)}`, {}, readJob, signal);

  const uploadDeps: UploadDeps = {
    http,
    clock,
    ...(opts.random ? { random: opts.random } : {}),
    retry,
    chunkSizeBytes,
    singleCallLimitBytes: Math.min(opts.singleCallLimitBytes ?? DEFAULT_CHUNK_BYTES, SINGLE_CALL_LIMIT_BYTES),
    asyncPublishBytes: opts.asyncPublishBytes ?? ASYNC_PUBLISH_BYTES,
    timeoutMs,
  };

  async function queryProject(name: string): Promise<ProjectInfo | null> {
    const matches: ProjectInfo[] = [];
    for await (const page of pages('find the project', 'projects', nameFilter(name), readProjects)) {
      matches.push(...page.filter((p) => p.name === name));
    }
    // Nested projects may share a name (tableau-rest.md §7): prefer the top-level one.
    return matches.find((p) => !p.parentProjectId) ?? matches[0] ?? null;
  }

  async function createProject(name: string): Promise<ProjectInfo> {
    const request: TableauRequest = {
      operation: `create the project '${name}'`,
      method: 'POST',
      path: 'projects',
      site: true,
      auth: 'session',
      resend: 'if-not-processed',
      body: () => ({ body: `<tsRequest><project name="${xmlAttr(name)}" contentPermissions="ManagedByOwner"/></tsRequest>`, contentType: 'application/xml' }),
    };
    try {
      return await http.request(request, (res) => readProject(requireTree(res.tree)));
    } catch (err) {
      // 409006: it exists (created meanwhile, or by our own attempt whose answer was lost; new
      // items can also lag in queries, §7). Look it up again rather than fail.
      const mayExist = (err instanceof ApiError && err.code === '409006') || err instanceof RequestNotResentError;
      if (!mayExist) throw err;
      const found = await queryProject(name);
      if (found) return found;
      throw err;
    }
  }

  return {
    serverInfo: async () => {
      const si = await serverInfo();
      return { ...si };
    },

    signIn: async () => {
      const s = await withRetry(() => session.get(), retry, retryDeps());
      return { siteId: s.siteId, userId: s.userId };
    },

    signOut: async () => {
      const current = session.current;
      if (!current) return;
      try {
        // Few attempts: this runs at shutdown. A 401 means the token is already gone.
        await http.request(
          { operation: 'sign out', method: 'POST', path: 'auth/signout', auth: 'session-no-renew', resend: 'always', maxAttempts: 3 },
          () => undefined,
        );
      } catch (err) {
        if (!(err instanceof ConnectorError) || err.status !== 401) throw err;
      } finally {
        if (session.current === current) session.clear();
      }
    },

    findProject: async (name, o = {}) => {
      const found = await queryProject(name);
      if (found) return { id: found.id, name: found.name };
      if (!o.create) return null;
      const created = await createProject(name);
      return { id: created.id, name: created.name };
    },

    findDatasource: async (name, projectId) => {
      for await (const page of pages('find the data source', 'datasources', nameFilter(name), readDatasources)) {
        const hit = page.find((d) => d.name === name && (projectId === undefined || d.projectId === projectId));
        if (hit) return hit;
      }
      return null;
    },

    getDatasource: async (id) => {
      try {
        return await get('read the data source', `datasources/${encodeURIComponent(id)}`, {}, readDatasource);
      } catch (err) {
        if (isTableauNotFound(err)) return null;
        throw err;
      }
    },

    publishHyper: (o) => publishHyper(uploadDeps, o),

    uploadFile: (filePath, signal, o = {}) => uploadFile(uploadDeps, filePath, { ...o, ...(signal ? { signal } : {}) }),

    updateData: async (o) => {
      if (!o.requestId) throw new ValidationError({ service: 'tableau', userMessage: 'An update batch needs a RequestID.' });
      const json = JSON.stringify({ actions: o.actions });
      return http.request(
        {
          operation: 'update data in the Hyper data source',
          method: 'PATCH',
          path: `datasources/${encodeURIComponent(o.datasourceId)}/data`,
          site: true,
          query: o.uploadSessionId ? { uploadSessionId: o.uploadSessionId } : {},
          // The same RequestID on every attempt: Tableau ignores repeats within 24 h (§2), so a
          // PATCH re-sent after a lost answer is never applied twice.
          headers: { RequestID: o.requestId },
          auth: 'session',
          resend: 'always',
          body: () => ({ body: json, contentType: 'application/json' }),
          ...(o.signal ? { signal: o.signal } : {}),
        },
        (res) => readJob(requireTree(res.tree)),
      );
    },

    getJob,

    waitForJob: (jobId, o = {}) => waitForJob((signal) => getJob(jobId, signal), { clock, poll }, o),

    refreshDatasource: async (id, signal) => {
      try {
        return await http.request(
          {
            operation: 'refresh the data source',
            method: 'POST',
            path: `datasources/${encodeURIComponent(id)}/refresh`,
            site: true,
            auth: 'session',
            // A duplicate refresh only yields 409093 "already queued" (§6), which we accept.
            resend: 'always',
            body: () => ({ body: '<tsRequest/>', contentType: 'application/xml' }),
            ...(signal ? { signal } : {}),
          },
          (res) => readJob(requireTree(res.tree)),
        );
      } catch (err) {
        if (isAlreadyQueued(err)) return null;
        throw err;
      }
    },

    deleteDatasource: async (id) => {
      await http.request(
        { operation: 'delete the data source', method: 'DELETE', path: `datasources/${encodeURIComponent(id)}`, site: true, auth: 'session', resend: 'always' },
        () => undefined,
      );
    },

    datasourceConnections: (id) =>
      get('read the data source connections', `datasources/${encodeURIComponent(id)}/connections`, {}, (tree) => readConnections(tree)),

    cancelJob: async (jobId) => {
      await http.request(
        { operation: 'cancel the job', method: 'PUT', path: `jobs/${encodeURIComponent(jobId)}`, site: true, auth: 'session', resend: 'always' },
        () => undefined,
      );
    },

    downloadDatasourceHyper: (id, signal) => downloadDatasourceHyper(http, id, signal),

    vdsReadMetadata: (id, signal) => vdsReadMetadata(http, id, signal),

    vdsQuery: (id, query, signal) => vdsQueryDatasource(http, id, query, signal),

    expectsVds,

    address,

    get siteId() {
      return session.current?.siteId ?? null;
    },

    get signInCount() {
      return session.signIns;
    },
  };
}

/** A server-side name filter, only for names the filter syntax cannot misread (`,` separates filters). */
function nameFilter(name: string): string | undefined {
  return /[,:]/.test(name) ? undefined : `name:eq:${name}`;
}
