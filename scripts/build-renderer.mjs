#!/usr/bin/env node
// Bundles the React renderer (renderer/main.tsx) with esbuild into dist/renderer/: app.js,
// styles.css and index.html (with the strict CSP meta tag). The same files are loaded by the
// Electron window and served by `ml-connector serve`.
//   node scripts/build-renderer.mjs [--out <dir>]
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The policy the page runs under: only its own scripts, no remote anything. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

/**
 * Builds the renderer into `outDir` (default dist/renderer) and returns the output directory.
 * @param {{ outDir?: string }} [opts]
 */
export async function buildRenderer(opts = {}) {
  const outDir = resolve(opts.outDir ?? join(root, 'dist', 'renderer'));
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(root, 'renderer', 'main.tsx')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    // A classic script, not a module: it loads alike from app:// (the desktop window), from the
    // served mode's http:// and from file:// (where Chromium refuses module scripts as cross-origin).
    format: 'iife',
    platform: 'browser',
    target: ['chrome120'],
    jsx: 'automatic',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    tsconfig: join(root, 'tsconfig.web.json'),
    logLevel: 'warning',
  });
  await copyFile(join(root, 'renderer', 'styles.css'), join(outDir, 'styles.css'));
  const html = await readFile(join(root, 'renderer', 'index.html'), 'utf8');
  // The CSP lives here too, so a template edit cannot silently loosen it.
  if (!html.includes(`content="${CONTENT_SECURITY_POLICY}"`))
    throw new Error('renderer/index.html must carry the Content-Security-Policy meta tag of scripts/build-renderer.mjs');
  await writeFile(join(outDir, 'index.html'), html);
  return outDir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outIndex = process.argv.indexOf('--out');
  const outDir = outIndex > 0 ? process.argv[outIndex + 1] : undefined;
  const started = performance.now();
  buildRenderer(outDir ? { outDir } : {}).then(
    (dir) => console.log(`renderer built into ${dir} in ${Math.round(performance.now() - started)} ms`),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
