import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { SampleCompany } from '../../../../main/emulators/intacct/sample-company';
import { decimalToUnits, unitsToDecimal } from '../../../../main/emulators/intacct/sample-hash';
import { objectSpec } from '../../../../main/emulators/intacct/object-catalog';
import { streamDefinitions } from '../../../../main/core/streams/definitions';

const make = (glRows = 3001, seed = 42) => new SampleCompany({ clock: new ManualClock(Date.UTC(2026, 0, 15)), glRows, seed, vendors: 400, bills: 300 });

describe('SampleCompany', () => {
  it('has exactly glRows ACCRUAL rows, some CASH rows, a few without WHENMODIFIED, and balanced batches per book', () => {
    const c = make();
    const byBatch = new Map<string, bigint>();
    let accrual = 0;
    let cash = 0;
    let blank = 0;
    for (const r of c.rows('GLDETAIL')) {
      // Rows created without a WHENMODIFIED come on top of the generated ones.
      if (r.WHENMODIFIED === '') blank++;
      else if (r.BOOKID === 'ACCRUAL') accrual++;
      else cash++;
      const k = `${r.BOOKID}:${r.BATCHKEY}`;
      byBatch.set(k, (byBatch.get(k) ?? 0n) + decimalToUnits(r.AMOUNT!));
      assert.equal(decimalToUnits(r.DEBITAMOUNT!) - decimalToUnits(r.CREDITAMOUNT!), decimalToUnits(r.AMOUNT!));
    }
    assert.equal(accrual, 3001);
    assert.ok(cash > 300);
    assert.ok(blank > 0 && blank < 10, `${blank} GL rows without WHENMODIFIED`);
    for (const [k, sum] of byBatch) assert.equal(sum, 0n, `batch ${k} balances`);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = [...make(500, 1).rows('GLDETAIL')].slice(0, 50);
    const b = [...make(500, 1).rows('GLDETAIL')].slice(0, 50);
    const c = [...make(500, 2).rows('GLDETAIL')].slice(0, 50);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('has every source field the stream definitions select, and MEGAENTITY* only where Intacct has them', () => {
    const c = make(200);
    for (const def of streamDefinitions) {
      const spec = objectSpec(def.intacctObject)!;
      assert.ok(spec, def.intacctObject);
      const first = c.rows(def.intacctObject).next().value!;
      for (const col of def.columns) {
        assert.ok(
          spec.fields.some((f) => f.id === col.source),
          `${def.intacctObject}.${col.source} is in lookup`,
        );
        assert.ok(col.source in first, `${def.intacctObject}.${col.source} is in records`);
      }
    }
    // docs/reference/intacct-objects.md "Entity fields": MEGAENTITYKEY/ID/NAME on these four only;
    // GL and bill lines belong to the entity of their LOCATIONID.
    for (const o of ['GLACCOUNT', 'VENDOR', 'APBILL', 'APPYMT'])
      assert.ok(
        objectSpec(o)!.fields.some((f) => f.id === 'MEGAENTITYID'),
        o,
      );
    for (const o of ['GLDETAIL', 'APBILLITEM', 'DEPARTMENT', 'LOCATION', 'APPYMTDETAIL'])
      assert.ok(!objectSpec(o)!.fields.some((f) => f.id.startsWith('MEGAENTITY')), `${o} has no MEGAENTITY*`);
    for (const o of ['GLDETAIL', 'APBILLITEM'])
      assert.ok(
        objectSpec(o)!.fields.some((f) => f.id === 'LOCATIONID'),
        `${o}.LOCATIONID`,
      );
  });

  it('links payments to bills with partial payments, and vendors with awkward names', () => {
    const c = make(200);
    const bills = new Map([...c.rows('APBILL')].map((b) => [b.RECORDNO!, b]));
    const paid = new Map<string, bigint>();
    for (const d of c.rows('APPYMTDETAIL')) {
      assert.ok(bills.has(d.RECORDKEY!), 'detail points at a bill');
      assert.ok(c.get('APPYMT', Number(d.PAYMENTKEY)), 'detail points at a payment');
      paid.set(d.RECORDKEY!, (paid.get(d.RECORDKEY!) ?? 0n) + decimalToUnits(d.PAYMENTAMOUNT!));
    }
    let partial = 0;
    for (const [rno, b] of bills) {
      assert.equal(paid.get(rno) ?? 0n, decimalToUnits(b.TOTALPAID!), `bill ${rno} paid total`);
      if (b.STATE === 'Partially Paid') partial++;
    }
    assert.ok(partial > 0);
    const names = [...c.rows('VENDOR')].map((v) => v.NAME!);
    assert.ok(names.length >= 400);
    assert.ok(
      names.some((n) => n.includes('&')) &&
        names.some((n) => n.includes('"')) &&
        names.some((n) => /[^\x00-\x7f]/.test(n)) &&
        names.some((n) => n.includes(',')),
    );
    assert.equal(new Set(names).size, names.length);
  });

  it('edits, adds and deletes GL rows and sums amounts exactly', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 15));
    const c = new SampleCompany({ clock, glRows: 1000, vendors: 20, bills: 10 });
    const before = decimalToUnits(c.sumAmounts());
    const accrualBefore = c.count('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL');
    // The first generated row (rows added later, such as those without WHENMODIFIED, sort first).
    const first = c.list('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL' && /^\d{6}-/.test(r.RECORDNO!)).next().value!;
    clock.advance(5000);
    // GLDETAIL keys are text (`<batch>-<entry>-<line>--<book>`): edits and removals take them as is.
    c.edit('GLDETAIL', first.RECORDNO!, { AMOUNT: unitsToDecimal(decimalToUnits(first.AMOUNT!) + 1n) });
    const added = c.add('GLDETAIL', { BOOKID: 'ACCRUAL', AMOUNT: '100.10' });
    assert.match(added, /^\d{7}-\d+-\d+--accrual$/);
    // A later batch's 7-digit key sorts before the 6-digit base keys as text: RECORDNO order is not creation order.
    assert.ok(added < first.RECORDNO!);
    const order = [...c.rows('GLDETAIL')].map((r) => r.RECORDNO);
    assert.ok(order.indexOf(added) >= 0 && order.indexOf(added) < order.indexOf(first.RECORDNO), 'listed in RECORDNO (text) order');
    assert.equal(decimalToUnits(c.sumAmounts()), before + 1n + 10010n);
    assert.equal(c.get('GLDETAIL', first.RECORDNO!)!.WHENMODIFIED, '01/15/2026 00:00:05');
    assert.equal(c.get('GLDETAIL', added)!.WHENMODIFIED, '01/15/2026 00:00:05');
    const empty = c.add('GLDETAIL', { BOOKID: 'ACCRUAL', AMOUNT: '0.01' }, { whenModified: null });
    assert.equal(c.get('GLDETAIL', empty)!.WHENMODIFIED, '');
    c.remove('GLDETAIL', added);
    c.remove('GLDETAIL', empty);
    assert.equal(c.get('GLDETAIL', added), undefined);
    assert.equal(
      c.count('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL'),
      accrualBefore,
    );
    assert.equal(
      c.count('GLDETAIL', (r) => r.BOOKID === 'ACCRUAL' && r.WHENMODIFIED !== ''),
      1000,
    );
    assert.equal(decimalToUnits(c.sumAmounts()), before + 1n);
  });
});
