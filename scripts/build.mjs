#!/usr/bin/env node
// Builds what the Electron app runs: the main process and the preload (bundled with esbuild,
// CommonJS for Electron), and the renderer (scripts/build-renderer.mjs) into dist/.
// Native modules (keytar, libsql) stay external: electron-builder unpacks them from the asar.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: false, logLevel: 'warning' };

await build({
  ...common,
  entryPoints: ['main/electron/entry.ts'],
  outfile: 'dist/electron/main.cjs',
  external: ['electron', 'keytar', 'libsql', 'pg-native'],
});
// A sandboxed preload may only require `electron`: everything else is inlined.
await build({ ...common, entryPoints: ['main/preload.ts'], outfile: 'dist/electron/preload.cjs', external: ['electron'] });

const r = spawnSync(process.execPath, ['scripts/build-renderer.mjs'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
console.log('built dist/electron and dist/renderer');
