#!/usr/bin/env node
// `npm start`: on a machine where Electron can run (its binary installed by `npm install`
// without ELECTRON_SKIP_BINARY_DOWNLOAD), builds the app and starts the tray app. Where it
// cannot (no Electron binary, or no display), it says so and starts the same UI in served mode
// instead: `ml-connector serve` on 127.0.0.1, to open in a browser (with `--demo` when nothing is
// configured yet).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
let electronBinary = null;
try {
  const p = require('electron');
  if (typeof p === 'string' && existsSync(p)) electronBinary = p;
} catch {
  electronBinary = null;
}
const hasDisplay = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

if (electronBinary && hasDisplay) {
  if (run(process.execPath, ['scripts/build.mjs']) !== 0) process.exit(1);
  process.exit(run(electronBinary, ['.']));
}
console.log(
  electronBinary
    ? 'No display found: starting the served UI instead of the tray app.'
    : 'The Electron binary is not installed here (ELECTRON_SKIP_BINARY_DOWNLOAD): starting the served UI instead of the tray app.',
);
if (run(process.execPath, ['scripts/build-renderer.mjs']) !== 0) process.exit(1);
// With no credentials configured (no CLI settings file, no secrets in the environment), the run
// command is the built-in demo: both emulators with the sample company, synced end to end.
const dataDir = process.env.XDG_DATA_HOME ? join(process.env.XDG_DATA_HOME, 'ml-connector') : join(homedir(), '.ml-connector');
const configured =
  existsSync(join(dataDir, 'settings.json')) &&
  !!process.env.ML_INTACCT_USER_PASSWORD &&
  !!(process.env.ML_TABLEAU_PAT_SECRET || process.env.ML_TABLEAU_CONNECTED_APP_SECRET);
if (!configured) console.log('No credentials configured: starting the built-in demo against the Intacct and Tableau emulators.');
process.exit(run(process.execPath, ['--import', 'tsx', 'main/cli.ts', 'serve', ...(configured ? [] : ['--demo'])]));
