import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { SampleCompany } from '../../../../main/emulators/intacct/sample-company';
import { selectGl, type GlOrder } from '../../../../main/emulators/intacct/gl-query';
import { compileFilter, compileOrder, type FilterNode } from '../../../../main/emulators/intacct/query-filter';
import { objectSpec } from '../../../../main/emulators/intacct/object-catalog';
import { formatDateTime, parseDateTime } from '../../../../main/emulators/intacct/intacct-dates';
import { seededRandom } from '../../../../main/core/util/seeded-random';
import { entityVisibility, type EntityVisibility } from '../../../../main/emulators/intacct/entity-visibility';
import { ENTITIES, LOCATIONS } from '../../../../main/emulators/intacct/sample-reference-data';
import type { IntacctRecord } from '../../../../main/emulators/intacct/object-catalog';

const gl = objectSpec('GLDETAIL')!;
const cmp = (op: string, field: string, ...values: string[]): FilterNode => ({ kind: 'cmp', op: op as never, field, values });
const and = (...children: FilterNode[]): FilterNode => ({ kind: 'and', children });
const or = (...children: FilterNode[]): FilterNode => ({ kind: 'or', children });
/** GLDETAIL has no MEGAENTITY* fields: a line belongs to the entity of its location ('' = top level). */
const ownerOf = (r: IntacctRecord) => {
  const loc = LOCATIONS.find((l) => l.id === r.LOCATIONID);
  return loc ? ENTITIES[loc.entity].id : '';
};

/**
 * The reference answer: scan every row, filter, sort, slice. `company.list` builds every row afresh
 * (about 0.1 s for 3,000 rows), so a check scans the rows it took once per state of the company.
 */
function bruteForce(all: readonly IntacctRecord[], filter: FilterNode | null, order: GlOrder, offset: number, size: number, vis?: EntityVisibility) {
  const matches = compileFilter(gl, filter, 0, false);
  const rows = all.filter((r) => matches(r) && (!vis || vis.sees(ownerOf(r))));
  rows.sort(compileOrder(gl, order === 'wm' ? [{ field: 'WHENMODIFIED', descending: false }] : [], false, 'RECORDNO'));
  return { total: rows.length, page: rows.slice(offset, offset + size).map((r) => r.RECORDNO) };
}

describe('gl-query fast path', () => {
  it('matches a full scan for keyset, range, book and date filters, before and after edits, adds and deletes', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 12, 0, 0));
    const company = new SampleCompany({ clock, glRows: 3000, seed: 7, vendors: 50, bills: 20 });
    const ledger = company.gl;
    const rnd = seededRandom(99);
    const first = ledger.firstRecordNo;
    // RECORDNO is TEXT (`<batch>-<entry>-<line>--<book>`): filters compare it with real keys.
    const key = (i: number) => ledger.baseKey(i);
    const wmAt = (i: number) => formatDateTime(ledger.wmOfIndex(i));
    const filters = (): (FilterNode | null)[] => {
      const i = Math.floor(rnd() * ledger.total);
      const j = Math.floor(rnd() * ledger.total);
      const t = wmAt(i);
      return [
        null,
        cmp('equalto', 'BOOKID', 'ACCRUAL'),
        and(
          cmp('equalto', 'BOOKID', 'ACCRUAL'),
          or(cmp('greaterthan', 'WHENMODIFIED', t), and(cmp('equalto', 'WHENMODIFIED', t), cmp('greaterthan', 'RECORDNO', key(i)))),
        ),
        and(
          cmp('equalto', 'BOOKID', 'CASH'),
          cmp('greaterthanorequalto', 'RECORDNO', key(Math.min(i, j))),
          cmp('lessthanorequalto', 'RECORDNO', key(Math.max(i, j))),
        ),
        and(cmp('in', 'BOOKID', 'ACCRUAL', 'CASH'), cmp('lessthan', 'WHENMODIFIED', t), cmp('notequalto', 'RECORDNO', key(j))),
        and(cmp('notequalto', 'BOOKID', 'CASH'), cmp('between', 'BATCH_DATE', wmAt(Math.min(i, j)).slice(0, 10), wmAt(Math.max(i, j)).slice(0, 10))),
        or(cmp('in', 'RECORDNO', key(i), key(j), `${key(ledger.total - 1)}x`), cmp('greaterthan', 'RECORDNO', key(ledger.total - 4))),
        and(cmp('equalto', 'BOOKID', 'ACCRUAL'), cmp('lessthanorequalto', 'WHENMODIFIED', formatDateTime(clock.now()))),
      ];
    };
    const check = (label: string) => {
      const all = [...company.list('GLDETAIL')];
      for (const filter of filters()) {
        for (const order of ['recordno', 'wm'] as const) {
          const pred = compileFilter(gl, filter, 0, false);
          const sel = selectGl(ledger, filter, order, pred, 0, false);
          assert.ok(sel, `fast path applies (${label})`);
          for (const [offset, size] of [
            [0, 7],
            [Math.floor(rnd() * 2500), 50],
            [2990, 100],
          ] as const) {
            const want = bruteForce(all, filter, order, offset, size);
            assert.equal(sel.total, want.total, `${label} total ${JSON.stringify(filter)} ${order}`);
            assert.deepEqual(
              sel.page(offset, size).map((r) => r.RECORDNO),
              want.page,
              `${label} page ${offset} ${JSON.stringify(filter)} ${order}`,
            );
          }
        }
      }
    };
    check('base');
    clock.advance(60_000);
    for (let k = 0; k < 25; k++) {
      const rno = first + Math.floor(rnd() * ledger.total);
      if (!company.get('GLDETAIL', rno)) continue;
      if (k % 3 === 0) company.remove('GLDETAIL', rno);
      else company.edit('GLDETAIL', rno, { AMOUNT: '1.23' });
      if (k % 4 === 0) company.add('GLDETAIL', { BOOKID: k % 8 === 0 ? 'CASH' : 'ACCRUAL', AMOUNT: '-1.23', BATCH_DATE: '01/15/2026', ACCOUNTNO: '1010' });
      if (k % 5 === 0) clock.advance(1000);
    }
    check('after changes');
  });

  it('restricts to the entities a session sees by arithmetic, exactly as a scan would, edits and entity moves included', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 12, 0, 0));
    const company = new SampleCompany({ clock, glRows: 2500, seed: 11, vendors: 50, bills: 20 });
    const ledger = company.gl;
    const rnd = seededRandom(5);
    const key = (i: number) => ledger.baseKey(i);
    const visibilities: [string, EntityVisibility][] = [
      ['top level', entityVisibility('', false)],
      ['top level + showprivate', entityVisibility('', true)],
      ['CA-HP session', entityVisibility('CA-HP', false)],
      ['US-HP session', entityVisibility('US-HP', true)],
    ];
    const check = (label: string) => {
      const rowsNow = [...company.list('GLDETAIL')];
      const i = Math.floor(rnd() * ledger.total);
      const t = formatDateTime(ledger.wmOfIndex(i));
      const filters: (FilterNode | null)[] = [
        null,
        cmp('equalto', 'BOOKID', 'ACCRUAL'),
        and(
          cmp('equalto', 'BOOKID', 'ACCRUAL'),
          or(cmp('greaterthan', 'WHENMODIFIED', t), and(cmp('equalto', 'WHENMODIFIED', t), cmp('greaterthan', 'RECORDNO', key(i)))),
        ),
        and(cmp('notequalto', 'BOOKID', 'ACCRUAL'), cmp('lessthan', 'RECORDNO', key(i))),
      ];
      for (const [name, vis] of visibilities) {
        for (const filter of filters) {
          for (const order of ['recordno', 'wm'] as const) {
            const pred = compileFilter(gl, filter, 0, false);
            const sel = selectGl(ledger, filter, order, pred, 0, false, vis);
            assert.ok(sel, `fast path applies (${label}, ${name})`);
            const all = bruteForce(rowsNow, filter, order, 0, 0, vis).total;
            for (const [offset, size] of [
              [0, 9],
              [Math.floor(rnd() * all), 40],
              [Math.max(0, all - 5), 50],
            ] as const) {
              const want = bruteForce(rowsNow, filter, order, offset, size, vis);
              assert.equal(sel.total, want.total, `${label} ${name} total ${JSON.stringify(filter)} ${order}`);
              assert.deepEqual(
                sel.page(offset, size).map((r) => r.RECORDNO),
                want.page,
                `${label} ${name} page ${offset} ${JSON.stringify(filter)} ${order}`,
              );
            }
          }
        }
      }
    };
    // Both entities own base rows in both books, so every category is exercised.
    const owners = new Set([...company.rows('GLDETAIL')].map((r) => `${ownerOf(r)}/${r.BOOKID}`));
    assert.deepEqual([...owners].sort(), ['CA-HP/ACCRUAL', 'CA-HP/CASH', 'US-HP/ACCRUAL', 'US-HP/CASH'], 'base rows cover every entity × book');
    check('base');
    clock.advance(60_000);
    const rows = [...company.rows('GLDETAIL')];
    const ca = rows.filter((r) => ownerOf(r) === 'CA-HP');
    const us = rows.filter((r) => ownerOf(r) === 'US-HP');
    company.edit('GLDETAIL', ca[10]!.RECORDNO!, { AMOUNT: '1.11' });
    company.edit('GLDETAIL', us[20]!.RECORDNO!, { AMOUNT: '2.22' });
    // An edit that moves a row to the other entity, or to the top level: its own LOCATIONID counts.
    company.edit('GLDETAIL', us[30]!.RECORDNO!, { LOCATIONID: 'MTL', LOCATIONNAME: 'Montréal Usine' });
    company.edit('GLDETAIL', ca[40]!.RECORDNO!, { LOCATIONID: '', LOCATIONNAME: '' });
    company.remove('GLDETAIL', ca[50]!.RECORDNO!);
    company.remove('GLDETAIL', us[60]!.RECORDNO!);
    company.add('GLDETAIL', { BOOKID: 'ACCRUAL', AMOUNT: '3.33', LOCATIONID: 'TRV' });
    company.add('GLDETAIL', { BOOKID: 'ACCRUAL', AMOUNT: '4.44' });
    company.add('GLDETAIL', { BOOKID: 'CASH', AMOUNT: '5.55', LOCATIONID: 'CLE' });
    check('after changes');
  });

  it('declines filters on other fields so the caller scans', () => {
    const company = new SampleCompany({ clock: new ManualClock(), glRows: 100, vendors: 10, bills: 5 });
    const filter = cmp('equalto', 'DEPARTMENTID', '100');
    assert.equal(selectGl(company.gl, filter, 'recordno', compileFilter(gl, filter, 0, false), 0, false), null);
  });

  it('keeps base WHENMODIFIED non-decreasing in RECORDNO', () => {
    const company = new SampleCompany({ clock: new ManualClock(), glRows: 2000, vendors: 10, bills: 5 });
    let prev = -Infinity;
    for (const r of company.rows('GLDETAIL')) {
      const t = parseDateTime(r.WHENMODIFIED!, 0)!;
      assert.ok(t >= prev);
      prev = t;
    }
  });
});
