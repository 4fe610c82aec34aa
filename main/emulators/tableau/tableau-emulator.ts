/**
 * The Tableau emulator: a loopback `node:http` server implementing the part of the Tableau REST API
 * the connector uses, as `docs/reference/tableau-rest.md` documents it and shaped like the real
 * responses in `tableau-fixtures/`. Published data sources are real `.hyper` files and the PATCH
 * "update data" actions are applied for real through `hyperd` (the project's Hyper engine).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../core/clock';
import type { HyperEngine } from '../../core/hyper';
import type { Row } from '../../core/streams/types';
import type { ConnectedAppConfig } from './connected-app-jwt';
import { EmulatorState, MB, contentUrlOf, versionNumber, type Datasource, type EmulatorRequestLog, type Route } from './emulator-state';
import { FaultPlan, type TableauFaultConfig } from './faults';
import { notFound, TsHttpError } from './http-error';
import { sendBody, sendFault } from './http-reply';
import { hyperColumns, queryStoredTable, readHyperTable } from './hyper-store';
import { drain, readBody } from './request-io';
import { authenticate, authRoutes } from './routes-auth';
import { contentRoutes } from './routes-content';
import { dataRoutes } from './routes-data';
import { uploadRoutes } from './routes-uploads';
import { errorElement } from './ts-response';
import { queryDatasource, readMetadata, VDS_SCOPE, vdsAllowed, VdsError } from './vds';

export type { EmulatorRequestLog } from './emulator-state';

/** Options of {@link startTableauEmulator}. */
export interface TableauEmulatorOptions {
  /** 0 (default) = any free port. Always bound to 127.0.0.1. */
  port?: number;
  clock?: Clock;
  /** `hyperd` to use; default: `findHyperd` from the project root (the dev-dependency copy on Linux). */
  hyperdPath?: string;
  /** Where stored files live; default a fresh temp folder, removed on close. */
  workDir?: string;
  /** Session idle timeout (tableau-rest.md §4: `wgserver.session.idle_limit`, 240 min by default). */
  tokenTtlMs?: number;
  /** Optional absolute session lifetime (§4: `wgserver.session.lifetime_limit`); none by default. */
  tokenLifetimeMs?: number;
  /** What serverinfo reports and the highest version accepted in URLs (default '3.25'). */
  restApiVersion?: string;
  productVersion?: string;
  faults?: TableauFaultConfig;
  /** Site content URL (default 'mlconnector'). */
  site?: string;
  patName?: string;
  patSecret?: string;
  connectedApp?: Partial<ConnectedAppConfig>;
  /** Polls a job needs before it finishes (default 2), or `jobDurationMs` of time (default 10 s). */
  jobPollsToComplete?: number;
  jobDurationMs?: number;
  /** Block limit per append and per single-call publish (tableau-rest.md §3: 64 MB). */
  maxBlockBytes?: number;
  /** Retry-After (seconds) sent with injected 429s that carry one (default 1; not every 429 does). */
  retryAfterSeconds?: number;
  /** A synchronous publish larger than this answers 504 (default 16 MB; real gateways time out on tens of MB). */
  syncPublishLimitBytes?: number;
  /** Upload sessions unused this long expire (default 60 min; the real limit is UNCONFIRMED). */
  uploadTtlMs?: number;
  /** Whether VizQL Data Service answers (default: from productVersion 2025.1 on, as Tableau Server). */
  vds?: boolean;
}

/** The running emulator. */
export interface TableauEmulator {
  /** Base URL, e.g. http://127.0.0.1:PORT (the API lives under /api/<version>/). */
  readonly url: string;
  /** Site content URL to sign in with. */
  readonly site: string;
  readonly patName: string;
  readonly patSecret: string;
  /** Site LUID returned by sign-in. */
  readonly siteId: string;
  readonly userId: string;
  /** The connected app it trusts (for JWT sign-in; see `signConnectedAppJwt`). */
  readonly connectedApp: ConnectedAppConfig;
  /** Replaces the fault configuration (rate 0 turns faults off). */
  setFaults(f: TableauFaultConfig): void;
  /** Rows of the data source's `Extract.Extract`, typed per the Row conventions; null if absent. */
  readRows(datasourceName: string): Promise<Row[] | null>;
  /** Columns of the data source's `Extract.Extract` (type: bigint/text/numeric/date/timestamp/bool/…). */
  datasourceColumns(name: string): Promise<{ name: string; type: string; precision?: number; scale?: number }[]>;
  /** Every refresh queued, in order. */
  readonly refreshes: { datasourceId: string; at: number }[];
  /** Every RequestID whose PATCH was applied, in order (each exactly once). */
  readonly appliedRequestIds: string[];
  /** Every request answered. */
  readonly requests: EmulatorRequestLog[];
  /** Ends every session (clients get 401002 and must sign in again). */
  expireTokens(): void;
  /** Turns the VizQL Data Service on or off (off: its paths answer 404, as on Server before 2025.1). */
  setVds(on: boolean): void;
  /** VizQL Data Service calls answered ('read-metadata' / 'query-datasource'), in order. */
  readonly vdsQueries: readonly string[];
  /**
   * Runs SQL on a data source's stored `Extract.Extract` behind the client's back (tests: a data
   * source Tableau changed). `sql` gets the table's qualified name. Waits for the data source's jobs.
   */
  alterStoredData(datasourceName: string, sql: (table: string) => string): Promise<void>;
  /** Adds a data source with an upstream connection (refreshable, not PATCHable) for tests. */
  createDatasource(name: string, projectName?: string): Promise<{ id: string; name: string; projectId: string }>;
  /** The data sources stored. */
  listDatasources(): { id: string; name: string; projectId: string; hasFile: boolean }[];
  /** The Hyper engine the emulator uses (started on first use), e.g. for tests building payloads. */
  hyperEngine(): Promise<HyperEngine>;
  /** Stops the server, waits for background jobs, stops hyperd, removes its temp folder. */
  close(): Promise<void>;
}

/** Starts the emulator on 127.0.0.1. */
export async function startTableauEmulator(opts: TableauEmulatorOptions = {}): Promise<TableauEmulator> {
  const ownWorkDir = opts.workDir === undefined;
  const workDir = opts.workDir ?? (await mkdtemp(join(tmpdir(), 'tableau-emulator-')));
  const dirs = { ds: join(workDir, 'datasources'), uploads: join(workDir, 'uploads'), incoming: join(workDir, 'incoming'), logs: join(workDir, 'hyperd-logs') };
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
  const clock = opts.clock ?? systemClock;
  const st = new EmulatorState({
    clock,
    apiVersion: opts.restApiVersion ?? '3.25',
    productVersion: opts.productVersion ?? '2025.1.0',
    tokenTtlMs: opts.tokenTtlMs ?? 240 * 60_000,
    tokenLifetimeMs: opts.tokenLifetimeMs,
    maxBlockBytes: opts.maxBlockBytes ?? 64 * MB,
    pacing: { pollsToComplete: opts.jobPollsToComplete ?? 2, durationMs: opts.jobDurationMs ?? 10_000 },
    retryAfterSeconds: opts.retryAfterSeconds ?? 1,
    hyperdPath: opts.hyperdPath,
    dirs,
    site: opts.site ?? 'mlconnector',
    siteId: randomUUID(),
    userId: randomUUID(),
    patName: opts.patName ?? 'ml-connector-pat',
    // Shaped like a real PAT secret ("<base64>:<base64>").
    patSecret: opts.patSecret ?? `${randomBytes(16).toString('base64')}:${randomBytes(24).toString('base64url')}`,
    connectedApp: {
      clientId: opts.connectedApp?.clientId ?? randomUUID(),
      secretId: opts.connectedApp?.secretId ?? randomUUID(),
      secretValue: opts.connectedApp?.secretValue ?? randomBytes(32).toString('base64'),
      username: opts.connectedApp?.username ?? 'connector@example.com',
      // What the connected app grants; every scope the connector may ask for by default.
      scopes: opts.connectedApp?.scopes ?? [
        'tableau:content:read',
        'tableau:datasources:create',
        'tableau:datasources:update',
        'tableau:datasources:download',
        'tableau:datasources:delete',
        'tableau:file_uploads:create',
        'tableau:jobs:read',
        'tableau:jobs:update',
        'tableau:projects:create',
        'tableau:tasks:run',
        'tableau:users:read',
        'tableau:viz_data_service:read',
      ],
    },
    syncPublishLimitBytes: opts.syncPublishLimitBytes ?? 16 * MB,
    uploadTtlMs: opts.uploadTtlMs ?? 60 * 60_000,
  });
  const { config } = st;
  st.vds = opts.vds ?? versionNumber(config.productVersion.split('.').slice(0, 2).join('.')) >= versionNumber('2025.1');
  const faults = new FaultPlan(opts.faults);
  const routes: Route[] = [...authRoutes(st), ...contentRoutes(st), ...uploadRoutes(st), ...dataRoutes(st)];

  const handleVds = async (req: IncomingMessage, res: ServerResponse, method: string, op: string, log: EmulatorRequestLog): Promise<void> => {
    const reply = (status: number, body: string): void => {
      log.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' });
      res.end(body);
    };
    try {
      // No VDS (Server before 2025.1, or switched off): the path does not exist (tableau-mcp reads a
      // 404 as "feature-disabled").
      if (!st.vds || (op !== 'read-metadata' && op !== 'query-datasource')) {
        await drain(req);
        return reply(404, JSON.stringify({ errorCode: '404000', message: 'Not Found' }));
      }
      if (method !== 'POST') throw new VdsError(405, '405000', `${method} is not allowed here.`);
      const session = authenticate(st, req, {});
      if (!vdsAllowed(session)) throw new VdsError(403, '403800', `The session's scopes do not include ${VDS_SCOPE}.`);
      let body: Record<string, unknown>;
      try {
        const v: unknown = JSON.parse((await readBody(req, MB)).toString('utf8'));
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        body = v as Record<string, unknown>;
      } catch {
        throw new VdsError(400, '400000', 'The request body is not a JSON object.');
      }
      st.vdsQueries.push(op);
      const out = op === 'read-metadata' ? await readMetadata(st, body) : await queryDatasource(st, body);
      reply(200, JSON.stringify(out));
    } catch (e) {
      await drain(req);
      if (e instanceof VdsError) return reply(e.status, e.body(clock.now()));
      if (e instanceof TsHttpError) return reply(e.status, JSON.stringify({ errorCode: e.code, message: e.detail }));
      reply(500, JSON.stringify({ errorCode: '500000', message: `Internal error: ${(e as Error).message}` }));
    }
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const log: EmulatorRequestLog = { method, path: url.pathname, query: url.search, status: 0 };
    st.requests.push(log);
    const wantsJson = /application\/json/i.test(String(req.headers.accept ?? ''));
    const vds = /^\/api\/v1\/vizql-data-service\/([^/]+)$/.exec(url.pathname);
    if (vds) return handleVds(req, res, method, vds[1]!, log);
    try {
      const m = /^\/api\/(\d+\.\d+)\/(.+)$/.exec(url.pathname);
      if (!m) throw notFound(`Unknown resource '${url.pathname}' specified in URI.`);
      const version = m[1]!;
      const rest = m[2]!;
      const unknown = (): TsHttpError => notFound(`Unknown resource '/${version}/${rest}' specified in URI.`);
      // An API version the server does not have: 404001 (REST API error codes; TSC's older
      // server_info_404.xml shows 404003 from a 2.3 server for the same case).
      if (versionNumber(version) > versionNumber(config.apiVersion)) throw notFound(`The endpoint is not available in API version ${version}.`, '404001');
      const candidates = routes.filter((r) => r.pattern.test(rest));
      if (candidates.length === 0) throw unknown();
      const route = candidates.find((r) => r.method === method);
      if (!route) throw new TsHttpError(405, '405000', 'Method Not Allowed', `${method} is not allowed on '/${version}/${rest}'.`);
      if (route.minVersion !== undefined && versionNumber(version) < versionNumber(route.minVersion)) throw unknown();
      const match = route.pattern.exec(rest)!;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(match[i + 1] ?? '')));

      // Faults are decided before anything else happens, so a faulted request has no effect.
      // An injected expiry ends only a session that has already served a request (see faults.ts).
      const token = req.headers['x-tableau-auth'];
      const used = typeof token === 'string' && (st.sessions.get(token)?.uses ?? 0) > 0;
      const fault = faults.pick(route.faults.filter((k) => k !== 'expire401' || (route.authed && used)));
      if (fault !== null && fault !== 'jobFail' && fault !== 'jobCancel') {
        await drain(req);
        if (fault === 'expire401') {
          // The session really ends: the client has to sign in again (mid-upload too).
          st.sessions.delete(token as string);
        }
        log.fault = fault;
        log.status = sendFault(res, fault, faults, wantsJson, config.apiVersion, config.retryAfterSeconds);
        return;
      }
      const session = route.authed
        ? authenticate(st, req, params, { ...(route.scope ? { scope: route.scope } : {}), version, ...(route.jobQuery ? { jobQuery: true } : {}) })
        : null;
      if (fault === 'jobFail' || fault === 'jobCancel') log.fault = fault;
      const reply = await route.handle({ req, params, query: url.searchParams, session, fault, log, version });
      await drain(req);
      log.status = reply.status;
      if (reply.raw) {
        res.writeHead(reply.status, reply.raw.headers);
        res.end(reply.raw.body);
        return;
      }
      sendBody(res, reply.status, reply.body, wantsJson, config.apiVersion);
    } catch (e) {
      await drain(req);
      const err = e instanceof TsHttpError ? e : new TsHttpError(500, '500000', 'Internal Server Error', 'An unexpected error occurred on the server.');
      log.status = err.status;
      if (!res.headersSent) sendBody(res, err.status, [errorElement(err.code, err.summary, err.detail)], wantsJson, config.apiVersion);
      else res.destroy();
    }
  };

  const server: Server = createServer((req, res) => {
    void handleRequest(req, res);
  });
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 0; // a 64 MB block on a slow link must not time out
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    site: config.site,
    patName: config.patName,
    patSecret: config.patSecret,
    siteId: config.siteId,
    userId: config.userId,
    connectedApp: config.connectedApp,
    refreshes: st.refreshes,
    appliedRequestIds: st.appliedRequestIds,
    requests: st.requests,
    setFaults: (f) => faults.set(f),
    expireTokens: () => st.sessions.clear(),
    setVds: (on) => {
      st.vds = on;
    },
    vdsQueries: st.vdsQueries,
    async alterStoredData(name, sql) {
      const ds = st.datasourceByName(name);
      if (!ds?.filePath) throw new Error(`No stored data for data source '${name}'.`);
      const path = ds.filePath;
      await st.serialize(st.datasourceKey(ds.projectId, ds.name), async () => {
        await queryStoredTable(await st.engine(), path, { schema: 'Extract', name: 'Extract' }, sql);
      });
    },
    async readRows(name) {
      const ds = st.datasourceByName(name);
      if (!ds) return null;
      await st.idle(st.datasourceKey(ds.projectId, ds.name)); // a read sees every batch already accepted
      if (ds.filePath === null) return null;
      return readHyperTable(await st.engine(), ds.filePath, { schema: 'Extract', name: 'Extract' });
    },
    async datasourceColumns(name) {
      const ds = st.datasourceByName(name);
      if (!ds?.filePath) return [];
      return hyperColumns(await st.engine(), ds.filePath, { schema: 'Extract', name: 'Extract' });
    },
    async createDatasource(name, projectName = 'default') {
      const project = st.ensureProject(projectName);
      const now = clock.now();
      const ds: Datasource = {
        id: randomUUID(),
        name,
        contentUrl: contentUrlOf(name),
        description: '',
        projectId: project.id,
        ownerId: config.userId,
        createdAt: now,
        updatedAt: now,
        type: 'sqlserver',
        filePath: null,
        connectionLuid: randomUUID(),
      };
      st.datasources.set(ds.id, ds);
      return { id: ds.id, name, projectId: project.id };
    },
    listDatasources: () => [...st.datasources.values()].map((d) => ({ id: d.id, name: d.name, projectId: d.projectId, hasFile: d.filePath !== null })),
    hyperEngine: () => st.engine(),
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await st.shutdown();
      if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
    },
  };
}
