/**
 * Writing a model's table in hyperd: shared by every model so each (re)build is one transaction
 * and a reader (the publisher, the checks) never sees a table half built.
 */
import type { SqlClient } from './gl-balances';

/** Runs `statements` in one transaction; rolls back and rethrows on the first failure. */
export async function inTransaction(client: SqlClient, statements: readonly string[]): Promise<void> {
  await client.query('BEGIN');
  try {
    for (const s of statements) await client.query(s);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The number of rows of table `target`. */
export async function countRows(client: SqlClient, target: string): Promise<number> {
  const r = await client.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${target}`);
  return Number(r.rows[0]!.n);
}

/** (Re)creates table `target` (a qualified name) as the result of `select`, in one transaction; returns its rows. */
export async function replaceTable(client: SqlClient, target: string, select: string): Promise<number> {
  await inTransaction(client, [`DROP TABLE IF EXISTS ${target}`, `CREATE TABLE ${target} AS ${select}`]);
  return countRows(client, target);
}
