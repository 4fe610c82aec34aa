/** CLI usage errors exit 2 and an empty history says so (issue #14, CLI paragraph). */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dataDir = mkdtempSync(join(tmpdir(), 'mlc-cli-usage-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'main/cli.ts', '--data-dir', dataDir, ...args], { encoding: 'utf8', env: { ...process.env, COLUMNS: '60' } });

describe('CLI usage', () => {
  it('runs --limit abc is a usage error: exit 2 and a sentence naming the option', () => {
    const r = cli('runs', '--limit', 'abc');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--limit must be a whole number/);
  });

  it('runs with no history says "No runs yet."', () => {
    const r = cli('runs');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'No runs yet.');
  });
});
