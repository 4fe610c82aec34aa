import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runPercent, trayView } from '../../main/electron/tray-view';
import { baseStatus } from './helpers/fake-service';

const fmt = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe('trayView', () => {
  it('shows idle with last and next sync times', () => {
    const v = trayView(
      baseStatus({
        lastRun: {
          runId: 'r',
          trigger: 'manual',
          startedAt: 0,
          finishedAt: Date.UTC(2026, 0, 1, 9, 5),
          outcome: 'succeeded',
          rowsMoved: 1,
          durationMs: 1,
          apiTransactions: 1,
          error: null,
        },
      }),
      fmt,
    );
    assert.equal(v.icon, 'idle');
    assert.match(v.tooltip, /Last sync: 09:05/);
    assert.match(v.tooltip, /Next sync: 18:00/);
    assert.equal(v.menu[0]!.action, 'sync-now');
  });

  it('shows the last error and the error icon', () => {
    const v = trayView(baseStatus({ state: 'error', lastError: { message: 'Tableau rejected the personal access token.', service: 'tableau' } }), fmt);
    assert.equal(v.icon, 'error');
    assert.match(v.tooltip, /Last sync failed: Tableau rejected/);
  });

  it('offers cancel with overall progress while syncing', () => {
    const s = baseStatus({
      state: 'syncing',
      currentRun: {
        runId: 'r',
        startedAt: 0,
        progress: [
          { stream: 'gl_account', phase: 'done', rowsDone: 10, rowsExpected: 10 },
          { stream: 'gl_detail', phase: 'reading', rowsDone: 0, rowsExpected: 1000 },
        ],
      },
    });
    assert.equal(runPercent(s), 50);
    const v = trayView(s, fmt);
    assert.equal(v.icon, 'syncing');
    // The progress line is no button (a click on it cancelled the run); Cancel sync… is its own item.
    assert.deepEqual(v.menu[0], { label: 'Syncing 50%', enabled: false });
    assert.deepEqual(v.menu[1], { label: 'Cancel sync…', action: 'cancel-sync', enabled: true });
  });

  it('disables Sync now until the app is set up, and keeps tooltips within 127 characters', () => {
    const v = trayView(baseStatus({ state: 'not-configured', lastError: { message: 'x'.repeat(500), service: 'local' } }), fmt);
    assert.equal(v.menu[0]!.enabled, false);
    assert.ok(v.tooltip.length <= 127);
  });
});
