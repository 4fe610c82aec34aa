/**
 * Where the models' fiscal year start comes from (issue 15, model 1: "fiscal year start from
 * Intacct's company setup, with a setting to override").
 *
 * Evidence: the recorded LOCATION object has FIRSTMONTH ("First fiscal month", TEXT, valid values
 * "1..12" or null) and LOCATIONTYPE (E entity, N, C), and a recorded query returned FIRSTMONTH as a
 * month number (docs/reference/intacct-objects.json, object LOCATION, and docs/reference/
 * intacct-exchanges.md, the LOCATION query). No company-preferences object was recorded, so the
 * entities' FIRSTMONTH is the only place the connector can read it.
 * UNCONFIRMED: that an entity's FIRSTMONTH is the fiscal year its GL reports use (the catalog only
 * labels it "First fiscal month"), and what a non-entity location's FIRSTMONTH means (it is ignored).
 *
 * Resolution, with the setting on "From Sage Intacct":
 * - every entity-type location with a FIRSTMONTH agrees: that month;
 * - none has one (or the Locations stream is not in the replica): January, with a note saying so and
 *   how to override;
 * - entities disagree: no month, so the GL models are not built, with a warning naming the entities
 *   and the override. Computing per entity was the alternative, but the P&L and balance sheet are
 *   consolidated views across entities and the net-income check compares fiscal years across them;
 *   a mix of fiscal years in one data source would be easy to chart wrongly, and the catalog does not
 *   prove FIRSTMONTH is the GL's fiscal year (above), so the connector refuses rather than guess.
 */
import type { FiscalYearStartSetting, FiscalYearUsed } from '../../../shared/models';
import type { SqlClient } from './gl-balances';

/** One location as the replica holds it (the location stream's columns). */
export interface LocationFiscalRow {
  LOCATIONID: string;
  LOCATIONTYPE: string | null;
  FIRSTMONTH: string | null;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "April" for 4. */
export const monthName = (m: number): string => MONTHS[m - 1] ?? String(m);

const OVERRIDE_HOW = 'choose the month in Settings › Finance models › Fiscal year starts in to override';

/** A FIRSTMONTH value as a month 1–12, or null (empty, or not a month number). */
export function parseFirstMonth(text: string | null): number | null {
  const t = text?.trim() ?? '';
  if (!/^\d{1,2}$/.test(t)) return null;
  const m = Number(t);
  return m >= 1 && m <= 12 ? m : null;
}

/**
 * The fiscal year start to use: the setting when it is a month, else from the entity-type locations
 * (`locations` null: the Locations stream is not in the replica).
 */
export function resolveFiscalYearStart(setting: FiscalYearStartSetting, locations: readonly LocationFiscalRow[] | null): FiscalYearUsed {
  if (setting !== 'intacct') {
    return { startMonth: setting, source: 'override', note: `${monthName(setting)}, set in Settings › Finance models (overrides Sage Intacct).` };
  }
  if (locations === null) {
    return {
      startMonth: 1,
      source: 'default',
      note: `January: the Locations stream, which carries each entity's first fiscal month, is not in the local replica. Turn it on in Settings › Streams, or ${OVERRIDE_HOW}.`,
    };
  }
  const byMonth = new Map<number, string[]>();
  for (const l of locations) {
    if (l.LOCATIONTYPE !== 'E') continue;
    const m = parseFirstMonth(l.FIRSTMONTH);
    if (m !== null) byMonth.set(m, [...(byMonth.get(m) ?? []), l.LOCATIONID]);
  }
  if (byMonth.size === 0) {
    return { startMonth: 1, source: 'default', note: `January: no entity in Sage Intacct has a first fiscal month (LOCATION.FIRSTMONTH); ${OVERRIDE_HOW}.` };
  }
  if (byMonth.size === 1) {
    const [[m, ids]] = [...byMonth.entries()] as [[number, string[]]];
    return {
      startMonth: m,
      source: 'intacct',
      note: `${monthName(m)}, the first fiscal month of ${ids.length === 1 ? 'entity' : 'entities'} ${ids.sort().join(', ')} in Sage Intacct.`,
    };
  }
  const parts = [...byMonth.entries()].sort((a, b) => a[0] - b[0]).map(([m, ids]) => `${ids.sort().join(', ')}: ${monthName(m)}`);
  return {
    startMonth: null,
    source: 'intacct',
    note: `The entities' fiscal years start in different months in Sage Intacct (${parts.join('; ')}), so the GL balances, P&L and balance sheet were not built; ${OVERRIDE_HOW}.`,
  };
}

/** The replica's locations (table `table`, the location stream) with the fields the resolution reads. */
export async function readLocationFiscalRows(client: SqlClient, table: string): Promise<LocationFiscalRow[]> {
  const r = await client.query<LocationFiscalRow>(`SELECT "LOCATIONID", "LOCATIONTYPE", "FIRSTMONTH" FROM ${table}`);
  return r.rows;
}
