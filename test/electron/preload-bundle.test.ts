import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';

describe('preload bundle', () => {
  it('requires nothing but electron, as a sandboxed preload must', async () => {
    const out = await build({
      entryPoints: ['main/preload.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      external: ['electron'],
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.match(code, /exposeInMainWorld\("mlConnector"/);
    // Every operation of the contract is bridged.
    for (const op of ['syncNow', 'setCredential', 'getCredentialStatus', 'exportSupportBundle']) assert.ok(code.includes(`"${op}"`), op);
  });
});
