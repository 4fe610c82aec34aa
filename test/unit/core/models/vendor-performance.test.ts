/** Vendor performance by month computed by hyperd from the bill-to-payment flow, against plain TypeScript from the sample company. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { ManualClock } from '../../../../main/core/clock';
import { SampleCompany } from '../../../../main/emulators/intacct/sample-company';
import type { IntacctRecord } from '../../../../main/emulators/intacct/object-catalog';
import { qualifiedName } from '../../../../main/core/models/gl-balances';
import { buildBillPaymentFlow } from '../../../../main/core/models/bill-payment-flow';
import { buildVendorPerformance, VENDOR_PERFORMANCE_COLUMNS } from '../../../../main/core/models/vendor-performance';
import { openReplica, type Replica } from './replica-fixture';
import { expectedFlow, expectedVendorPerformance, type VendorMonth } from './expected-ap';

const rep = (name: string) => qualifiedName('rep', 'replica', name);
const flow = qualifiedName('rep', 'models', 'bill_payment_flow');
const target = qualifiedName('rep', 'models', 'vendor_performance');

describe('vendor performance by month (hyperd) against the sample company', () => {
  let replica: Replica;
  let client: pg.Client;
  let bills: IntacctRecord[], details: IntacctRecord[], payments: IntacctRecord[];

  before(async () => {
    // Few vendors, so each has bills in several months.
    const company = new SampleCompany({ clock: new ManualClock(Date.UTC(2026, 0, 15)), glRows: 500, bills: 400, vendors: 12 });
    [bills, details, payments] = ['APBILL', 'APPYMTDETAIL', 'APPYMT'].map((o) => [...company.list(o)]) as [IntacctRecord[], IntacctRecord[], IntacctRecord[]];
    replica = await openReplica('vendor-perf-', { ap_bill: bills, ap_payment_detail: details, ap_payment: payments });
    client = replica.client;
  });
  after(() => replica?.close());

  /** Builds both models from the replica and compares vendor performance with the TypeScript computation from `bills`. */
  async function buildAndCompare(billRecords: IntacctRecord[]): Promise<VendorMonth[]> {
    await buildBillPaymentFlow(client, flow, { apBill: rep('ap_bill'), apPaymentDetail: rep('ap_payment_detail'), apPayment: rep('ap_payment') });
    const n = await buildVendorPerformance(client, target, flow);
    const r = await client.query<Record<string, unknown>>(`SELECT * FROM ${target}`);
    assert.deepEqual(
      Object.keys(r.rows[0]!),
      VENDOR_PERFORMANCE_COLUMNS.map((c) => c.name),
    );
    const key = (x: VendorMonth) => JSON.stringify([x.MEGAENTITYID, x.VENDORID, x.BASECURR, x.PERIOD]);
    const actual = r.rows
      .map((row) => {
        const { MEGAENTITYNAME: _e, VENDORNAME: _v, ...rest } = row;
        for (const f of ['BILL_COUNT', 'BILLS_SETTLED', 'BILLS_PAID_LATE']) rest[f] = Number(rest[f]);
        return rest as unknown as VendorMonth;
      })
      .sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const expected = expectedVendorPerformance(expectedFlow(billRecords, details, payments)).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    assert.equal(n, expected.length);
    assert.deepEqual(actual, expected);
    return expected;
  }

  it('has spend, bills, days to pay (average, median), share paid late and open balance per vendor and month, to the cent', async () => {
    const expected = await buildAndCompare(bills);
    const has = (p: (x: VendorMonth) => boolean, what: string) => assert.ok(expected.some(p), what);
    has((x) => x.BILLS_SETTLED >= 2 && x.BILLS_SETTLED % 2 === 0, 'an even number of settled bills (median of two middles)');
    has((x) => x.SHARE_PAID_LATE !== null && x.SHARE_PAID_LATE !== '0.0000' && x.SHARE_PAID_LATE !== '1.0000', 'a share paid late strictly between 0 and 1');
    has((x) => x.BILL_COUNT === 0 && x.OPEN_BALANCE !== '0.00', 'a month without bills that still carries an open balance');
    has((x) => x.BASECURR === 'CAD', 'a second base currency');
    has((x) => x.OPEN_BALANCE.startsWith('-'), 'a vendor whose credits exceed what is open');
    has((x) => x.CREDIT_APPLIED !== '0.00' && !x.CREDIT_APPLIED.startsWith('-'), 'a vendor credit applied to a bill');
  });

  it('a bill Intacct says is paid (TOTALDUE 0, e.g. a credit applied) is settled at its last payment and no longer open', async () => {
    const bill = bills.find((b) => b.STATE === 'Partially Paid' && details.filter((d) => d.RECORDKEY === b.RECORDNO).length > 0)!;
    assert.ok(bill, 'a partially paid bill');
    await client.query(`UPDATE ${rep('ap_bill')} SET "TOTALDUE" = 0 WHERE "RECORDNO" = ${Number(bill.RECORDNO)}`);
    const changed = bills.map((b) => (b === bill ? { ...b, TOTALDUE: '0' } : b));
    const expected = await buildAndCompare(changed);
    const settled = await client.query<{ d: string | null }>(
      `SELECT CAST(MAX("SETTLED_DATE") AS TEXT) AS d FROM ${flow} WHERE "BILL_RECORDNO" = ${Number(bill.RECORDNO)}`,
    );
    assert.notEqual(settled.rows[0]!.d, null);
    const month = `${settled.rows[0]!.d!.slice(0, 7)}-01`;
    const row = expected.find((x) => x.VENDORID === bill.VENDORID && x.PERIOD === month)!;
    assert.ok(row.BILLS_SETTLED >= 1);
  });
});
