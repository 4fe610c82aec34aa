#!/usr/bin/env node
// Fetches `hyperd` for a target platform from Tableau's official Hyper API release (Apache-2.0
// since 0.0.19691) into build/hyperd/<platform>-<arch>/, where electron-builder.yml picks it up
// as an extra resource (and build/after-pack.cjs refuses to package without it). Run it before
// `npm run dist` for each platform you package:
//
//   node scripts/fetch-hyperd.mjs --platform win32 --arch x64
//   node scripts/fetch-hyperd.mjs --platform darwin --arch arm64
//   node scripts/fetch-hyperd.mjs --platform linux --arch x64
//   node scripts/fetch-hyperd.mjs --platform linux --arch x64 --zip ./downloaded.zip   (no download)
//
// The release is pinned (version, build id and the sha256 of each zip) so an installer always
// ships the engine it was tested with. The Java bundle is used because its macOS arm64 zip holds
// a native arm64 hyperd (the C++ one ships x86_64). Where hyperd sits differs per platform: under
// lib/hyper/ on Linux and macOS, under bin/hyper/ on Windows (with the DLLs it needs beside it).
// Tableau's license and notice files are copied beside hyperd (Apache-2.0 §4). Their exact names
// in the zip are not documented (UNCONFIRMED): every file named LICENSE*, NOTICE* or THIRD*PARTY*
// at the zip's top level or next to hyperd is taken, and the script fails if there is none.
// Needs network access to Tableau's download site (unless --zip), and `unzip` (or bsdtar).
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export const RELEASE = {
  version: '0.0.25080',
  buildId: 'r2bfd835b',
  sha256: {
    'darwin-arm64': '2b0fa3fefcf4eba60f052e1cb51abfc32d8c84354274513763760f9549b45991',
    'darwin-x64': '2fb7e58a449f5902e603f46ee7a73c70c85a2ef01e0c6435a26f893c2b9ee1f0',
    'linux-x64': '3d3fd2104f55f7fad832470592394dc78f350a03d52e89d36c5288b202dd0bc0',
    'win32-x64': '9dc4851d416e0e6e00f0367ee6b45fcd676e7ba3a110d4644e3bec871b9aa1de',
  },
};
export const SLUG = { 'darwin-arm64': 'macos-arm64', 'darwin-x64': 'macos-x86_64', 'linux-x64': 'linux-x86_64', 'win32-x64': 'windows-x86_64' };

/** Where hyperd sits inside each platform's zip (under its one top-level folder). */
export function hyperdLocation(platform) {
  return platform === 'win32' ? { dir: ['bin', 'hyper'], exe: 'hyperd.exe' } : { dir: ['lib', 'hyper'], exe: 'hyperd' };
}

const LEGAL = /^(license|notice|third[-_ ]?party)/i;

export class FetchHyperdError extends Error {}

/** Throws FetchHyperdError unless `zip`'s sha256 is the pinned one for `target`. */
export function verifyChecksum(zip, target) {
  const digest = createHash('sha256').update(zip).digest('hex');
  if (digest !== RELEASE.sha256[target])
    throw new FetchHyperdError(`Checksum mismatch for ${target}: got ${digest}, expected ${RELEASE.sha256[target]}. Refusing to package it.`);
}

function unzip(zipPath, into) {
  if (spawnSync('unzip', ['-q', zipPath, '-d', into]).status === 0) return;
  if (spawnSync('tar', ['-xf', zipPath, '-C', into]).status === 0) return;
  throw new FetchHyperdError('Could not unpack the zip: install `unzip` (or bsdtar).');
}

/**
 * Unpacks a Hyper API zip for `target` ('win32-x64', …) and installs hyperd, the files beside it
 * and the license/notice files into `dest` (replacing what was there). Returns the hyperd path.
 * @param {{ zipPath: string, target: string, dest: string }} opts
 */
export function installHyperd({ zipPath, target, dest }) {
  const platform = target.split('-')[0];
  const { dir, exe } = hyperdLocation(platform);
  const work = mkdtempSync(join(tmpdir(), 'hyperd-'));
  try {
    unzip(zipPath, work);
    const top = readdirSync(work).find((d) => existsSync(join(work, d, ...dir, exe)));
    if (!top) throw new FetchHyperdError(`The zip has no ${[...dir, exe].join('/')} under its top folder; the ${target} release layout changed.`);
    const hyperDir = join(work, top, ...dir);
    const legal = [
      ...readdirSync(join(work, top))
        .filter((f) => LEGAL.test(f) && statSync(join(work, top, f)).isFile())
        .map((f) => join(work, top, f)),
      ...readdirSync(hyperDir)
        .filter((f) => LEGAL.test(f))
        .map((f) => join(hyperDir, f)),
    ];
    if (!legal.length)
      throw new FetchHyperdError(`The zip has no license or notice file (LICENSE*, NOTICE*, THIRD*PARTY*); Tableau's terms must ship with hyperd.`);
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    // hyperd and everything next to it (Windows needs its DLLs).
    cpSync(hyperDir, dest, { recursive: true });
    for (const f of legal) cpSync(f, join(dest, f.split(/[\\/]/).pop()));
    const installed = join(dest, exe);
    if (platform !== 'win32') {
      chmodSync(installed, 0o755);
      accessSync(installed, constants.X_OK);
    }
    return installed;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const target = `${arg('platform', process.platform)}-${arg('arch', process.arch)}`;
  if (!SLUG[target]) {
    console.error(`No Hyper release for ${target}. Supported: ${Object.keys(SLUG).join(', ')}`);
    process.exit(2);
  }
  const dest = join('build', 'hyperd', target);
  let zipPath = arg('zip');
  let work = null;
  if (!zipPath) {
    const url = `https://downloads.tableau.com/tssoftware/tableauhyperapi-java-${SLUG[target]}-release-main.${RELEASE.version}.${RELEASE.buildId}.zip`;
    console.log(`Downloading ${url}`);
    const res = await fetch(url);
    if (!res.ok) {
      console.error(`Download failed: HTTP ${res.status}. Check the network, or download the zip by hand and pass it with --zip.`);
      process.exit(1);
    }
    const zip = Buffer.from(await res.arrayBuffer());
    work = mkdtempSync(join(tmpdir(), 'hyperd-zip-'));
    zipPath = join(work, 'hyper.zip');
    (await import('node:fs')).writeFileSync(zipPath, zip);
  }
  try {
    verifyChecksum(readFileSync(zipPath), target);
    const exe = installHyperd({ zipPath, target, dest });
    console.log(`hyperd ${RELEASE.version} for ${target} is in ${exe}`);
  } catch (err) {
    console.error(err instanceof FetchHyperdError ? err.message : err);
    process.exit(1);
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
