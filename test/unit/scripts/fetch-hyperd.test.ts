/**
 * scripts/fetch-hyperd.mjs against small zips laid out like each platform's Hyper API release:
 * one top folder, hyperd under lib/hyper/ (Linux, macOS) or hyperd.exe under bin/hyper/ with its
 * DLLs (Windows), license and notices at the top. No download: the zips are made here with yazl.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { installHyperd, RELEASE, SLUG, verifyChecksum } from '../../../scripts/fetch-hyperd.mjs';

async function zipOf(path: string, files: Record<string, { text: string; mode?: number }>): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, f] of Object.entries(files)) zip.addBuffer(Buffer.from(f.text), name, { mode: f.mode ?? 0o100644 });
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject));
  return path;
}

const top = (target: string) => `tableauhyperapi-java-${SLUG[target]}-release-main.${RELEASE.version}.${RELEASE.buildId}`;
const layouts: Record<string, Record<string, { text: string; mode?: number }>> = {
  'linux-x64': {
    'lib/hyper/hyperd': { text: '#!/bin/sh\n', mode: 0o100755 },
    'lib/hyper/libtableauhyperapi.so': { text: 'so' },
    'lib/tableauhyperapi.jar': { text: 'jar' },
    'LICENSE.txt': { text: 'Apache-2.0' },
    'NOTICES.txt': { text: 'notices' },
  },
  'darwin-arm64': {
    'lib/hyper/hyperd': { text: 'macho', mode: 0o100644 },
    'lib/tableauhyperapi.jar': { text: 'jar' },
    'LICENSE.txt': { text: 'Apache-2.0' },
  },
  'win32-x64': {
    'bin/hyper/hyperd.exe': { text: 'MZ' },
    'bin/hyper/tableauhyperapi.dll': { text: 'dll' },
    'lib/tableauhyperapi.jar': { text: 'jar' },
    'LICENSE.txt': { text: 'Apache-2.0' },
    'THIRD-PARTY-NOTICES.txt': { text: 'notices' },
  },
};

describe('fetch-hyperd.mjs', () => {
  for (const [target, files] of Object.entries(layouts)) {
    it(`installs hyperd and its license from a ${target} release layout`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mlc-fetch-hyperd-'));
      try {
        const zipPath = await zipOf(join(dir, 'hyper.zip'), Object.fromEntries(Object.entries(files).map(([n, f]) => [`${top(target)}/${n}`, f])));
        const dest = join(dir, 'build', 'hyperd', target);
        const exe = installHyperd({ zipPath, target, dest });
        const names = readdirSync(dest).sort();
        if (target.startsWith('win32')) {
          assert.equal(exe, join(dest, 'hyperd.exe'));
          assert.ok(names.includes('tableauhyperapi.dll'), 'the DLLs beside hyperd.exe come along');
          assert.ok(names.includes('THIRD-PARTY-NOTICES.txt'));
        } else {
          assert.equal(exe, join(dest, 'hyperd'));
          accessSync(exe, constants.X_OK);
        }
        assert.ok(names.includes('LICENSE.txt'), 'the license ships beside hyperd');
        assert.ok(!names.includes('tableauhyperapi.jar'), 'only the hyper folder and the legal files');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('refuses a zip laid out for another platform, one without license files, and a wrong checksum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-fetch-hyperd-'));
    try {
      const linuxZip = await zipOf(
        join(dir, 'l.zip'),
        Object.fromEntries(Object.entries(layouts['linux-x64']!).map(([n, f]) => [`${top('linux-x64')}/${n}`, f])),
      );
      assert.throws(() => installHyperd({ zipPath: linuxZip, target: 'win32-x64', dest: join(dir, 'w') }), /no bin\/hyper\/hyperd\.exe/);
      const bare = await zipOf(join(dir, 'b.zip'), { [`${top('linux-x64')}/lib/hyper/hyperd`]: { text: 'x', mode: 0o100755 } });
      assert.throws(() => installHyperd({ zipPath: bare, target: 'linux-x64', dest: join(dir, 'x') }), /no license or notice file/);
      assert.equal(existsSync(join(dir, 'x')), false, 'nothing installed');
      assert.throws(() => verifyChecksum(Buffer.from('not the release'), 'linux-x64'), /Checksum mismatch for linux-x64/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
