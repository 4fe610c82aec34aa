/**
 * Deletion marks move with the deletion batch they describe (checkpoint.ts `deletionsApplied`):
 * a key reconciliation whose deletion batch Tableau did not apply is not counted as done, so the
 * next run reconciles again instead of waiting out `reconcileIntervalMs` with the deleted records
 * still in Tableau.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { ApiError } from '../../../../main/core/errors';
import { openStore } from '../../../../main/core/store';
import { openLedger } from '../../../../main/core/sync/ledger';
import { runSync, type RunDeps } from '../../../../main/core/sync/run-sync';
import { defaultSettings } from '../../../../main/core/service/settings';
import { FakeSource, FakeTableau, defOf, seedCompany } from './fakes';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('deletion marks', () => {
  it('a reconciliation whose deletion batch failed is repeated by the next run, even within the interval', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
    const source = new FakeSource(() => clock.now());
    seedCompany(source, 10);
    clock.advance(60_000);
    const tableau = new FakeTableau();
    const dir = mkdtempSync(join(tmpdir(), 'mlc-deletions-'));
    dirs.push(dir);
    const store = openStore(join(dir, 'connector.sqlite'), { clock });
    const ledger = openLedger(store.database);
    const hour = 3600_000;
    const deps: RunDeps = {
      clock,
      settings: defaultSettings(),
      source,
      target: tableau,
      load: tableau.load,
      writePayload: tableau.writePayload,
      store,
      ledger,
      workDir: join(dir, 'payloads'),
      // Every stream counts as large: reconciliation runs at most once per 24 hours.
      options: { reconcileEveryRunUpToRows: 0, reconcileIntervalMs: 24 * hour },
    };
    let n = 0;
    const run = () => runSync(deps, { runId: `run-${++n}`, trigger: 'manual', streams: ['ap_bill_line'] });
    assert.equal((await run()).outcome, 'succeeded');

    clock.advance(25 * hour);
    const gone = [...source.table('APBILLITEM').keys()][3]!;
    source.remove('APBILLITEM', gone);
    tableau.failLoad = (_n, b) => (b.deleteFile ? new ApiError({ service: 'tableau', userMessage: 'Job failed: the site is read-only' }) : null);
    const failed = await run();
    assert.equal(failed.outcome, 'failed');
    assert.equal(ledger.hashes('ap_bill_line', [String(gone)]).size, 1, 'Tableau still holds the deleted line');

    tableau.failLoad = null;
    clock.advance(hour);
    const next = await run();
    assert.equal(next.outcome, 'succeeded', JSON.stringify(next.error));
    assert.equal(next.streams[0]!.rowsDeleted, 1);
    assert.equal(ledger.hashes('ap_bill_line', [String(gone)]).size, 0);
    assert.equal(
      tableau.rows(defOf('ap_bill_line').target.datasource).some((r) => Number(r.RECORDNO) === gone),
      false,
    );
    store.close();
  });
});
