#!/usr/bin/env node
// Runs the test files with Node's own test runner (TypeScript through tsx).
// `--e2e` runs only the browser tests (test/e2e); the default runs everything, browser tests last.
// Node 20's --test takes no globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const e2eOnly = args.includes('--e2e');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let files = walk('test').sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
const e2e = files.filter((f) => f.startsWith('test/e2e/'));
const rest = files.filter((f) => !f.startsWith('test/e2e/'));
const groups = e2eOnly ? [e2e] : [rest, e2e];

// Keychain tests need a Secret Service: run them inside a private D-Bus session with an unlocked
// gnome-keyring when both are installed (.ci/run installs them); elsewhere they skip themselves.
let failed = false;
for (const group of groups) {
  if (!group.length) continue;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...group], {
    stdio: 'inherit',
    env: { ...process.env, TZ: 'UTC' },
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
