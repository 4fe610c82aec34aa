/**
 * The benchmarks still run, on tiny inputs, and print their JSON line last. bench:tableau had
 * stopped running for a while (its generated rows still had a numeric RECORDNO after GL detail's
 * became text, and its reference load read a file the engine no longer may) and nothing noticed:
 * its figures are only read by people. The targets are not checked here (speed belongs in the
 * benches themselves), only that each finishes and says what it measured.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

function lastJson(script: string, args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

describe('the benchmarks run', () => {
  it('bench:tableau writes, loads and uploads a small GL detail payload', () => {
    const r = lastJson('scripts/bench-tableau.ts', ['--rows', '3000', '--repeat', '1']);
    assert.equal(r.rows, 3000);
    for (const k of ['hyperWriteSec', 'hyperdCsvLoadSec', 'writeRatio', 'fileMb', 'uploadApplySec', 'peakRssMb']) assert.equal(typeof r[k], 'number', k);
  });

  it('bench:intacct reads a small company live and from repeated answers, and times parse-only', () => {
    const r = lastJson('scripts/bench-intacct.ts', ['--gl-rows', '6000', '--latency-ms', '20', '--sample-pages', '2']);
    assert.ok(typeof r.rows === 'number' && r.rows >= 6000, `rows ${String(r.rows)}`);
    for (const k of ['noLatencyRowsPerSec', 'noLatencyLiveRowsPerSec', 'parseOnlyRowsPerSec', 'latencyRowsPerSec', 'peakRssMb'])
      assert.equal(typeof r[k], 'number', k);
    const repeated = r.repeatedAnswers as { reused: number; made: number };
    assert.ok(repeated.reused > 0, 'the second read was answered from kept pages');
  });
});
