#!/usr/bin/env node
// Launcher for the `ml-connector` CLI (main/cli.ts): runs it under Node with tsx, passing the
// arguments, the terminal and the exit code through unchanged.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// A bounded heap: the connector's working set is a few pages and batches, and a capped heap makes
// V8 collect garbage early instead of letting the resident size grow (issue #4 RSS target).
const heap = process.execArgv.some((a) => a.startsWith('--max-old-space-size')) ? [] : ['--max-old-space-size=256'];
const r = spawnSync(process.execPath, [...heap, '--import', 'tsx', join(root, 'main', 'cli.ts'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: process.cwd() });
process.exit(r.status ?? (r.signal === 'SIGINT' ? 130 : 1));
