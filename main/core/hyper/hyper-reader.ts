/**
 * Reads a table of a `.hyper` file back as Rows, in batches.
 *
 * The file is ATTACHed under a fresh alias on its own session (only SELECTs run on it: no read-only
 * ATTACH option was found in hyperd's grammar, UNCONFIRMED, so none is relied on) and read through a cursor
 * (`DECLARE … NO SCROLL CURSOR` + `FETCH n`): plain simple-protocol SQL, which hyperd accepts, where
 * pg's extended protocol with parameters is rejected (tableau-rest.md §1.3). Only one batch is in
 * memory at a time. Values come back in the Row conventions through the client's exact parsers
 * (hyper-types.ts); booleans, bigints and nulls need nothing more.
 */
import type { Row } from '../streams/types';
import type { HyperEngine } from './hyper-engine';
import { toHyperError } from './hyper-errors';
import { qualifiedTable, quoteIdent, type HyperTable } from './hyper-sql';

/** Rows per FETCH. */
const FETCH_SIZE = 5000;
let aliasSeq = 0;

/**
 * Yields the rows of `table` in `path`, `FETCH_SIZE` at a time, ordered by `orderBy` column names
 * (ascending) when given. Breaking out of the loop closes the cursor and detaches the file.
 */
export async function* readHyperRows(engine: HyperEngine, path: string, table: HyperTable, orderBy?: readonly string[]): AsyncGenerator<Row[]> {
  const client = await engine.connect();
  const alias = `read_${++aliasSeq}`;
  const cursor = quoteIdent(`cur_${alias}`);
  let attached = false;
  let inTransaction = false;
  const names = table.columns.map((c) => c.name);
  try {
    for (const name of orderBy ?? []) {
      if (!names.includes(name)) throw new RangeError(`Cannot order by "${name}": not a column of ${table.schema}.${table.name}.`);
    }
    await client.query(`ATTACH DATABASE ${quoteIdent(path)} AS ${quoteIdent(alias)}`);
    attached = true;
    await client.query('BEGIN');
    inTransaction = true;
    const order = orderBy?.length ? ` ORDER BY ${orderBy.map(quoteIdent).join(', ')}` : '';
    await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${names.map(quoteIdent).join(', ')} FROM ${qualifiedTable(alias, table)}${order}`);
    for (;;) {
      const result = await client.query<Record<string, unknown>>(`FETCH ${FETCH_SIZE} FROM ${cursor}`);
      if (result.rows.length === 0) break;
      yield result.rows as Row[];
      if (result.rows.length < FETCH_SIZE) break;
    }
    await client.query(`CLOSE ${cursor}`);
    await client.query('COMMIT');
    inTransaction = false;
    await client.query(`DETACH DATABASE ${quoteIdent(alias)}`);
    attached = false;
  } catch (err) {
    throw err instanceof RangeError ? err : toHyperError(err, `read of ${path}`);
  } finally {
    if (inTransaction) await client.query('ROLLBACK').catch(() => undefined);
    if (attached) await client.query(`DETACH DATABASE ${quoteIdent(alias)}`).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
