/**
 * How hyperd is launched and how it answers: its command line, its environment, its file-access
 * settings and the callback descriptor it reports where it listens (the pure half of hyper-engine.ts,
 * testable without a hyperd).
 */

/** The role hyperd creates at start and that owns new databases (as Tableau's Hyper API does). */
export const HYPER_USER = 'tableau_internal_user';

/** Where a pg client connects: a domain socket folder + number, or loopback + TCP port. */
export interface PgTarget {
  host: string;
  port: number;
}

/** How hyperd listens and calls back for one launch. */
export interface HyperdListen {
  /** `--callback-connection` value. */
  callback: string;
  /** `--listen-connection` value. */
  listen: string;
}

/**
 * The few variables hyperd may need from the host's environment, picked from `source` by the host
 * (the core reads no environment): Windows' system folders (Winsock needs SystemRoot) and the temp
 * folder. Nothing else, so no secret can reach it.
 */
export function hyperdEnvironment(source: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['SystemRoot', 'SYSTEMROOT', 'windir', 'WINDIR', 'TEMP', 'TMP', 'TMPDIR']) {
    const v = source[k];
    if (v) out[k] = v;
  }
  return out;
}

/** The `storage_providers` setting with the file provider's whitelist set (hyperd --settings shows the default). */
export function storageProvidersSetting(dirs: readonly string[]): string {
  return JSON.stringify({
    providers: [
      {
        type: 'single-file',
        name: 'file',
        implementation: 'mmap',
        blacklist: [],
        whitelist: dirs,
        'default-directory': '',
        'allowed-access-mode': 'read-write',
      },
      { type: 'transient-file', name: 'transient', 'entry-limit': 0, 'size-limit': '0', 'entry-lifetime': '0ms' },
    ],
    default: 'file',
    'default-transient': 'transient',
  });
}

/** hyperd's command line (tableau-rest.md §1.3, flags checked with `hyperd run --help` and `hyperd --settings`). */
export function hyperdArgs(
  listen: HyperdListen,
  logDir: string,
  confine: { noFilesDir: string; readableFilesDir?: string; databaseDirs?: readonly string[]; posix: boolean },
): string[] {
  return [
    'run',
    `--callback-connection=${listen.callback}`,
    `--listen-connection=${listen.listen}`,
    `--init-user=${HYPER_USER}`,
    // No --no-password: the init user's password comes from HYPER_INITIAL_USER_PASSWORD.
    '--skip-license',
    // File format 2 opens in every Tableau version that supports the PATCH API (tableau-rest.md §1.3).
    '--default-database-version=2',
    `--log-dir=${logDir}`,
    // Unbounded by default: keep at most ~2 × 10 MB of hyperd logs in the app's log folder.
    '--log-file-size-limit=10m',
    '--log-file-max-count=2',
    // No external files: an empty whitelist folder, and (POSIX) the whole tree blacklisted. A
    // benchmark may name one folder to read from instead (HyperEngineOptions.readableFilesDir).
    `--external-file-whitelist=${confine.readableFilesDir ?? confine.noFilesDir}`,
    ...(confine.posix ? ['--external-file-blacklist=/'] : []),
    ...(confine.databaseDirs?.length ? [`--storage-providers=${storageProvidersSetting(confine.databaseDirs)}`] : []),
  ];
}

/**
 * Parses the callback descriptor: `tab.tcp://127.0.0.1:41981\0` → 127.0.0.1:41981,
 * `tab.domain:///dir/domain/.s.PGSQL.3\0` → /dir and 3 (pg's host folder + `.s.PGSQL.<port>`).
 */
export function parseCallbackDescriptor(descriptor: string): PgTarget {
  const d = descriptor.replace(/\0/g, '').trim();
  const tcp = /^tab\.tcp:\/\/(127\.0\.0\.1|localhost):(\d+)$/.exec(d);
  const domain = /^tab\.domain:\/\/(\/.*)\/domain\/\.s\.PGSQL\.(\d+)$/.exec(d);
  const port = Number((tcp ?? domain)?.[2]);
  if (!(tcp || domain) || !Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`unexpected listen descriptor from hyperd: ${JSON.stringify(descriptor)}`);
  return { host: tcp ? '127.0.0.1' : domain![1]!, port };
}
