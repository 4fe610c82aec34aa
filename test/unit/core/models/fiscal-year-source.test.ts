/** Resolving the fiscal year start from the entities' LOCATION.FIRSTMONTH, or the override. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFirstMonth, resolveFiscalYearStart, type LocationFiscalRow } from '../../../../main/core/models/fiscal-year-source';

const loc = (LOCATIONID: string, LOCATIONTYPE: string | null, FIRSTMONTH: string | null): LocationFiscalRow => ({ LOCATIONID, LOCATIONTYPE, FIRSTMONTH });

describe('fiscal year start from Sage Intacct', () => {
  it('reads a month number 1-12 and nothing else', () => {
    assert.deepEqual(['4', ' 12 ', '1', '0', '13', '', null, 'April', '4.0'].map(parseFirstMonth), [4, 12, 1, null, null, null, null, null, null]);
  });

  it('uses the month every entity agrees on, ignoring non-entity locations and entities without one', () => {
    const r = resolveFiscalYearStart('intacct', [loc('US', 'E', '10'), loc('CA', 'E', '10'), loc('UK', 'E', ''), loc('CLE', 'N', '3')]);
    assert.deepEqual(r, { startMonth: 10, source: 'intacct', note: 'October, the first fiscal month of entities CA, US in Sage Intacct.' });
  });

  it('refuses entities that disagree, naming each with its month', () => {
    const r = resolveFiscalYearStart('intacct', [loc('US', 'E', '4'), loc('CA', 'E', '7'), loc('MX', 'E', '4')]);
    assert.equal(r.startMonth, null);
    assert.match(r.note, /\(MX, US: April; CA: July\)/);
  });

  it('falls back to January with a note when no entity has one or the Locations stream is missing; an override wins', () => {
    assert.deepEqual([resolveFiscalYearStart('intacct', [loc('US', 'E', null)]).startMonth, resolveFiscalYearStart('intacct', []).source], [1, 'default']);
    assert.match(resolveFiscalYearStart('intacct', null).note, /Locations stream.* is not in the local replica/);
    assert.deepEqual(resolveFiscalYearStart(2, [loc('US', 'E', '4')]).startMonth, 2);
  });
});
