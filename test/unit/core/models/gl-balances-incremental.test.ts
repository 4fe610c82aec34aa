/**
 * Incremental rebuild of GL balances: after GL lines change in a few months, only the affected
 * combinations' rows from the changed month on are rewritten, only the changed months' lines are
 * read, and the table equals a full rebuild.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { buildGlBalances, GL_BALANCE_KEY, qualifiedName } from '../../../../main/core/models/gl-balances';
import { monthStart, updateGlBalances } from '../../../../main/core/models/gl-balances-incremental';
import { streamByName } from '../../../../main/core/streams/definitions';
import { openGlReplica, type GlReplica } from './expected-gl';

const OPTS = { fiscalYearStartMonth: 4 };
const incremental = qualifiedName('rep', 'models', 'gl_balances_incremental');
const full = qualifiedName('rep', 'models', 'gl_balances_full');
const DIMS = GL_BALANCE_KEY.filter((k) => k !== 'PERIOD');
const sqlText = (x: string | null | undefined) => (x === null || x === undefined ? 'NULL' : `'${x.replace(/'/g, "''")}'`);

describe('GL balances: incremental rebuild equals a full rebuild', () => {
  let fx: GlReplica;
  let client: pg.Client;
  let src: { glDetail: string; glAccount: string };
  before(async () => {
    fx = await openGlReplica('gl-incremental-');
    client = fx.client;
    src = { glDetail: fx.glTable, glAccount: fx.accountTable };
  });
  after(() => fx?.replica.close());

  const rowsOf = async (table: string) => {
    const r = await client.query<Record<string, unknown>>(`SELECT * FROM ${table}`);
    return r.rows.map((x) => JSON.stringify(x)).sort();
  };
  /** Inserts a copy of GL line `recordNo` with some columns replaced (SQL expressions). */
  async function copyLine(recordNo: string, replace: Record<string, string>): Promise<void> {
    const cols = streamByName('gl_detail').columns.map((c) => c.name);
    const select = cols.map((c) => replace[c] ?? `"${c}"`).join(', ');
    await client.query(
      `INSERT INTO ${fx.glTable} (${cols.map((c) => `"${c}"`).join(', ')}) SELECT ${select} FROM ${fx.glTable} WHERE "RECORDNO" = '${recordNo}'`,
    );
  }
  /** Adds `delta` to the debits of every line outside `months`: an update that read them would be wrong. */
  const poison = (months: string[], delta: number) =>
    client.query(`UPDATE ${fx.glTable} SET "DEBITAMOUNT" = "DEBITAMOUNT" + ${delta}
                   WHERE "DEBITAMOUNT" IS NOT NULL AND CAST(date_trunc('month', "BATCH_DATE") AS DATE) NOT IN (${months.map((m) => `DATE '${monthStart(m)}'`).join(', ')})`);
  /**
   * Lines in `from`'s month whose combination has a non-zero opening balance then and lines after it
   * in the stored table: changing them tests both the carried opening and the stored later activity.
   */
  const linesWithHistory = (from: string, extra = '') =>
    client.query<Record<string, string | null>>(
      `SELECT d."RECORDNO", d."CHILDENTITY", d."BASECURR", d."ACCOUNTNO", d."DEPARTMENTID", d."LOCATIONID", d."CLASSID" FROM ${fx.glTable} d
       JOIN ${incremental} b ON ${DIMS.map((k) => `b."${k}" IS NOT DISTINCT FROM d."${k === 'ENTITY' ? 'CHILDENTITY' : k}"`).join(' AND ')} AND b."PERIOD" = DATE '${from}'
      WHERE d."BATCH_DATE" >= DATE '${from}' AND d."BATCH_DATE" < DATE '${from}' + INTERVAL '1 month' AND d."DEBITAMOUNT" > 0 AND b."OPENING_BALANCE" <> 0
        AND EXISTS (SELECT 1 FROM ${incremental} l WHERE ${DIMS.map((k) => `l."${k}" IS NOT DISTINCT FROM b."${k}"`).join(' AND ')} AND l."PERIOD" > b."PERIOD" AND l."LINE_COUNT" > 0) ${extra}
      ORDER BY d."RECORDNO"`,
    );
  const comboOf = (r: Record<string, string | null>) => JSON.stringify([r.CHILDENTITY, r.BASECURR, r.ACCOUNTNO, r.DEPARTMENTID, r.LOCATIONID, r.CLASSID]);

  /** Applies the update with the lines outside `months` poisoned, then compares with a full rebuild of the true lines. */
  async function updateAndCompare(months: string[]) {
    await buildGlBalances(client, full, src, OPTS);
    await poison(months, 1);
    const result = await updateGlBalances(client, incremental, src, OPTS, months);
    await poison(months, -1);
    assert.deepEqual(await rowsOf(incremental), await rowsOf(full));
    return result;
  }

  it('rewrites only the changed combinations from the changed month on, appends a new month, and equals a full rebuild', async () => {
    const first = await updateGlBalances(client, incremental, src, OPTS, ['2025-06']);
    assert.equal(first.mode, 'full', 'no table yet: built in full');
    const lines = (await linesWithHistory('2025-06-01')).rows;
    const edited = lines[0]!,
      deleted = lines.find((r) => comboOf(r) !== comboOf(edited))!;
    assert.ok(edited && deleted, 'two June lines of different combinations with history');
    await client.query(`UPDATE ${fx.glTable} SET "DEBITAMOUNT" = "DEBITAMOUNT" + 12.34, "AMOUNT" = "AMOUNT" + 12.34 WHERE "RECORDNO" = '${edited.RECORDNO}'`);
    await client.query(`DELETE FROM ${fx.glTable} WHERE "RECORDNO" = '${deleted.RECORDNO}'`);
    // A line of a new combination (new department) in June, and a line in January 2026, after the ledger's last month.
    await copyLine(edited.RECORDNO!, { RECORDNO: `'incr-new-combo'`, DEPARTMENTID: `'ZZ-NEW'` });
    await copyLine(edited.RECORDNO!, { RECORDNO: `'incr-new-month'`, BATCH_DATE: `DATE '2026-01-10'` });
    const combosBefore = Number(
      (await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM (SELECT DISTINCT ${DIMS.map((d) => `"${d}"`).join(', ')} FROM ${incremental}) x`)).rows[0]!
        .n,
    );

    const result = await updateAndCompare(['2025-06-15', '2026-01']);
    assert.equal(result.mode, 'incremental');
    assert.deepEqual(result.months, ['2025-06-01', '2026-01-01']);
    assert.equal(result.rowsAppended, combosBefore, 'every combination gets January 2026');
    const newCombo = JSON.stringify([edited.CHILDENTITY, edited.BASECURR, edited.ACCOUNTNO, 'ZZ-NEW', edited.LOCATIONID, edited.CLASSID]);
    assert.deepEqual(
      new Map(result.affected.map((a) => [JSON.stringify(a.key), a.fromPeriod])),
      new Map([
        [comboOf(edited), '2025-06-01'],
        [comboOf(deleted), '2025-06-01'],
        [newCombo, '2025-06-01'],
      ]),
    );
    // Each affected combination: June 2025 to January 2026 rewritten, nothing else; what a full
    // rebuild does not have (the deleted line's combination before its next line, if any) dropped.
    assert.equal(result.rowsRewritten, 3 * 8);
    const combos = [comboOf(edited), comboOf(deleted), newCombo].map((c) => JSON.parse(c) as (string | null)[]);
    const kept = await client.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM ${full} WHERE "PERIOD" >= DATE '2025-06-01'
          AND (${combos.map((c) => `(${DIMS.map((d, i) => `"${d}" IS NOT DISTINCT FROM ${sqlText(c[i])}`).join(' AND ')})`).join(' OR ')})`,
    );
    assert.equal(result.rowsDropped, result.rowsRewritten - Number(kept.rows[0]!.n));
    assert.ok(result.rows > 50 * result.rowsRewritten, `${result.rows} rows, ${result.rowsRewritten} rewritten`);
  });

  it('drops a combination whose lines are all gone and months after the last line, and still equals a full rebuild', async () => {
    await client.query(`DELETE FROM ${fx.glTable} WHERE "RECORDNO" IN ('incr-new-combo', 'incr-new-month')`);
    const result = await updateAndCompare(['2025-06', '2026-01']);
    assert.equal(result.affected.length, 2);
    assert.equal(result.rowsAppended, 0);
    // The new combination's June–December rows are dropped (its January row was rewritten and dropped too), then every January 2026 row.
    assert.ok(result.rowsDropped > result.affected.length);
    const left = await client.query(`SELECT 1 FROM ${incremental} WHERE "DEPARTMENTID" = 'ZZ-NEW' OR "PERIOD" >= DATE '2026-01-01'`);
    assert.equal(left.rows.length, 0);
  });

  it('changes income-statement lines at a fiscal year start and later in the year', async () => {
    const line = (
      await client.query<{ RECORDNO: string }>(
        `SELECT d."RECORDNO" FROM ${fx.glTable} d JOIN ${fx.accountTable} a ON a."ACCOUNTNO" = d."ACCOUNTNO"
        WHERE a."ACCOUNTTYPE" = 'incomestatement' AND d."DEBITAMOUNT" > 0 AND d."BATCH_DATE" >= DATE '2025-09-01' AND d."BATCH_DATE" < DATE '2025-10-01'
        ORDER BY d."RECORDNO" LIMIT 1`,
      )
    ).rows[0]!.RECORDNO;
    // A copy in April, the fiscal year's first month: September's opening becomes that copy's amount...
    await copyLine(line, { RECORDNO: `'incr-april'`, BATCH_DATE: `DATE '2025-04-02'` });
    const april = await updateAndCompare(['2025-04']);
    assert.equal(april.affected.length, 1);
    assert.equal(april.affected[0]!.fromPeriod, '2025-04-01');
    // ...and, after April 2026 would reset it, the rewritten rows stop at the ledger's end (December).
    assert.equal(april.rowsRewritten, 9);
    const opening = await client.query<{ o: string }>(`SELECT b."OPENING_BALANCE" AS o FROM ${incremental} b JOIN ${fx.glTable} d ON d."RECORDNO" = '${line}'
      AND ${DIMS.map((k) => `b."${k}" IS NOT DISTINCT FROM d."${k === 'ENTITY' ? 'CHILDENTITY' : k}"`).join(' AND ')} WHERE b."PERIOD" = DATE '2025-09-01'`);
    assert.notEqual(opening.rows[0]!.o, '0.00');
    // ...so changing the September line needs the carried opening.
    await client.query(`UPDATE ${fx.glTable} SET "DEBITAMOUNT" = "DEBITAMOUNT" + 5, "AMOUNT" = "AMOUNT" + 5 WHERE "RECORDNO" = '${line}'`);
    const september = await updateAndCompare(['2025-09']);
    assert.equal(september.rowsRewritten, 4);
    assert.equal((await updateGlBalances(client, incremental, src, OPTS, [])).rowsRewritten, 0, 'no months: nothing to do');
    await assert.rejects(updateGlBalances(client, incremental, src, OPTS, ['2025-13']), RangeError);
  });
});
