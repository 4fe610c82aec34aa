/**
 * Publishing a model as its own Tableau data source (issue 15): hyperd copies the model's table
 * into a fresh single-table `.hyper` (Extract.Extract, the model's declared columns, so a type or a
 * NOT NULL the model promises is enforced here), which is published with overwrite, as a stream's
 * full load is (loader.ts: a full load's first batch is an overwrite publish). A model that is
 * published is published whole: its rows are derived, so there is no key to upsert on that stays
 * stable. A model nothing of which changed since its last publish is not published at all
 * (model-versions.ts).
 */
import { rm } from 'node:fs/promises';
import { createTableSql, quoteIdent } from '../hyper/hyper-sql';
import type { LoadFn } from '../sync/ports';
import type { StreamDefinition, StreamName } from '../streams/types';
import type { SqlClient } from './gl-balances';
import type { ModelSpec } from './model-catalog';
import type { PublishModelFn } from './model-ports';

const PUBLISH_ALIAS = 'mlc_publish';

/** Writes table `source` (the model's table) to `file` as Extract.Extract with the model's columns; returns the rows. */
export async function writeModelFile(client: SqlClient, file: string, spec: ModelSpec, source: string): Promise<number> {
  await rm(file, { force: true });
  await client.query(`CREATE DATABASE ${quoteIdent(file)}`);
  await client.query(`ATTACH DATABASE ${quoteIdent(file)} AS ${quoteIdent(PUBLISH_ALIAS)}`);
  try {
    await client.query(`CREATE SCHEMA ${quoteIdent(PUBLISH_ALIAS)}."Extract"`);
    await client.query(createTableSql(PUBLISH_ALIAS, { schema: 'Extract', name: 'Extract', columns: spec.columns }));
    const cols = spec.columns.map((c) => quoteIdent(c.name)).join(', ');
    const r = await client.query(`INSERT INTO ${quoteIdent(PUBLISH_ALIAS)}."Extract"."Extract" (${cols}) SELECT ${cols} FROM ${source}`);
    return r.rowCount ?? 0;
  } finally {
    // Detached so the file on disk is complete before it is uploaded (as hyper-writer.ts does).
    await client.query(`DETACH DATABASE ${quoteIdent(PUBLISH_ALIAS)}`);
  }
}

/**
 * The loader's view of a model: a stream-shaped target. The loader's publish path reads only the
 * batch's name, project and file; `stream` matters only to incremental updates, which models never
 * use. The key is every column (a model row is its own identity), so a fake target that keys rows
 * by primary key keeps them all.
 */
export function modelLoadTarget(spec: ModelSpec, datasourceName: string): StreamDefinition {
  return {
    // A model is not a stream; the name is only ever shown (fakes, error details).
    name: spec.name as unknown as StreamName,
    label: spec.label,
    intacctObject: '',
    primaryKey: spec.columns.map((c) => c.name),
    cursorColumn: '',
    recordNoColumn: '',
    columns: spec.columns,
    target: { datasource: datasourceName },
    pageSize: 0,
    lookbackMinutes: 0,
    filters: [],
    deletes: { kind: 'key-reconciliation' },
    enabledByDefault: false,
  };
}

/** A PublishModelFn through the run's LoadFn (an overwrite publish, `fullLoad: true`). */
export function publishThroughLoad(load: LoadFn): PublishModelFn {
  return async (req, opts) => {
    const r = await load(
      {
        stream: modelLoadTarget(req.spec, req.datasourceName),
        datasourceName: req.datasourceName,
        projectId: req.projectId,
        existingDatasourceId: null,
        upsertFile: req.file,
        deleteFile: null,
        requestId: req.requestId,
        fullLoad: true,
      },
      opts.signal ? { signal: opts.signal } : {},
    );
    return { datasourceId: r.datasourceId };
  };
}
