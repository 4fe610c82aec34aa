/**
 * Incremental rebuild of the GL balances model (issue 15, acceptance 3): after a sync changed some
 * GL lines, recompute only the balance rows those lines can move, reading only the GL lines of the
 * changed months, and carry the stored balances forward, so the table ends equal to a full rebuild
 * (buildGlBalances) of the same replica.
 *
 * The caller passes every month a changed line was in, before or after the change (a deleted line's
 * month, both months of a line whose BATCH_DATE moved). Then, in one transaction:
 *   1. A month past the table's last one: every combination gets its rows for the new months (no
 *      activity; balance-sheet balances carried, income-statement ones reset at a fiscal year start).
 *   2. The changed months' activity is re-read from GL detail and compared with the stored rows; the
 *      combinations whose net change or line count differ are "affected", from their first differing
 *      month on.
 *   3. For each affected combination, its rows from that month on are deleted and rewritten: the
 *      stored opening balance of that month (unchanged by later activity) plus, month by month, the
 *      re-read activity of changed months and the stored net change of the others.
 *   4. Rows a full rebuild would not have are dropped: an affected combination's months before its
 *      first line (all of them when it has no line left), and months after the ledger's last line.
 * Account titles and types are read from GL accounts for the rewritten rows only: after a change to
 * GL accounts, rebuild in full.
 */
import { fiscalYearStartSql, validateFiscalYearStartMonth } from './fiscal-year';
import {
  buildGlBalances,
  GL_BALANCE_COLUMNS,
  GL_BALANCE_DIMS,
  glAccountsSql,
  glLinesSql,
  type GlBalancesOptions,
  type GlBalancesSources,
  type SqlClient,
} from './gl-balances';
import { countRows } from './model-table';
import { hyperColumnSql, quoteLiteral } from '../hyper/hyper-sql';

export interface IncrementalResult {
  /** 'full' when the table did not exist or was empty, so it was built in full. */
  mode: 'incremental' | 'full';
  /** The changed months, normalised to their first day, sorted. */
  months: string[];
  /** Rows added for months past the table's last month (step 1). */
  rowsAppended: number;
  /** Combinations whose rows were rewritten, with the first rewritten month. */
  affected: { key: (string | null)[]; fromPeriod: string }[];
  /** Rows deleted and rewritten (step 3). */
  rowsRewritten: number;
  /** Rows dropped in step 4. */
  rowsDropped: number;
  /** Rows of the table afterwards. */
  rows: number;
}

const DIM_NAMES = GL_BALANCE_DIMS.split(', ');
const sameDims = (x: string, y: string) => DIM_NAMES.map((d) => `${x}.${d} IS NOT DISTINCT FROM ${y}.${d}`).join(' AND ');
const dimsOf = (x: string) => DIM_NAMES.map((d) => `${x}.${d}`).join(', ');
const MONTH = /^(\d{4})-(\d{2})(?:-\d{2})?$/;
const TEMP = { act: '"gl_incr_activity"', affected: '"gl_incr_affected"', rewrite: '"gl_incr_rewrite"' } as const;

/** 'YYYY-MM' or 'YYYY-MM-DD' → 'YYYY-MM-01'; throws a RangeError otherwise. */
export function monthStart(text: string): string {
  const m = MONTH.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new RangeError(`Not a month (YYYY-MM or YYYY-MM-DD): "${text}".`);
  return `${m[1]}-${m[2]}-01`;
}

/**
 * Brings table `target` (built by buildGlBalances with the same options) up to date after changes to
 * GL lines in `changedMonths`. Builds in full when the table is missing or empty.
 */
export async function updateGlBalances(
  client: SqlClient,
  target: string,
  src: GlBalancesSources,
  opts: GlBalancesOptions,
  changedMonths: readonly string[],
): Promise<IncrementalResult> {
  validateFiscalYearStartMonth(opts.fiscalYearStartMonth);
  const months = [...new Set(changedMonths.map(monthStart))].sort();
  const empty = { rowsAppended: 0, affected: [], rowsRewritten: 0, rowsDropped: 0 };
  const exists = await client.query(`SELECT 1 FROM ${target} LIMIT 1`).then(
    (r) => r.rows.length > 0,
    () => false,
  );
  if (!exists) return { mode: 'full', months, ...empty, rows: await buildGlBalances(client, target, src, opts) };
  if (!months.length) return { mode: 'incremental', months, ...empty, rows: await countRows(client, target) };

  const fy = (d: string) => fiscalYearStartSql(d, opts.fiscalYearStartMonth);
  const inMonths = (col: string) => `${col} IN (${months.map((m) => `DATE ${quoteLiteral(m)}`).join(', ')})`;
  const columns = GL_BALANCE_COLUMNS.map((c) => `"${c.name}"`).join(', ');
  const dims = GL_BALANCE_DIMS;
  const n = async (sql: string) => Number((await client.query<{ n: string | number }>(sql)).rows[0]!.n);

  // hyperd runs no DDL in a transaction that changes data, and a rollback does not undo temporary
  // tables: the staging tables are created empty before it and dropped after, whatever happens.
  const dropTemp = async () => {
    for (const t of Object.values(TEMP)) await client.query(`DROP TABLE IF EXISTS ${t}`);
  };
  await dropTemp();
  const dimCols = DIM_NAMES.map((d) => `${d} TEXT`).join(', ');
  await client.query(`CREATE TEMPORARY TABLE ${TEMP.act} (${dimCols}, "PERIOD" DATE, "NET_CHANGE" NUMERIC(18,2), "LINE_COUNT" BIGINT)`);
  await client.query(`CREATE TEMPORARY TABLE ${TEMP.affected} (${dimCols}, "FROM_PERIOD" DATE)`);
  await client.query(`CREATE TEMPORARY TABLE ${TEMP.rewrite} (${GL_BALANCE_COLUMNS.map(hyperColumnSql).join(', ')})`);
  await client.query('BEGIN');
  try {
    // 2 (first, so step 1 knows the new last month): the changed months' activity, from their lines only.
    await client.query(`INSERT INTO ${TEMP.act}
      SELECT ${dims}, "PERIOD", SUM("NET") AS "NET_CHANGE", COUNT(*) AS "LINE_COUNT" FROM (${glLinesSql(src.glDetail)}) l
       WHERE ${inMonths('"PERIOD"')} GROUP BY ${dims}, "PERIOD"`);
    const lastStored = (await client.query<{ p: string }>(`SELECT CAST(MAX("PERIOD") AS TEXT) AS p FROM ${target}`)).rows[0]!.p;
    const lastActive = (await client.query<{ p: string | null }>(`SELECT CAST(MAX("PERIOD") AS TEXT) AS p FROM ${TEMP.act}`)).rows[0]!.p;
    const last = lastActive !== null && lastActive > lastStored ? lastActive : lastStored;

    // 1. Rows for the new months, carried from each combination's last stored row.
    let rowsAppended = 0;
    if (last > lastStored) {
      const g = 'CAST(g AS DATE)';
      const reset = `t."ACCOUNTTYPE" = 'incomestatement' AND ${fy(g)} <> t."FISCAL_YEAR_START"`;
      await client.query(`INSERT INTO ${target} (${columns})
        SELECT t."ENTITY", t."BASECURR", t."ACCOUNTNO", t."ACCOUNTTITLE", t."ACCOUNTTYPE", t."DEPARTMENTID", t."LOCATIONID", t."CLASSID", ${g}, ${fy(g)},
               CASE WHEN ${reset} THEN CAST(0 AS NUMERIC(18,2)) ELSE t."CLOSING_BALANCE" END, CAST(0 AS NUMERIC(18,2)),
               CASE WHEN ${reset} THEN CAST(0 AS NUMERIC(18,2)) ELSE t."CLOSING_BALANCE" END, CAST(0 AS BIGINT)
          FROM ${target} t, generate_series(CAST(DATE ${quoteLiteral(lastStored)} + INTERVAL '1 month' AS TIMESTAMP), CAST(DATE ${quoteLiteral(last)} AS TIMESTAMP), INTERVAL '1 month') AS s(g)
         WHERE t."PERIOD" = DATE ${quoteLiteral(lastStored)}`);
      rowsAppended = await n(`SELECT COUNT(*) AS n FROM ${target} WHERE "PERIOD" > DATE ${quoteLiteral(lastStored)}`);
    }

    // 2. Affected combinations: re-read activity differs from the stored rows of the changed months.
    await client.query(`INSERT INTO ${TEMP.affected}
      SELECT ${DIM_NAMES.map((d) => `COALESCE(a.${d}, o.${d}) AS ${d}`).join(', ')}, MIN(COALESCE(a."PERIOD", o."PERIOD")) AS "FROM_PERIOD"
        FROM ${TEMP.act} a
        FULL OUTER JOIN (SELECT ${dims}, "PERIOD", "NET_CHANGE", "LINE_COUNT" FROM ${target} WHERE ${inMonths('"PERIOD"')} AND "LINE_COUNT" > 0) o
          ON ${sameDims('a', 'o')} AND a."PERIOD" = o."PERIOD"
       WHERE COALESCE(a."NET_CHANGE", 0) <> COALESCE(o."NET_CHANGE", 0) OR COALESCE(a."LINE_COUNT", 0) <> COALESCE(o."LINE_COUNT", 0)
       GROUP BY ${DIM_NAMES.map((d) => `COALESCE(a.${d}, o.${d})`).join(', ')}`);

    // 3. Their rows from the first affected month on, recomputed and carried forward.
    const from = (await client.query<{ p: string | null }>(`SELECT CAST(MIN("FROM_PERIOD") AS TEXT) AS p FROM ${TEMP.affected}`)).rows[0]!.p ?? last;
    const fyg = fy('m."PERIOD"');
    await client.query(`INSERT INTO ${TEMP.rewrite}
      WITH months AS (SELECT CAST(g AS DATE) AS "PERIOD" FROM generate_series(CAST(DATE ${quoteLiteral(from)} AS TIMESTAMP), CAST(DATE ${quoteLiteral(last)} AS TIMESTAMP), INTERVAL '1 month') AS s(g)),
           accounts AS (${glAccountsSql(src.glAccount)}),
           grid AS (
             SELECT ${dimsOf('f')}, m."PERIOD", ${fyg} AS "FISCAL_YEAR_START", acc."ACCOUNTTITLE", acc."ACCOUNTTYPE",
                    CASE WHEN ${inMonths('m."PERIOD"')} THEN COALESCE(a."NET_CHANGE", 0) ELSE COALESCE(t."NET_CHANGE", 0) END AS "NET",
                    CASE WHEN ${inMonths('m."PERIOD"')} THEN COALESCE(a."LINE_COUNT", 0) ELSE COALESCE(t."LINE_COUNT", 0) END AS "LINES",
                    CASE WHEN acc."ACCOUNTTYPE" = 'incomestatement' THEN ${fyg} END AS "RESET_KEY",
                    CASE WHEN acc."ACCOUNTTYPE" = 'incomestatement' AND ${fyg} <> ${fy('f."FROM_PERIOD"')} THEN 0 ELSE COALESCE(base."OPENING_BALANCE", 0) END AS "BASE"
               FROM ${TEMP.affected} f
               JOIN months m ON m."PERIOD" >= f."FROM_PERIOD"
               LEFT JOIN accounts acc ON acc."ACCOUNTNO" = f."ACCOUNTNO"
               LEFT JOIN ${TEMP.act} a ON ${sameDims('a', 'f')} AND a."PERIOD" = m."PERIOD"
               LEFT JOIN ${target} t ON ${sameDims('t', 'f')} AND t."PERIOD" = m."PERIOD"
               LEFT JOIN ${target} base ON ${sameDims('base', 'f')} AND base."PERIOD" = f."FROM_PERIOD"
           ),
           running AS (
             SELECT *, "BASE" + SUM("NET") OVER (PARTITION BY ${dims}, "RESET_KEY" ORDER BY "PERIOD" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "CLOSING" FROM grid
           )
      SELECT "ENTITY", "BASECURR", "ACCOUNTNO", "ACCOUNTTITLE", "ACCOUNTTYPE", "DEPARTMENTID", "LOCATIONID", "CLASSID", "PERIOD", "FISCAL_YEAR_START",
             CAST("CLOSING" - "NET" AS NUMERIC(18,2)) AS "OPENING_BALANCE", CAST("NET" AS NUMERIC(18,2)) AS "NET_CHANGE",
             CAST("CLOSING" AS NUMERIC(18,2)) AS "CLOSING_BALANCE", CAST("LINES" AS BIGINT) AS "LINE_COUNT"
        FROM running`);
    const inAffected = (alias: string, cond: string) => `EXISTS (SELECT 1 FROM ${TEMP.affected} f WHERE ${sameDims('f', alias)} AND ${cond})`;
    await client.query(`DELETE FROM ${target} AS t WHERE ${inAffected('t', 't."PERIOD" >= f."FROM_PERIOD"')}`);
    await client.query(`INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${TEMP.rewrite}`);
    const rowsRewritten = await countRows(client, TEMP.rewrite);

    // 4. Rows a full rebuild would not have.
    const before = await countRows(client, target);
    await client.query(
      `DELETE FROM ${target} AS t WHERE ${inAffected(
        't',
        `t."PERIOD" < COALESCE(
        (SELECT MIN(x."PERIOD") FROM ${target} x WHERE ${sameDims('x', 'f')} AND x."LINE_COUNT" > 0), DATE '9999-12-01')`,
      )}`,
    );
    await client.query(`DELETE FROM ${target} WHERE "PERIOD" > (SELECT MAX("PERIOD") FROM ${target} WHERE "LINE_COUNT" > 0)`);
    const rows = await countRows(client, target);

    const affected = await client.query<Record<string, string | null>>(
      `SELECT ${dims}, CAST("FROM_PERIOD" AS TEXT) AS "FROM_PERIOD" FROM ${TEMP.affected} ORDER BY ${dims}`,
    );
    await client.query('COMMIT');
    return {
      mode: 'incremental',
      months,
      rowsAppended,
      rowsRewritten,
      rowsDropped: before - rows,
      rows,
      affected: affected.rows.map((r) => ({ key: DIM_NAMES.map((d) => r[d.slice(1, -1)] ?? null), fromPeriod: r.FROM_PERIOD! })),
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await dropTemp().catch(() => undefined);
  }
}
