#!/usr/bin/env node
// Fetches `hyperd` for a target platform from Tableau's official Hyper API release (Apache-2.0
// since 0.0.19691) into build/hyperd/<platform>-<arch>/, where electron-builder.yml picks it up
// as an extra resource. Run it before `npm run dist` for each platform you package:
//
//   node scripts/fetch-hyperd.mjs --platform win32 --arch x64
//   node scripts/fetch-hyperd.mjs --platform darwin --arch arm64
//   node scripts/fetch-hyperd.mjs --platform linux --arch x64
//
// The release is pinned (version, build id and the sha256 of each zip) so an installer always
// ships the engine it was tested with. The Java bundle is used because its macOS arm64 zip holds
// a native arm64 hyperd (the C++ one ships x86_64); both keep hyperd in lib/hyper/.
// Needs network access to Tableau's download site, and `unzip` (or bsdtar) on the PATH.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, cpSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const RELEASE = {
  version: '0.0.25080',
  buildId: 'r2bfd835b',
  sha256: {
    'darwin-arm64': '2b0fa3fefcf4eba60f052e1cb51abfc32d8c84354274513763760f9549b45991',
    'darwin-x64': '2fb7e58a449f5902e603f46ee7a73c70c85a2ef01e0c6435a26f893c2b9ee1f0',
    'linux-x64': '3d3fd2104f55f7fad832470592394dc78f350a03d52e89d36c5288b202dd0bc0',
    'win32-x64': '9dc4851d416e0e6e00f0367ee6b45fcd676e7ba3a110d4644e3bec871b9aa1de',
  },
};
const SLUG = { 'darwin-arm64': 'macos-arm64', 'darwin-x64': 'macos-x86_64', 'linux-x64': 'linux-x86_64', 'win32-x64': 'windows-x86_64' };

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const target = `${arg('platform', process.platform)}-${arg('arch', process.arch)}`;
if (!SLUG[target]) {
  console.error(`No Hyper release for ${target}. Supported: ${Object.keys(SLUG).join(', ')}`);
  process.exit(2);
}
const url = `https://downloads.tableau.com/tssoftware/tableauhyperapi-java-${SLUG[target]}-release-main.${RELEASE.version}.${RELEASE.buildId}.zip`;
const dest = join('build', 'hyperd', target);

console.log(`Downloading ${url}`);
const res = await fetch(url);
if (!res.ok) {
  console.error(`Download failed: HTTP ${res.status}. Check the network, or download the zip by hand and unpack lib/hyper/ into ${dest}.`);
  process.exit(1);
}
const zip = Buffer.from(await res.arrayBuffer());
const digest = createHash('sha256').update(zip).digest('hex');
if (digest !== RELEASE.sha256[target]) {
  console.error(`Checksum mismatch for ${target}: got ${digest}, expected ${RELEASE.sha256[target]}. Refusing to package it.`);
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), 'hyperd-'));
writeFileSync(join(work, 'hyper.zip'), zip);
const unzip = spawnSync('unzip', ['-q', 'hyper.zip'], { cwd: work });
if (unzip.status !== 0 && spawnSync('tar', ['-xf', 'hyper.zip'], { cwd: work }).status !== 0) {
  console.error('Could not unpack the zip: install `unzip` (or bsdtar).');
  process.exit(1);
}
const top = readdirSync(work).find((d) => existsSync(join(work, d, 'lib', 'hyper')));
if (!top) {
  console.error('The zip has no lib/hyper/ folder; the release layout changed.');
  process.exit(1);
}
rmSync(dest, { recursive: true, force: true });
mkdirSync(dest, { recursive: true });
// hyperd and the libraries next to it (Windows needs its DLLs).
cpSync(join(work, top, 'lib', 'hyper'), dest, { recursive: true });
rmSync(work, { recursive: true, force: true });
console.log(`hyperd ${RELEASE.version} for ${target} is in ${dest}`);
