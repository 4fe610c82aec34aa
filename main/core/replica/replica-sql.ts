/**
 * The SQL the replica runs (pure: text only, for the replica attached as `rep` and a payload as `pay`).
 *
 * The statements mirror what Tableau's update-data endpoint does with the same payload file
 * (main/core/tableau/loader.ts `buildUpdateActions`, tableau-rest.md §2): an upsert matched on the
 * primary key deletes the target rows whose key is in the payload's `Extract.Extract` and inserts
 * every payload row; a deletion batch deletes the rows whose key is in `Extract.deleted`; a full
 * load's first batch replaces what the table held. Keys compare with `=`, as the endpoint's `eq`
 * condition does (main/emulators/tableau/data-update.ts `conditionSql`).
 *
 * hyperd rejects `$n` parameters (tableau-rest.md §1.3): names and values are quoted into the text.
 */
import type { StreamDefinition } from '../streams/types';
import { createTableSql, quoteIdent, quoteLiteral } from '../hyper/hyper-sql';
import { META_SCHEMA, META_TABLE, REPLICA_SCHEMA } from './replica-layout';

/** The columns of the meta table, one row per stream. */
export interface MetaRow {
  stream: string;
  /** `columnsSignature` of the columns the table was built with. */
  columns: string;
  run_id: string;
  request_id: string;
  /** When Tableau confirmed the last batch applied here (UTC ms). */
  applied_at: number;
  /** The run's start of that batch: the table holds Intacct's changes up to it (UTC ms). */
  data_as_of: number;
  /** False from a full load's first batch until its last one is applied. */
  complete: boolean;
}

const t = (alias: string, name: string) => `${quoteIdent(alias)}.${quoteIdent(REPLICA_SCHEMA)}.${quoteIdent(name)}`;
const meta = (alias: string) => `${quoteIdent(alias)}.${quoteIdent(META_SCHEMA)}.${quoteIdent(META_TABLE)}`;
const payloadTable = (alias: string, name: 'Extract' | 'deleted') => `${quoteIdent(alias)}."Extract".${quoteIdent(name)}`;

/** The schemas and the meta table of a new (or older) replica file; each is a no-op when present. */
export function setupSql(rep: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(rep)}.${quoteIdent(REPLICA_SCHEMA)}`,
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(rep)}.${quoteIdent(META_SCHEMA)}`,
    `CREATE TABLE IF NOT EXISTS ${meta(rep)} (stream TEXT NOT NULL, columns TEXT NOT NULL, run_id TEXT NOT NULL, request_id TEXT NOT NULL, ` +
      'applied_at BIGINT NOT NULL, data_as_of BIGINT NOT NULL, complete BOOL NOT NULL)',
  ];
}

/** Does the stream's table exist (one row when it does). */
export function tableExistsSql(rep: string, stream: string): string {
  return `SELECT 1 AS present FROM ${quoteIdent(rep)}.pg_catalog.pg_tables WHERE schemaname = ${quoteLiteral(REPLICA_SCHEMA)} AND tablename = ${quoteLiteral(stream)}`;
}

/** Every meta row (or one stream's). */
export function selectMetaSql(rep: string, stream?: string): string {
  return `SELECT stream, columns, run_id, request_id, applied_at, data_as_of, complete FROM ${meta(rep)}${stream ? ` WHERE stream = ${quoteLiteral(stream)}` : ''}`;
}

/** Forgets a stream's meta row (DML: inside the caller's transaction). */
export function deleteMetaSql(rep: string, stream: string): string {
  return `DELETE FROM ${meta(rep)} WHERE stream = ${quoteLiteral(stream)}`;
}

/** Replaces a stream's meta row: delete, then insert (run both in one transaction). */
export function writeMetaSql(rep: string, m: MetaRow): string[] {
  const values = [
    quoteLiteral(m.stream),
    quoteLiteral(m.columns),
    quoteLiteral(m.run_id),
    quoteLiteral(m.request_id),
    String(Math.trunc(m.applied_at)),
    String(Math.trunc(m.data_as_of)),
    m.complete ? 'true' : 'false',
  ];
  return [deleteMetaSql(rep, m.stream), `INSERT INTO ${meta(rep)} VALUES (${values.join(', ')})`];
}

/** Marks the full load of `runId` finished for the stream. */
export function completeMetaSql(rep: string, stream: string, runId: string): string {
  return `UPDATE ${meta(rep)} SET complete = true WHERE stream = ${quoteLiteral(stream)} AND run_id = ${quoteLiteral(runId)}`;
}

/**
 * DDL that (re)builds the stream's table with the definition's columns. Hyper does not roll DDL
 * back (a DROP TABLE inside a rolled-back transaction stays dropped, checked against hyperd
 * 0.0.26359), so the caller first forgets the meta row in a committed transaction: a crash
 * half-way leaves a table without meta, which reads as "missing", never as current.
 */
export function rebuildTableSql(rep: string, def: Pick<StreamDefinition, 'name' | 'columns'>): string[] {
  return [`DROP TABLE IF EXISTS ${t(rep, def.name)}`, createTableSql(rep, { schema: REPLICA_SCHEMA, name: def.name, columns: def.columns })];
}

/** `t."K1" = s."K1" AND …` on the primary key. */
function keyMatch(def: Pick<StreamDefinition, 'primaryKey'>): string {
  return def.primaryKey.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(' AND ');
}

/** Inserts every payload row (columns by name: the payload has exactly the stream's columns). */
function insertAllSql(rep: string, pay: string, def: Pick<StreamDefinition, 'name' | 'columns'>): string {
  const cols = def.columns.map((c) => quoteIdent(c.name)).join(', ');
  return `INSERT INTO ${t(rep, def.name)} (${cols}) SELECT ${cols} FROM ${payloadTable(pay, 'Extract')}`;
}

/** DML of a batch, run in ONE transaction with its meta row (the caller adds BEGIN/COMMIT). */
export function applyBatchSql(
  rep: string,
  pay: string,
  def: Pick<StreamDefinition, 'name' | 'columns' | 'primaryKey'>,
  kind: 'replace' | 'upsert' | 'delete',
): string[] {
  const target = t(rep, def.name);
  switch (kind) {
    case 'replace':
      return [`DELETE FROM ${target}`, insertAllSql(rep, pay, def)];
    case 'upsert':
      return [
        `DELETE FROM ${target} AS t WHERE EXISTS (SELECT 1 FROM ${payloadTable(pay, 'Extract')} AS s WHERE ${keyMatch(def)})`,
        insertAllSql(rep, pay, def),
      ];
    case 'delete':
      return [`DELETE FROM ${target} AS t WHERE EXISTS (SELECT 1 FROM ${payloadTable(pay, 'deleted')} AS s WHERE ${keyMatch(def)})`];
  }
}
