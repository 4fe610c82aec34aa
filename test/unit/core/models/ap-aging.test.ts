/** AP aging snapshots computed by hyperd from a replica of the sample company's bills, against plain TypeScript. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { ManualClock } from '../../../../main/core/clock';
import { SampleCompany } from '../../../../main/emulators/intacct/sample-company';
import type { IntacctRecord } from '../../../../main/emulators/intacct/object-catalog';
import { qualifiedName } from '../../../../main/core/models/gl-balances';
import { checkApAgingTotal, writeApAgingSnapshot } from '../../../../main/core/models/ap-aging';
import { openReplica, type Replica } from './replica-fixture';
import { expectedAging } from './expected-ap';

describe('AP aging snapshot (hyperd) against the sample company', () => {
  let replica: Replica;
  let client: pg.Client;
  let bills: IntacctRecord[];
  const billTable = qualifiedName('rep', 'replica', 'ap_bill');
  const target = qualifiedName('rep', 'models', 'ap_aging');

  before(async () => {
    bills = [...new SampleCompany({ clock: new ManualClock(Date.UTC(2026, 0, 15)), glRows: 500, bills: 400 }).list('APBILL')];
    replica = await openReplica('ap-aging-', { ap_bill: bills });
    client = replica.client;
  });
  after(() => replica?.close());

  it('holds exactly the open bills with days past due and bucket, and its total equals the open amounts due', async () => {
    const snapshot = '2026-01-15';
    const n = await writeApAgingSnapshot(client, target, billTable, snapshot, 90);
    const expected = expectedAging(bills, snapshot);
    const r = await client.query(
      `SELECT "RECORDNO", "VENDORID", "MEGAENTITYID", "DAYS_PAST_DUE", "AGING_BUCKET", "TOTALDUE" FROM ${target} WHERE "SNAPSHOT_DATE" = DATE '${snapshot}' ORDER BY "RECORDNO"`,
    );
    assert.equal(n, expected.length);
    assert.deepEqual(
      r.rows.map((x) => ({ ...x, RECORDNO: Number(x.RECORDNO), DAYS_PAST_DUE: x.DAYS_PAST_DUE === null ? null : Number(x.DAYS_PAST_DUE) })),
      expected,
    );
    assert.ok(new Set(expected.map((e) => e.AGING_BUCKET)).size >= 3, 'several buckets are exercised');
    const check = await checkApAgingTotal(client, target, billTable, snapshot);
    assert.equal(check.ok, true, JSON.stringify(check));
    assert.ok(check.totals.length >= 2);
  });

  it('keeps older snapshots within the retention, drops the rest, and a wrong snapshot total is a break', async () => {
    await writeApAgingSnapshot(client, target, billTable, '2025-12-01', 90);
    await writeApAgingSnapshot(client, target, billTable, '2026-01-15', 30);
    const dates = await client.query(`SELECT DISTINCT CAST("SNAPSHOT_DATE" AS TEXT) AS d FROM ${target} ORDER BY 1`);
    assert.deepEqual(
      dates.rows.map((x) => x.d),
      ['2026-01-15'],
    );
    await client.query(`DELETE FROM ${target} WHERE "RECORDNO" = (SELECT MIN("RECORDNO") FROM ${target})`);
    assert.equal((await checkApAgingTotal(client, target, billTable, '2026-01-15')).ok, false);
  });
});
