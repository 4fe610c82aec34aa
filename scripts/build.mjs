#!/usr/bin/env node
// Builds what the Electron app runs: the main process and the preload (bundled with esbuild,
// CommonJS for Electron), and the renderer (scripts/build-renderer.mjs) into dist/.
// Native modules (keytar, @photostructure/sqlite) stay external: electron-builder unpacks them from the asar.
// Every native addon the main bundle can load must be N-API, so the one install serves Node (tests,
// CLI) and Electron alike: test/electron/napi-addons.test.ts checks it on the bundle built here.
//   node scripts/build.mjs
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Modules the main bundle requires at run time instead of inlining them. */
export const MAIN_EXTERNALS = ['electron', 'keytar', '@photostructure/sqlite', 'pg-native'];

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: false, logLevel: 'warning', absWorkingDir: root };

/**
 * Bundles the main process into `<outDir>/main.cjs` (default dist/electron); returns esbuild's
 * metafile (what the bundle imports, externals included).
 * @param {{ outDir?: string }} [opts]
 */
export async function buildMain(opts = {}) {
  const outDir = resolve(opts.outDir ?? join(root, 'dist', 'electron'));
  const result = await build({
    ...common,
    entryPoints: [join(root, 'main/electron/entry.ts')],
    outfile: join(outDir, 'main.cjs'),
    external: MAIN_EXTERNALS,
    metafile: true,
  });
  return result.metafile;
}

/**
 * Bundles the preload into `<outDir>/preload.cjs`. A sandboxed preload may only require
 * `electron`: everything else is inlined.
 * @param {{ outDir?: string }} [opts]
 */
export async function buildPreload(opts = {}) {
  const outDir = resolve(opts.outDir ?? join(root, 'dist', 'electron'));
  await build({ ...common, entryPoints: [join(root, 'main/preload.ts')], outfile: join(outDir, 'preload.cjs'), external: ['electron'] });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildMain();
  await buildPreload();
  const r = spawnSync(process.execPath, [join(root, 'scripts/build-renderer.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log('built dist/electron and dist/renderer');
}
