/**
 * Issue #10 acceptance 1: every native addon the main bundle can load is N-API, so the one install
 * in node_modules serves the tests, the CLI and Electron (whose NODE_MODULE_VERSION differs from
 * Node's: an addon built for one refuses to load in the other).
 *
 * The main bundle is built with scripts/build.mjs (as `npm run build` does); esbuild's metafile
 * lists what it leaves to `require` at run time. For each of those packages and everything they
 * depend on, every .node file must export `napi_register_module_v1`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { buildMain } from '../../scripts/build.mjs';
import { isNapiAddon, readNativeExports } from './helpers/native-exports';

const root = process.cwd();
/** Provided by the runtime, not by node_modules. */
const RUNTIME_MODULES = new Set(['electron']);
/**
 * Externals that may be absent: pg requires `pg-native` only when `pg.native` is used, which the
 * connector never does. If it is ever installed, its addon is inspected like any other.
 */
const OPTIONAL_ABSENT = new Set(['pg-native']);

/** Node's lookup of a package folder from `fromDir` upwards. */
function packageDir(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** The package and everything it depends on (dependencies and installed optional ones). */
function closure(name: string): string[] {
  const start = packageDir(name, root);
  if (!start) return [];
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length) {
    const dir = queue.shift()!;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: object; optionalDependencies?: object };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const d = packageDir(dep, dir);
      if (d && !seen.has(d)) {
        seen.add(d);
        queue.push(d);
      }
    }
  }
  return [...seen];
}

/** .node files in a package folder (its own node_modules are reached through `closure`). */
function nodeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...nodeFiles(p));
    else if (name.endsWith('.node')) out.push(p);
  }
  return out;
}

describe('native addons of the main bundle', () => {
  it('are all N-API (export napi_register_module_v1)', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'mlc-main-bundle-'));
    try {
      const meta = await buildMain({ outDir });
      const output = Object.entries(meta.outputs).find(([file]) => file.endsWith('main.cjs'));
      assert.ok(output, 'esbuild reported the main bundle');
      const externals = [
        ...new Set(output[1].imports.filter((i) => i.external && !isBuiltin(i.path) && !i.path.startsWith('node:')).map((i) => i.path)),
      ].sort();
      // The bundle really loads these (and nothing else) at run time.
      const code = readFileSync(join(outDir, 'main.cjs'), 'utf8');
      for (const name of externals) assert.ok(code.includes(`require("${name}")`), `the bundle requires ${name}`);
      assert.ok(externals.includes('keytar'), `externals: ${externals.join(', ')}`);

      const files = new Map<string, string>();
      for (const name of externals) {
        if (RUNTIME_MODULES.has(name)) continue;
        const dirs = closure(name);
        if (dirs.length === 0) {
          assert.ok(OPTIONAL_ABSENT.has(name), `${name} is required by the main bundle but not installed`);
          continue;
        }
        const found = dirs.flatMap(nodeFiles);
        if (name === '@photostructure/sqlite' || name === 'keytar') assert.ok(found.length > 0, `${name} ships a native addon`);
        for (const f of found) files.set(f, name);
      }
      assert.ok(files.size >= 2, 'addons were found to inspect');

      const notNapi: string[] = [];
      for (const [file, via] of files) {
        const exp = readNativeExports(file);
        if (!isNapiAddon(exp)) {
          const registers = [...exp.symbols].filter((s) => /register_module/.test(s));
          notNapi.push(`${relative(root, file)} (loaded through ${via}) exports ${registers.join(', ') || 'no module registration'}`);
        }
      }
      assert.deepEqual(notNapi, [], `addons that are not N-API cannot load in both Node and Electron:\n${notNapi.join('\n')}`);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('the symbol reader tells an N-API addon from a binary that is not one', () => {
    // Node's own binary exports N-API's functions but registers no addon module.
    const node = readNativeExports(process.execPath);
    assert.ok(node.symbols.has('napi_create_object'), 'real symbols are read');
    assert.equal(isNapiAddon(node), false);
    // The SQLite driver's addon for this machine (its package also ships the other platforms').
    const sqliteAddon = closure('@photostructure/sqlite')
      .flatMap(nodeFiles)
      .find((f) => f.includes(`${process.platform}-${process.arch}`) && !f.includes('musl'))!;
    assert.equal(isNapiAddon(readNativeExports(sqliteAddon)), true);
    // Where binutils is installed, the reader agrees with nm on the registration symbols.
    const nm = spawnSync('nm', ['-D', '--defined-only', sqliteAddon], { encoding: 'utf8' });
    if (nm.status === 0) {
      const fromNm = nm.stdout
        .split('\n')
        .map((l) => l.trim().split(/\s+/).pop()!)
        .filter((s) => /register_module/.test(s ?? ''));
      const ours = [...readNativeExports(sqliteAddon).symbols].filter((s) => /register_module/.test(s));
      assert.deepEqual(ours.sort(), fromNm.sort());
    }
  });
});
