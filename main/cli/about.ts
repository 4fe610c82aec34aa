/**
 * The CLI's own facts for About (`--version`, Status, the support bundle): the version in
 * package.json, the OS and Node's version.
 */
import { readFileSync } from 'node:fs';
import { arch, release, type } from 'node:os';
import { join } from 'node:path';
import type { About } from '../../shared/types';

/** What the CLI tells the service about itself (CoreDeps.host). */
export function cliHost(projectRoot: string): { appVersion: string; os: string; runtime: string } {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version?: string };
  return { appVersion: pkg.version ?? 'unknown', os: `${type()} ${release()} ${arch()}`, runtime: `Node ${process.versions.node}` };
}

/** `ml-connector --version`: one fact a line. */
export function versionText(a: About & { runtime: string }): string {
  return [
    `ml-connector ${a.version}`,
    `Hyper engine (hyperd) ${a.hyperdVersion ?? 'not found (set HYPERD_PATH)'}`,
    `Data folder ${a.dataDir}`,
    `${a.runtime} on ${a.os}`,
  ].join('\n');
}
