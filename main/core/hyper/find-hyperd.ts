/**
 * Locates the `hyperd` executable (Tableau's Hyper engine, Apache-2.0).
 *
 * `.hyper` files can only be written by hyperd (tableau-rest.md §1.3), so the connector ships it as
 * a bundled resource; a path in settings or HYPERD_PATH overrides that, and development and tests on
 * Linux use the copy in the npm package `hyperdb-api-node-linux-x64-gnu` (a dev dependency).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { HyperdNotFoundError } from './hyper-errors';

/** Where to look; all optional (the caller reads settings and the environment, core does not). */
export interface FindHyperdOptions {
  /** The user's setting (a file, or a folder holding hyperd). */
  settingsPath?: string;
  env?: { HYPERD_PATH?: string };
  /** The packaged app's resources folder (Electron `process.resourcesPath`). */
  resourcesPath?: string;
  /** The project folder, for the dev-dependency copy (Linux x64 only). */
  projectRoot?: string;
  /** Defaults to the running platform; injectable for tests. */
  platform?: NodeJS.Platform;
  arch?: string;
}

/** The npm package that ships a Linux x64 hyperd (tableau-rest.md §1.3 "Other Node routes"). */
export const HYPERD_NPM_PACKAGE = 'hyperdb-api-node-linux-x64-gnu';

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Returns the path of the hyperd executable to run.
 *
 * Order: settings path, then HYPERD_PATH, then `<resourcesPath>/hyperd/hyperd[.exe]`, then (Linux x64
 * only) `<projectRoot>/node_modules/hyperdb-api-node-linux-x64-gnu/hyperd`. A configured path that
 * does not exist is an error rather than a silent fall-through: the user asked for that one.
 * Throws HyperdNotFoundError saying what to install or set.
 */
export function findHyperd(opts: FindHyperdOptions): string {
  const platform = opts.platform ?? process.platform;
  const arch = opts.arch ?? process.arch;
  const exe = platform === 'win32' ? 'hyperd.exe' : 'hyperd';
  const searched: string[] = [];

  // A configured location may name the executable itself or the folder that holds it.
  const configured = (value: string, label: string): string => {
    const candidates = isDir(value) ? [join(value, exe)] : [value];
    for (const c of candidates) {
      searched.push(c);
      if (isFile(c)) return c;
    }
    throw new HyperdNotFoundError(
      `The Hyper engine was not found at the ${label} "${value}". Point it at the hyperd executable (or the folder holding ${exe}), or clear it to use the bundled copy.`,
      searched,
    );
  };

  const fromSettings = opts.settingsPath?.trim();
  if (fromSettings) return configured(fromSettings, 'path set in settings');
  const fromEnv = opts.env?.HYPERD_PATH?.trim();
  if (fromEnv) return configured(fromEnv, 'path in HYPERD_PATH');

  if (opts.resourcesPath) {
    const bundled = join(opts.resourcesPath, 'hyperd', exe);
    searched.push(bundled);
    if (isFile(bundled)) return bundled;
  }
  if (opts.projectRoot && platform === 'linux' && arch === 'x64') {
    const dev = join(opts.projectRoot, 'node_modules', HYPERD_NPM_PACKAGE, 'hyperd');
    searched.push(dev);
    if (isFile(dev)) return dev;
  }

  const devHint = platform === 'linux' && arch === 'x64' ? `For development on Linux run "npm i -D ${HYPERD_NPM_PACKAGE}"; otherwise set` : 'Set';
  throw new HyperdNotFoundError(
    `The Hyper engine (hyperd) was not found. ${devHint} HYPERD_PATH or the Hyper engine path in settings to the hyperd executable` +
      ` from Tableau's Hyper API, or run "node scripts/fetch-hyperd.mjs" before packaging so the app bundles it.` +
      (searched.length ? ` Looked in: ${searched.join(', ')}.` : ''),
    searched,
  );
}
