/**
 * Everything the Tableau emulator holds: its configuration, sessions, projects, data sources,
 * upload sessions, jobs, the RequestIDs it has seen, and the logs tests read. Route handlers
 * (`routes-*.ts`) act on it; `tableau-emulator.ts` serves them.
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../core/clock';
import { findHyperd, startHyperEngine, type HyperEngine } from '../../core/hyper';
import type { ConnectedAppConfig } from './connected-app-jwt';
import type { TableauFaultKind } from './faults';
import { notFound, TsHttpError } from './http-error';
import { ActionFailedError } from './hyper-store';
import type { EmulatorJob, JobPacing, JobType } from './jobs';
import { el, isoSeconds, type TsElement } from './ts-response';

/** One mebibyte: upload sizes are reported in MB (§3). */
export const MB = 1024 * 1024;

/** One request the emulator answered (no secrets: no headers, no bodies). */
export interface EmulatorRequestLog {
  method: string;
  /** URL path without the query string. */
  path: string;
  query: string;
  status: number;
  fault?: TableauFaultKind;
  requestId?: string;
}

/** A signed-in session (the token is the map key too). */
export interface Session {
  token: string;
  /** The PAT that signed in (one session per PAT, tableau-rest.md §4); null for a JWT sign-in. */
  patName: string | null;
  /** A connected-app JWT session's scopes (`scp`); null for a PAT session (no scopes). */
  scopes: ReadonlySet<string> | null;
  /** Requests this session has served (an injected expiry never hits a session not used yet). */
  uses: number;
  userId: string;
  siteId: string;
  createdAt: number;
  lastUsedAt: number;
}

/** A project (fixture project_get.xml). */
export interface Project {
  id: string;
  name: string;
  description: string;
  parentProjectId: string | null;
  ownerId: string;
}

/** A published data source. */
export interface Datasource {
  id: string;
  name: string;
  contentUrl: string;
  description: string;
  projectId: string;
  ownerId: string;
  createdAt: number;
  updatedAt: number;
  /** 'hyper' for a published .hyper (live-to-Hyper); an upstream type for createDatasource ones. */
  type: string;
  /** The stored .hyper file; null for data sources with an upstream connection. */
  filePath: string | null;
  connectionLuid: string;
}

/** An upload session: the blocks appended so far, in one file. */
export interface UploadSession {
  id: string;
  path: string;
  bytes: number;
  blocks: number;
  /** Last initiate/append: sessions expire after `uploadTtlMs` without use. */
  lastUsedAt: number;
}

/** Fixed settings of one emulator. */
export interface EmulatorConfig {
  readonly clock: Clock;
  readonly apiVersion: string;
  readonly productVersion: string;
  readonly tokenTtlMs: number;
  readonly tokenLifetimeMs: number | undefined;
  readonly maxBlockBytes: number;
  readonly pacing: JobPacing;
  readonly retryAfterSeconds: number;
  readonly hyperdPath: string | undefined;
  readonly dirs: { readonly ds: string; readonly uploads: string; readonly incoming: string; readonly logs: string };
  readonly site: string;
  readonly siteId: string;
  readonly userId: string;
  readonly patName: string;
  readonly patSecret: string;
  readonly connectedApp: ConnectedAppConfig;
  /** A synchronous publish larger than this answers 504 (a gateway timeout), tableau-rest.md §3. */
  readonly syncPublishLimitBytes: number;
  /** Upload sessions unused for this long are gone (404). */
  readonly uploadTtlMs: number;
}

/** What a route handler gets. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly session: Session | null;
  readonly fault: TableauFaultKind | null;
  readonly log: EmulatorRequestLog;
  /** The REST API version in the URL ('v1' for VizQL Data Service). */
  readonly version: string;
}

/** What a route handler answers (no body = no content; `raw` for a file download). */
export interface RouteReply {
  readonly status: number;
  readonly body?: readonly TsElement[];
  readonly raw?: { headers: Record<string, string>; body: Buffer };
}

/** One endpoint. */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Matches the path after `/api/<version>/`; groups are `keys`, in order. */
  readonly pattern: RegExp;
  readonly keys: readonly string[];
  readonly authed: boolean;
  /** Kinds of fault that make sense for the route. */
  readonly faults: readonly TableauFaultKind[];
  /** Lowest REST API version in the URL that knows the route. */
  readonly minVersion?: string;
  /** The connected-app scope the call needs (Tableau's "Access Scopes for Connected Apps"). */
  readonly scope?: string;
  /** Query Job: a JWT session may call it only from REST 3.25 on. */
  readonly jobQuery?: boolean;
  readonly handle: (ctx: RouteContext) => Promise<RouteReply>;
}

/** Compares REST API versions: '3.12' → 3012. */
export function versionNumber(v: string): number {
  const [maj, min] = v.split('.');
  return Number(maj) * 1000 + Number(min ?? 0);
}

/** Fixture datasource_get.xml: "Sample datasource" → contentUrl "Sampledatasource". */
export function contentUrlOf(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '') || 'datasource';
}

/** The emulator's data and the operations routes share. */
export class EmulatorState {
  readonly sessions = new Map<string, Session>();
  readonly projects = new Map<string, Project>();
  readonly datasources = new Map<string, Datasource>();
  readonly uploads = new Map<string, UploadSession>();
  readonly jobs = new Map<string, EmulatorJob>();
  /** JWT ids already used for a sign-in (a `jti` is good for one sign-in). */
  readonly usedJtis = new Set<string>();
  /** Every VizQL Data Service call answered (read-metadata / query-datasource), in order. */
  readonly vdsQueries: string[] = [];
  /** Whether the VizQL Data Service answers (Cloud and Server 2025.1+); tests turn it off. */
  vds = true;
  /** RequestID → the job it started and when (24 h de-duplication window, §2). */
  readonly requestIds = new Map<string, { jobId: string; at: number }>();
  readonly refreshes: { datasourceId: string; at: number }[] = [];
  readonly appliedRequestIds: string[] = [];
  readonly requests: EmulatorRequestLog[] = [];
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly pending = new Set<Promise<unknown>>();
  private enginePromise: Promise<HyperEngine> | null = null;

  constructor(readonly config: EmulatorConfig) {
    const p: Project = {
      id: randomUUID(),
      name: 'default',
      description: 'The default project that was automatically created by Tableau.',
      parentProjectId: null,
      ownerId: config.userId,
    };
    this.projects.set(p.id, p);
  }

  /** The project's Hyper engine, started on first use. */
  engine(): Promise<HyperEngine> {
    // Not given the emulator's clock: a manual test clock must not stall hyperd's start-up timeout.
    // main/emulators/tableau/ → the project root, three levels up (the file moved out of main/core in issue 13).
    this.enginePromise ??= startHyperEngine({
      hyperdPath: this.config.hyperdPath ?? findHyperd({ projectRoot: fileURLToPath(new URL('../../../', import.meta.url)) }),
      logDir: this.config.dirs.logs,
    });
    return this.enginePromise;
  }

  /** Runs `fn` after every earlier task with the same key (one writer per data source). */
  serialize<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return next;
  }

  /** Resolves when every task queued on `key` so far has ended. */
  async idle(key: string): Promise<void> {
    await (this.queues.get(key) ?? Promise.resolve());
  }

  /** Waits for all background work, then stops hyperd. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.pending]);
    if (this.enginePromise) await (await this.enginePromise.catch(() => null))?.stop();
  }

  /** The most recently updated data source with this name. */
  datasourceByName(name: string): Datasource | undefined {
    return [...this.datasources.values()].filter((d) => d.name === name).sort((a, b) => b.updatedAt - a.updatedAt)[0];
  }

  datasourceOr404(id: string | undefined): Datasource {
    const d = id ? this.datasources.get(id) : undefined;
    // UNCONFIRMED: the per-resource 404 code; 404011 is commonly reported for data sources.
    if (!d) throw notFound(`Datasource '${id}' could not be found.`, '404011');
    return d;
  }

  uploadOr404(id: string): UploadSession {
    const u = this.uploads.get(id);
    const now = this.config.clock.now();
    if (u && now - u.lastUsedAt >= this.config.uploadTtlMs) {
      // Upload sessions do not live for ever (the idle limit is UNCONFIRMED; configurable here).
      this.uploads.delete(id);
      void rm(u.path, { force: true });
    } else if (u) {
      u.lastUsedAt = now;
      return u;
    }
    // UNCONFIRMED code for an unknown or expired upload session.
    throw notFound(`Upload session '${id}' could not be found.`, '404018');
  }

  /** Creates a top-level project unless one has the name. */
  ensureProject(name: string): Project {
    const found = [...this.projects.values()].find((p) => p.name === name && p.parentProjectId === null);
    if (found) return found;
    const p: Project = { id: randomUUID(), name, description: '', parentProjectId: null, ownerId: this.config.userId };
    this.projects.set(p.id, p);
    return p;
  }

  projectElement(p: Project, withOwner: boolean): TsElement {
    return el(
      'project',
      { id: p.id, name: p.name, description: p.description, contentPermissions: 'ManagedByOwner', parentProjectId: p.parentProjectId ?? undefined },
      withOwner ? [el('owner', { id: p.ownerId })] : [],
    );
  }

  /**
   * Shaped like the fixtures: `inList` as in datasource_get.xml (with encryptExtracts, hasExtracts,
   * useRemoteQueryAgent), otherwise as datasource_publish.xml / datasource_get_by_id.xml (without).
   */
  datasourceElement(d: Datasource, inList = false): TsElement {
    return el(
      'datasource',
      {
        id: d.id,
        name: d.name,
        contentUrl: d.contentUrl,
        description: d.description || undefined,
        type: d.type,
        createdAt: isoSeconds(d.createdAt),
        updatedAt: isoSeconds(d.updatedAt),
        encryptExtracts: inList ? 'false' : undefined,
        hasExtracts: inList ? 'true' : undefined,
        useRemoteQueryAgent: inList ? 'false' : undefined,
      },
      [
        el('project', { id: d.projectId, name: this.projects.get(d.projectId)?.name }),
        el('owner', { id: d.ownerId }),
        el('tags', undefined, [], { list: true }),
      ],
    );
  }

  /** A new job; `failure` makes it fail (with that note) without any work. */
  newJob(type: JobType, ds: Datasource | null, failure: string | null = null): EmulatorJob {
    const job: EmulatorJob = {
      id: randomUUID(),
      type,
      createdAt: this.config.clock.now(),
      datasource: ds ? { id: ds.id, name: ds.name } : null,
      connectionLuid: type === 'UpdateUploadedFile' ? ds?.connectionLuid : undefined,
      startedAt: null,
      completedAt: null,
      updatedAt: null,
      polls: 0,
      progress: 0,
      workStarted: failure !== null,
      workDone: failure !== null,
      failure,
      finishCode: null,
      cancelled: false,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  /** Runs a job's work in the background, serialized on `key`; a failure becomes its notes. */
  runJob(job: EmulatorJob, key: string, work: () => Promise<void>): void {
    // A job cancelled before its turn does nothing (it then ends with finish code 2).
    void this.serialize(key, async () => {
      if (job.cancelled) return;
      job.workStarted = true;
      await work();
    }).then(
      () => {
        job.workDone = true;
      },
      (e: unknown) => {
        job.failure = e instanceof ActionFailedError || e instanceof TsHttpError ? e.message : `Internal error: ${(e as Error).message}`;
        job.workDone = true;
      },
    );
  }

  /**
   * The queue key of a data source: publishes and PATCHes of one data source run one at a time.
   * Keyed by project and name (not LUID) because a publish does not know the LUID yet.
   */
  datasourceKey(projectId: string, name: string): string {
    return `ds:${projectId}:${name}`;
  }

  /** Where a data source's `.hyper` lives. */
  datasourcePath(id: string): string {
    return join(this.config.dirs.ds, `${id}.hyper`);
  }
}
