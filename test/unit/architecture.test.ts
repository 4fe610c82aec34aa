import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts/.tsx file under `dir`. */
function sources(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(sources(p));
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

const importsElectron = /(?:from\s+['"]electron(?:\/[^'"]*)?['"]|require\(\s*['"]electron(?:\/[^'"]*)?['"]\s*\)|import\(\s*['"]electron['"]\s*\))/;
const isShell = (p: string) => p.startsWith(join('main', 'electron')) || p === join('main', 'preload.ts');

describe('architecture', () => {
  it('only the Electron shell and the preload import electron', () => {
    const offenders = [...sources('main'), ...sources('shared'), ...sources('renderer')]
      .filter((p) => !isShell(p))
      .filter((p) => importsElectron.test(readFileSync(p, 'utf8')));
    assert.deepEqual(offenders, [], `these files import electron outside the shell: ${offenders.join(', ')}`);
  });

  it('the detector itself recognises every import form', () => {
    for (const line of [
      `import { app } from 'electron';`,
      `const e = require("electron")`,
      `import type { Tray } from "electron/main";`,
      `await import('electron')`,
    ]) {
      assert.ok(importsElectron.test(line), line);
    }
    assert.ok(!importsElectron.test(`import x from 'electron-store';`));
  });

  it('the core reads no environment and no wall clock at import time', () => {
    const offenders = sources(join('main', 'core'))
      // Command-line entry points (emulator CLIs) are front doors, not core: they may read the environment.
      .filter((p) => !p.endsWith('cli.ts'))
      .filter((p) => /^(?!\s*(?:\/\/|\*|\/\*)).*\bprocess\.env\b/m.test(readFileSync(p, 'utf8')));
    assert.deepEqual(offenders, [], `core files read process.env (pass values in instead): ${offenders.join(', ')}`);
  });

  it('no source file outside the emulators and the tests is over 400 lines (issue 13: small files that say what they hold)', () => {
    const isEmulator = (p: string) => p.startsWith(join('main', 'emulators'));
    const long = [...sources('main'), ...sources('shared'), ...sources('renderer'), ...sources('scripts')]
      .filter((p) => !isEmulator(p))
      .map((p) => ({ p, lines: readFileSync(p, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > 400)
      .map((f) => `${f.p} (${f.lines} lines)`);
    assert.deepEqual(long, [], 'split these by what they hold');
  });
});
