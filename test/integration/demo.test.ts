/**
 * The built-in demo (issue #4 acceptance 1): `ml-connector demo --json` starts both emulators,
 * syncs the sample company and prints, as its last line, the comparison of both sides.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareStream } from '../../main/demo';
import { defaultSettings } from '../../main/core/service/settings';
import { streamByName, streamDefinitions } from '../../main/core/streams/definitions';
import { runNodeScript } from '../helpers/run-node';

const runCli = (args: string[]) => runNodeScript('main/cli.ts', args);

describe('demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-demo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('converges: every stream of the Tableau emulator equals the Intacct emulator (keys and sums)', async () => {
    const r = await runCli(['--data-dir', dir, 'demo', '--json', '--gl-rows', '3000']);
    assert.equal(r.code, 0, r.stderr);
    const last = r.stdout.trim().split('\n').pop()!;
    const result = JSON.parse(last) as {
      ok: boolean;
      streams: { name: string; intacctRows: number; tableauRows: number; match: boolean }[];
      durationMs: number;
      apiTransactions: number;
      auditTrail: string;
    };
    assert.equal(result.ok, true, r.stderr);
    assert.equal(result.streams.length, streamDefinitions.length);
    for (const s of result.streams) {
      assert.equal(s.match, true, s.name);
      assert.ok(s.intacctRows > 0 && s.intacctRows === s.tableauRows, `${s.name}: ${s.intacctRows} vs ${s.tableauRows}`);
    }
    // 3,000 generated ACCRUAL lines plus the 3 the sample company creates with an empty WHENMODIFIED.
    assert.equal(result.streams.find((s) => s.name === 'gl_detail')?.intacctRows, 3003);
    assert.ok(result.apiTransactions > 9);
    assert.ok(result.durationMs > 0);
    assert.ok(existsSync(result.auditTrail), 'the audit trail database exists where the summary says');
  });

  it('match compares key sets and money sums, not counts', async () => {
    const def = streamByName('vendor');
    const settings = defaultSettings();
    const intacct = [
      { RECORDNO: '1', CREDITLIMIT: '10.00', TOTALDUE: '1.50' },
      { RECORDNO: '2', CREDITLIMIT: '20.00', TOTALDUE: '' },
    ];
    const same = await compareStream(def, settings, {
      intacctRecords: () => intacct,
      tableauRows: async () => [
        { RECORDNO: 2, CREDITLIMIT: '20.00', TOTALDUE: null },
        { RECORDNO: 1, CREDITLIMIT: '10.00', TOTALDUE: '1.50' },
      ],
    });
    assert.equal(same.match, true);
    const otherKey = await compareStream(def, settings, {
      intacctRecords: () => intacct,
      tableauRows: async () => [
        { RECORDNO: 1, CREDITLIMIT: '10.00', TOTALDUE: '1.50' },
        { RECORDNO: 3, CREDITLIMIT: '20.00', TOTALDUE: null },
      ],
    });
    assert.equal(otherKey.match, false);
    assert.equal(otherKey.intacctRows, otherKey.tableauRows, 'same counts, still no match');
    const offByACent = await compareStream(def, settings, {
      intacctRecords: () => intacct,
      tableauRows: async () => [
        { RECORDNO: 1, CREDITLIMIT: '10.01', TOTALDUE: '1.50' },
        { RECORDNO: 2, CREDITLIMIT: '20.00', TOTALDUE: null },
      ],
    });
    assert.equal(offByACent.match, false);
    assert.match(offByACent.problems.join(), /CREDITLIMIT/);
    const duplicate = await compareStream(def, settings, {
      intacctRecords: () => intacct,
      tableauRows: async () => [
        { RECORDNO: 1, CREDITLIMIT: '10.00', TOTALDUE: '1.50' },
        { RECORDNO: 1, CREDITLIMIT: '20.00', TOTALDUE: null },
      ],
    });
    assert.equal(duplicate.match, false);
  });
});
