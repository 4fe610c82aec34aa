/**
 * Projects and data sources: query (filters, paging), create project, get data source, and
 * publish (single-call multipart or committing an upload session; overwrite; asJob)
 * (tableau-rest.md §3, §7).
 */
import { randomUUID } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import yazl from 'yazl';
import { join } from 'node:path';
import { contentUrlOf, MB, type Datasource, type EmulatorState, type Project, type Route } from './emulator-state';
import { badRequest, notFound, TsHttpError } from './http-error';
import { formatRefusal, hyperFileFormat } from './file-format';
import { inspectHyperFile } from './hyper-store';
import { jobElement } from './jobs';
import { multipartBoundary, openForWrite, parseMultipart } from './multipart';
import { matchesFilters, paginate, parseFilter, sortItems } from './query-options';
import { obj, parseTsRequest, readBody, strAttr } from './request-io';
import { el, isoSeconds } from './ts-response';

// UNCONFIRMED: the code of "a data source with this name already exists" (409 is certain).
function nameConflict(name: string): TsHttpError {
  return new TsHttpError(409, '409004', 'Resource Conflict', `A data source named '${name}' already exists in the project.`);
}

/**
 * Makes the file at `incomingPath` data source `name` in `projectId`. Overwrite keeps the LUID
 * (§3, tableau_tools #39). A file hyperd cannot open, or without tables, is 400011 (§8, HAS #72).
 */
async function storePublished(
  st: EmulatorState,
  incomingPath: string,
  name: string,
  description: string,
  projectId: string,
  overwrite: boolean,
): Promise<Datasource> {
  let tables: unknown[] = [];
  try {
    tables = await inspectHyperFile(await st.engine(), incomingPath);
  } catch {
    tables = [];
  }
  if (tables.length === 0) throw new TsHttpError(400, '400011', 'Bad Request', `There was a problem publishing the file '${name}.hyper'.`);
  // A file format this release cannot open fails the same way (file-format.ts).
  const format = await hyperFileFormat(incomingPath);
  const refusal = format === null ? null : formatRefusal(format, st.config.productVersion);
  if (refusal) throw new TsHttpError(400, '400011', 'Bad Request', `There was a problem publishing the file '${name}.hyper'. ${refusal}`);
  const existing = [...st.datasources.values()].find((d) => d.name === name && d.projectId === projectId);
  if (existing && !overwrite) throw nameConflict(name);
  const now = st.config.clock.now();
  const ds: Datasource = existing ?? {
    id: randomUUID(),
    name,
    contentUrl: contentUrlOf(name),
    description,
    projectId,
    ownerId: st.config.userId,
    createdAt: now,
    updatedAt: now,
    type: 'hyper',
    filePath: null,
    connectionLuid: randomUUID(),
  };
  const filePath = st.datasourcePath(ds.id);
  await rename(incomingPath, filePath);
  ds.filePath = filePath;
  ds.type = 'hyper';
  ds.updatedAt = now;
  if (description) ds.description = description;
  st.datasources.set(ds.id, ds);
  return ds;
}

/** A minimal .tdsx: the .tds and, when given, the extract. */
function tdsx(ds: Datasource, hyper: Buffer | null): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const tds = `<?xml version='1.0' encoding='utf-8' ?><datasource formatted-name='${ds.name.replace(/[<>&']/g, '_')}' inline='true' version='18.1'><connection class='hyper' dbname='Data/Extracts/${ds.contentUrl}.hyper' /></datasource>`;
  zip.addBuffer(Buffer.from(tds, 'utf8'), `${ds.contentUrl}.tds`);
  if (hyper) zip.addBuffer(hyper, `Data/Extracts/${ds.contentUrl}.hyper`);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** The project and data source routes. */
export function contentRoutes(st: EmulatorState): Route[] {
  const { config } = st;
  return [
    {
      method: 'GET',
      pattern: /^sites\/([^/]+)\/projects$/,
      keys: ['siteId'],
      authed: true,
      scope: 'tableau:content:read',
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        const filters = parseFilter(ctx.query.get('filter'), ['name', 'parentProjectId']);
        const all = [...st.projects.values()].filter((p) => matchesFilters(filters, (f) => (f === 'name' ? p.name : (p.parentProjectId ?? undefined))));
        const { page, pagination } = paginate(all, ctx.query);
        // fixture project_get.xml
        return {
          status: 200,
          body: [
            pagination,
            el(
              'projects',
              undefined,
              page.map((p) => st.projectElement(p, true)),
              { list: true },
            ),
          ],
        };
      },
    },
    {
      method: 'POST',
      pattern: /^sites\/([^/]+)\/projects$/,
      keys: ['siteId'],
      authed: true,
      scope: 'tableau:projects:create', // UNCONFIRMED scope name
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        const body = parseTsRequest(await readBody(ctx.req, MB), ctx.req.headers['content-type']);
        const p = obj(body.project);
        const name = strAttr(p, 'name');
        if (!name) throw badRequest("The project needs a 'name'.");
        const parent = strAttr(p, 'parentProjectId') ?? null;
        // UNCONFIRMED code for an unknown project.
        if (parent !== null && !st.projects.has(parent)) throw notFound(`Project '${parent}' could not be found.`, '404005');
        if ([...st.projects.values()].some((x) => x.name === name && x.parentProjectId === parent)) {
          throw new TsHttpError(409, '409006', 'Resource Conflict', `A project with the name '${name}' already exists.`); // §7
        }
        const project: Project = {
          id: randomUUID(),
          name,
          description: strAttr(p, 'description') ?? '',
          parentProjectId: parent,
          ownerId: ctx.session!.userId,
        };
        st.projects.set(project.id, project);
        // fixture project_create.xml
        return { status: 201, body: [st.projectElement(project, false)] };
      },
    },
    {
      method: 'GET',
      pattern: /^sites\/([^/]+)\/datasources$/,
      keys: ['siteId'],
      authed: true,
      scope: 'tableau:content:read',
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        const fields = ['name', 'projectName', 'contentUrl', 'type', 'createdAt', 'updatedAt', 'projectId', 'ownerName'];
        const filters = parseFilter(ctx.query.get('filter'), fields);
        const get = (d: Datasource, f: string): string | undefined => {
          switch (f) {
            case 'name':
              return d.name;
            case 'projectName':
              return st.projects.get(d.projectId)?.name;
            case 'projectId':
              return d.projectId;
            case 'contentUrl':
              return d.contentUrl;
            case 'type':
              return d.type;
            case 'createdAt':
              return isoSeconds(d.createdAt);
            case 'updatedAt':
              return isoSeconds(d.updatedAt);
            case 'ownerName':
              return config.connectedApp.username;
            default:
              return undefined;
          }
        };
        const all = sortItems(
          [...st.datasources.values()].filter((d) => matchesFilters(filters, (f) => get(d, f))),
          ctx.query.get('sort'),
          fields,
          get,
        );
        const { page, pagination } = paginate(all, ctx.query);
        // fixtures datasource_get.xml, datasource_get_empty.xml
        return {
          status: 200,
          body: [
            pagination,
            el(
              'datasources',
              undefined,
              page.map((d) => st.datasourceElement(d, true)),
              { list: true },
            ),
          ],
        };
      },
    },
    {
      method: 'GET',
      pattern: /^sites\/([^/]+)\/datasources\/([^/]+)$/,
      keys: ['siteId', 'datasourceId'],
      authed: true,
      scope: 'tableau:content:read',
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => ({ status: 200, body: [st.datasourceElement(st.datasourceOr404(ctx.params.datasourceId))] }),
    },
    {
      // Delete Data Source: 204; the data source and its file are gone.
      method: 'DELETE',
      pattern: /^sites\/([^/]+)\/datasources\/([^/]+)$/,
      keys: ['siteId', 'datasourceId'],
      authed: true,
      scope: 'tableau:datasources:delete',
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        const ds = st.datasourceOr404(ctx.params.datasourceId);
        await st.serialize(st.datasourceKey(ds.projectId, ds.name), async () => {
          st.datasources.delete(ds.id);
          if (ds.filePath) await rm(ds.filePath, { force: true });
          ds.filePath = null;
        });
        return { status: 204 };
      },
    },
    {
      // Query Data Source Connections (TSC fixture datasource_populate_connections.xml). A data
      // source published from a .hyper has one connection (tableau-rest.md §2), type "hyper".
      method: 'GET',
      pattern: /^sites\/([^/]+)\/datasources\/([^/]+)\/connections$/,
      keys: ['siteId', 'datasourceId'],
      authed: true,
      scope: 'tableau:content:read',
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        const ds = st.datasourceOr404(ctx.params.datasourceId);
        const conn = el('connection', {
          id: ds.connectionLuid,
          type: ds.type,
          serverAddress: ds.filePath ? undefined : 'db.example.com',
          userName: '',
          embedPassword: 'false',
        });
        return { status: 200, body: [el('connections', undefined, [conn], { list: true })] };
      },
    },
    {
      // Download Data Source: a .tdsx (zip: the .tds, and with includeExtract — default true — the
      // .hyper under Data/Extracts/), Content-Disposition naming the file as TSC reads it.
      method: 'GET',
      pattern: /^sites\/([^/]+)\/datasources\/([^/]+)\/content$/,
      keys: ['siteId', 'datasourceId'],
      authed: true,
      scope: 'tableau:datasources:download',
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        const ds = st.datasourceOr404(ctx.params.datasourceId);
        const include = (ctx.query.get('includeExtract') ?? 'true').toLowerCase() !== 'false';
        await st.idle(st.datasourceKey(ds.projectId, ds.name));
        const hyper = include && ds.filePath ? await readFile(ds.filePath) : null;
        const body = await tdsx(ds, hyper);
        return {
          status: 200,
          raw: {
            headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `name="tableau_datasource"; filename="${ds.contentUrl}.tdsx"` },
            body,
          },
        };
      },
    },
    {
      // Query Users on Site (TSC fixture user_get.xml), with `filter=name:eq|cieq:<name>`.
      method: 'GET',
      pattern: /^sites\/([^/]+)\/users$/,
      keys: ['siteId'],
      authed: true,
      scope: 'tableau:users:read',
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        const filters = parseFilter(ctx.query.get('filter'), ['name', 'siteRole', 'lastLogin']);
        const users = [
          { id: config.userId, name: config.connectedApp.username, siteRole: 'Creator', fullName: 'ml-connector', email: config.connectedApp.username },
        ];
        const hits = users.filter((u) => matchesFilters(filters, (f) => (f === 'name' ? u.name : f === 'siteRole' ? u.siteRole : undefined)));
        const { page, pagination } = paginate(hits, ctx.query);
        return {
          status: 200,
          body: [
            pagination,
            el(
              'users',
              undefined,
              page.map((u) => el('user', { id: u.id, name: u.name, siteRole: u.siteRole, externalAuthUserId: '', fullName: u.fullName, email: u.email })),
              { list: true },
            ),
          ],
        };
      },
    },
    {
      method: 'POST',
      pattern: /^sites\/([^/]+)\/datasources$/,
      keys: ['siteId'],
      authed: true,
      scope: 'tableau:datasources:create',
      faults: ['expire401', 'http429', 'http5xx'],
      handle: async (ctx) => {
        const q = ctx.query;
        const overwrite = q.get('overwrite') === 'true';
        const asJob = q.get('asJob') === 'true';
        if (q.get('append') === 'true') {
          if (overwrite) throw badRequest('append and overwrite cannot both be true.'); // §3
          throw badRequest('append is not supported by this emulator.');
        }
        const sessionId = q.get('uploadSessionId');
        const upload = sessionId !== null ? st.uploadOr404(sessionId) : null;
        if (upload) {
          // datasourceType is required when committing an upload (§1.1); only hyper is emulated.
          const t = q.get('datasourceType');
          if (t === null) throw badRequest("'datasourceType' is required when publishing from an upload session.");
          if (t !== 'hyper') throw badRequest(`datasourceType '${t}' is not supported by this emulator (hyper only).`);
        }
        const boundary = multipartBoundary(ctx.req.headers['content-type']);
        const incomingPath = join(config.dirs.incoming, `${randomUUID()}.hyper`);
        const cleanup = (): Promise<void> => rm(incomingPath, { force: true });
        const handle = upload ? null : await openForWrite(incomingPath);
        try {
          // Single-call publish: at most 64 MB in one request (PUBCON, §3).
          const parsed = await parseMultipart(ctx.req, boundary, {
            fileParts: ['tableau_datasource'],
            fileHandle: handle,
            filePosition: 0,
            maxFileBytes: config.maxBlockBytes,
          });
          await handle?.close();
          const payload = parsed.fields.get('request_payload');
          if (!payload) throw badRequest("The multipart body has no 'request_payload' part.");
          if (!upload) {
            if (!parsed.file) throw badRequest("The multipart body has no 'tableau_datasource' part.");
            // The type of a single-call publish comes from the file name (§1.1).
            const fname = parsed.file.part.filename ?? '';
            if (!/\.hyper$/i.test(fname)) throw badRequest(`The file '${fname}' is not a .hyper file (only hyper is supported by this emulator).`);
          }
          const d = obj(parseTsRequest(payload, 'text/xml').datasource);
          const name = strAttr(d, 'name');
          if (!name) throw badRequest("The datasource needs a 'name'.");
          const projectId = strAttr(obj(d?.project), 'id');
          if (!projectId || !st.projects.has(projectId)) throw notFound(`Project '${projectId ?? ''}' could not be found.`, '404005');
          const description = strAttr(d, 'description') ?? '';
          // A name conflict is refused before anything is used up (a 409 rather than a failed job).
          if (!overwrite && [...st.datasources.values()].some((x) => x.name === name && x.projectId === projectId)) throw nameConflict(name);
          if (upload) {
            // The committed upload becomes the data source's file; the session is used up.
            await rename(upload.path, incomingPath);
            st.uploads.delete(upload.id);
          }
          const key = st.datasourceKey(projectId, name);
          if (!asJob && (parsed.file?.bytes ?? upload?.bytes ?? 0) > config.syncPublishLimitBytes) {
            // A synchronous publish this large meets the gateway's timeout on real sites (a 504
            // from the proxy, HTML; TSC: "Please use asynchronous publishing"). The publish still
            // completes behind the gateway, as it can on Tableau.
            const behind = `${incomingPath}.gateway.hyper`;
            await rename(incomingPath, behind);
            void st.serialize(key, () => storePublished(st, behind, name, description, projectId, overwrite)).catch(() => rm(behind, { force: true }));
            throw new TsHttpError(504, '504000', 'Gateway Timeout', 'The gateway timed out waiting for the publish to finish.');
          }
          if (!asJob) {
            const ds = await st.serialize(key, () => storePublished(st, incomingPath, name, description, projectId, overwrite));
            return { status: 201, body: [st.datasourceElement(ds)] }; // fixture datasource_publish.xml
          }
          const job = st.newJob('PublishDatasource', null);
          st.runJob(job, key, async () => {
            try {
              await storePublished(st, incomingPath, name, description, projectId, overwrite);
            } finally {
              await cleanup();
            }
          });
          return { status: 202, body: [jobElement(job, true)] }; // fixture datasource_publish_async.xml
        } catch (e) {
          await handle?.close().catch(() => undefined);
          await cleanup();
          throw e;
        }
      },
    },
  ];
}
