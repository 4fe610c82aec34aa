/**
 * Reads one stream's table of the replica back as Rows (the tests, the demo and the crash test
 * compare it with what Tableau holds; models query it with SQL instead).
 */
import { existsSync } from 'node:fs';
import { readHyperRows, type HyperEngine } from '../hyper';
import type { Row, StreamDefinition } from '../streams/types';
import { replicaPath, REPLICA_SCHEMA } from './replica-layout';
import { tableExistsSql } from './replica-sql';
import { quoteIdent } from '../hyper/hyper-sql';

let aliasSeq = 0;

/** Every row of the stream's table, ordered by its key; null when the replica or the table is missing. */
export async function readReplicaRows(
  engine: HyperEngine,
  dataDir: string,
  def: Pick<StreamDefinition, 'name' | 'columns' | 'primaryKey'>,
): Promise<Row[] | null> {
  const path = replicaPath(dataDir);
  if (!existsSync(path)) return null;
  const alias = `replica_probe_${++aliasSeq}`;
  const present = await engine.withClient(async (c) => {
    await c.query(`ATTACH DATABASE ${quoteIdent(path)} AS ${quoteIdent(alias)}`);
    try {
      return (await c.query(tableExistsSql(alias, def.name))).rows.length > 0;
    } finally {
      await c.query(`DETACH DATABASE ${quoteIdent(alias)}`).catch(() => undefined);
    }
  });
  if (!present) return null;
  const rows: Row[] = [];
  for await (const chunk of readHyperRows(engine, path, { schema: REPLICA_SCHEMA, name: def.name, columns: def.columns }, def.primaryKey)) rows.push(...chunk);
  return rows;
}
