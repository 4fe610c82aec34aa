/** The bill-to-payment flow computed by hyperd from a replica of the sample company's AP, against plain TypeScript. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { ManualClock } from '../../../../main/core/clock';
import { SampleCompany } from '../../../../main/emulators/intacct/sample-company';
import type { IntacctRecord } from '../../../../main/emulators/intacct/object-catalog';
import { qualifiedName } from '../../../../main/core/models/gl-balances';
import { BILL_PAYMENT_COLUMNS, buildBillPaymentFlow } from '../../../../main/core/models/bill-payment-flow';
import { openReplica, type Replica } from './replica-fixture';
import { expectedFlow, flowRowOf } from './expected-ap';

const rep = (name: string) => qualifiedName('rep', 'replica', name);
const target = qualifiedName('rep', 'models', 'bill_payment_flow');
const sources = { apBill: rep('ap_bill'), apPaymentDetail: rep('ap_payment_detail'), apPayment: rep('ap_payment') };

describe('bill-to-payment flow (hyperd) against the sample company', () => {
  let replica: Replica;
  let client: pg.Client;
  let bills: IntacctRecord[], details: IntacctRecord[], payments: IntacctRecord[];

  before(async () => {
    const company = new SampleCompany({ clock: new ManualClock(Date.UTC(2026, 0, 15)), glRows: 500, bills: 400 });
    [bills, details, payments] = ['APBILL', 'APPYMTDETAIL', 'APPYMT'].map((o) => [...company.list(o)]) as [IntacctRecord[], IntacctRecord[], IntacctRecord[]];
    replica = await openReplica('bill-payment-', { ap_bill: bills, ap_payment_detail: details, ap_payment: payments });
    client = replica.client;
  });
  after(() => replica?.close());

  const order = (r: { BILL_RECORDNO: number; PAYMENT_SEQ: number | null }) => r.BILL_RECORDNO * 1000 + (r.PAYMENT_SEQ ?? 0);

  it('has each bill with its payments in order, days to pay, timing, discounts and partial payments, to the cent', async () => {
    const n = await buildBillPaymentFlow(client, target, sources);
    const r = await client.query<Record<string, unknown>>(`SELECT * FROM ${target}`);
    assert.deepEqual(
      Object.keys(r.rows[0]!),
      BILL_PAYMENT_COLUMNS.map((c) => c.name),
    );
    const actual = r.rows.map(flowRowOf).sort((a, b) => order(a) - order(b));
    const expected = expectedFlow(bills, details, payments).sort((a, b) => order(a) - order(b));
    assert.equal(n, expected.length);
    assert.deepEqual(actual, expected);
    // What the model promises is exercised by the sample company.
    const has = (p: (x: (typeof expected)[number]) => boolean, what: string) => assert.ok(expected.some(p), what);
    has((x) => x.PAYMENTKEY === null, 'a bill without payments');
    has((x) => x.IS_PARTIAL === true, 'a partial payment');
    has((x) => x.IS_PARTIAL === true && x.SETTLED_DATE === null, 'a bill still partially paid');
    has((x) => (x.PAYMENT_SEQ ?? 0) >= 2 && x.IS_PARTIAL === false, 'a bill settled by its second payment');
    for (const t of ['early', 'on time', 'late'] as const) has((x) => x.BILL_TIMING === t, `a bill paid ${t}`);
    has((x) => x.DISCOUNT_TAKEN !== '0.00' && x.SETTLED_DATE !== null && x.APPLIED_AMOUNT !== x.TOTALENTERED, 'a discount taken that settles the bill');
    has((x) => x.BASECURR === 'CAD', 'a second base currency');
    has((x) => x.TOTALENTERED.startsWith('-') && x.PAYMENT_COUNT === 0 && x.REMAINING_AFTER === x.TOTALENTERED, 'an unapplied vendor credit (negative bill)');
    // A vendor credit applied inline: the bill it reduced is settled with less cash, the credit is used up.
    const applied = expected.filter((x) => !x.TOTALENTERED.startsWith('-') && x.CREDIT_APPLIED !== '0.00');
    assert.ok(applied.length > 0, 'a credit applied to a bill');
    for (const a of applied) {
      assert.ok(a.SETTLED_DATE !== null, `bill ${a.BILL_RECORDNO} settled`);
      const credit = expected.find((x) => x.PAYMENTKEY === a.PAYMENTKEY && x.TOTALENTERED.startsWith('-') && x.CREDIT_APPLIED.startsWith('-'));
      assert.ok(
        credit && credit.SETTLED_DATE === a.PAYMENTDATE && credit.REMAINING_AFTER === '0.00',
        `the credit applied to bill ${a.BILL_RECORDNO} is used up`,
      );
    }
  });
});
