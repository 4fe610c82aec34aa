/**
 * A short crash test (issue #4 acceptance 3; the full one is `npm run crash-test`, 20 kills):
 * `ml-connector sync` is SIGKILLed at random points of 4 runs against the emulators, with Intacct
 * edited between runs; after one run that finishes, Tableau equals Intacct (no duplicate, no
 * missing row, sums to the cent) and the audit trail accounts for every row.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runNodeScript } from '../helpers/run-node';
import { streamDefinitions } from '../../main/core/streams/definitions';

describe('crash test (short)', () => {
  it('converges after repeated SIGKILLs, with an audit entry for every row', { timeout: 180_000 }, async () => {
    const r = await runNodeScript('scripts/crash-test.ts', ['--kills', '4', '--gl-rows', '2000', '--max-kill-ms', '4000', '--seed', '3']);
    const last = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
      ok: boolean;
      killedMidRun: number;
      auditOk: boolean;
      duplicateRequestIds: number;
      streams: { name: string; match: boolean }[];
    };
    assert.equal(last.ok, true, r.stderr);
    assert.ok(last.killedMidRun >= 1, 'at least one run was killed mid-way');
    assert.equal(last.auditOk, true);
    assert.equal(last.duplicateRequestIds, 0);
    assert.equal(last.streams.length, streamDefinitions.length);
    assert.equal(r.code, 0);
  });
});
