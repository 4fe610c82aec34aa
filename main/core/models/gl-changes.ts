/**
 * Which months of the GL balances model a run's changes touched (issue 15, acceptance 3), found by
 * comparing the replica with the previous build rather than by tracking the sync's batches: the
 * activity of every balance row (Σ signed base amount and number of lines per entity × base
 * currency × account × department × location × class × month) is re-aggregated from GL detail and
 * compared with the stored NET_CHANGE and LINE_COUNT. A month differs exactly when a line was added,
 * removed, changed in amount or moved between combinations or months in it, whichever run did it
 * (a run whose model stage failed leaves nothing behind to catch up). One aggregate over GL detail
 * (hyperd scans a million lines in well under a second); only those months are then recomputed
 * (gl-balances-incremental.ts). Account titles and types are not in that comparison: a change in
 * GL accounts is found by its own fingerprint and rebuilds in full.
 */
import { GL_BALANCE_DIMS, glLinesSql, type SqlClient } from './gl-balances';

const DIM_NAMES = GL_BALANCE_DIMS.split(', ');
const same = (x: string, y: string) => DIM_NAMES.map((d) => `${x}.${d} IS NOT DISTINCT FROM ${y}.${d}`).join(' AND ');

/** One entity × base currency × account × month whose activity changed since the previous build. */
export interface GlActivityChange {
  /** YYYY-MM-01. */
  period: string;
  entity: string | null;
  baseCurrency: string | null;
  accountNo: string;
}

/** At most this many changes are listed (the months are always complete). */
export const MAX_LISTED_CHANGES = 1000;

/**
 * The months (YYYY-MM-01, sorted) whose activity in `glDetail` differs from the balances table
 * `balances`, and the accounts that differ in them (entity × base currency × account × month, at most
 * MAX_LISTED_CHANGES): a line removed from the replica leaves no trace in it, so this is how the
 * trial balance check can still name its account.
 */
export async function changedGlActivity(client: SqlClient, glDetail: string, balances: string): Promise<{ months: string[]; changes: GlActivityChange[] }> {
  const r = await client.query<{ p: string; ENTITY: string | null; BASECURR: string | null; ACCOUNTNO: string }>(`
    WITH a AS (SELECT ${GL_BALANCE_DIMS}, "PERIOD", SUM("NET") AS n, COUNT(*) AS c FROM (${glLinesSql(glDetail)}) l GROUP BY ${GL_BALANCE_DIMS}, "PERIOD"),
         o AS (SELECT ${GL_BALANCE_DIMS}, "PERIOD", "NET_CHANGE" AS n, "LINE_COUNT" AS c FROM ${balances} WHERE "LINE_COUNT" > 0)
    SELECT DISTINCT CAST(COALESCE(a."PERIOD", o."PERIOD") AS TEXT) AS p, COALESCE(a."ENTITY", o."ENTITY") AS "ENTITY",
           COALESCE(a."BASECURR", o."BASECURR") AS "BASECURR", COALESCE(a."ACCOUNTNO", o."ACCOUNTNO") AS "ACCOUNTNO"
      FROM a FULL OUTER JOIN o ON ${same('a', 'o')} AND a."PERIOD" = o."PERIOD"
     WHERE COALESCE(a.n, 0) <> COALESCE(o.n, 0) OR COALESCE(a.c, 0) <> COALESCE(o.c, 0)
     ORDER BY 1, 4, 2, 3`);
  const months = [...new Set(r.rows.map((x) => x.p))];
  const changes = r.rows.slice(0, MAX_LISTED_CHANGES).map((x) => ({ period: x.p, entity: x.ENTITY, baseCurrency: x.BASECURR, accountNo: x.ACCOUNTNO }));
  return { months, changes };
}

/** A fingerprint of what the balances take from GL accounts (number, title, type, category, normal balance). */
export async function glAccountFingerprint(client: SqlClient, glAccount: string): Promise<string> {
  const r = await client.query<{ f: string | null; n: string | number }>(`
    SELECT md5(COALESCE(STRING_AGG(CONCAT("ACCOUNTNO", '|', COALESCE("TITLE", '~'), '|', COALESCE("ACCOUNTTYPE", '~'), '|',
                                          COALESCE("CATEGORY", '~'), '|', COALESCE("NORMALBALANCE", '~')), ';' ORDER BY "ACCOUNTNO", "TITLE"), '')) AS f,
           COUNT(*) AS n
      FROM ${glAccount}`);
  return `${r.rows[0]!.n}:${r.rows[0]!.f ?? ''}`;
}
