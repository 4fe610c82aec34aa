/**
 * What every CLI command shares: the data folder, stdout/stderr, the secrets of this process and
 * opening the service on the folder (as owner for sync and serve, as reader otherwise).
 */
import { homedir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSync, closeSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { systemClock } from '../core/clock';
import { createNodeFetch } from '../core/http/transport';
import { createConnectorService, type ConnectorService } from '../core/service/connector-service';
import { defaultFactories } from '../core/service/default-factories';
import { jsonFileSettingsStore } from '../core/service/stores';
import { defaultSettings } from '../core/service/settings';
import { streamDefinitions } from '../core/streams/definitions';
import { childEnvironment, runAlertCommand } from '../core/alerts';
import { hyperdEnvironment } from '../core/hyper';
import type { Alert, LogEntry, StreamName } from '../../shared/types';
import { EXIT, UsageError, streamNamesText } from './usage';
import { openCliSecrets, type CliSecrets } from './secret-env';
import type { KeytarLike } from '../core/keychain/keytar-secret-store';
import { createProgressPrinter } from './progress';
import { cliHost } from './about';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const out = (line: string) => process.stdout.write(`${line}\n`);
export const err = (line: string) => process.stderr.write(`${line}\n`);

/** Where `serve` writes its address (with the token) when stdout is not a terminal. */
export const SERVE_ADDRESS_FILE = 'serve-address.txt';

/** Writes `text` to a new file only this account can read (an old one is replaced, never reused). */
export function writePrivateFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  rmSync(path, { force: true });
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

export function dataDirOf(opt: string | undefined): string {
  if (opt) return resolve(opt);
  const xdg = process.env.XDG_DATA_HOME;
  return xdg ? join(xdg, 'ml-connector') : join(homedir(), '.ml-connector');
}

export function streamList(value: string | undefined, flag: string): StreamName[] | undefined {
  if (!value) return undefined;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = new Set(streamDefinitions.map((d) => d.name as string));
  const bad = names.filter((n) => !known.has(n));
  if (bad.length) throw new UsageError(`${flag}: unknown stream(s) ${bad.join(', ')}. Known: ${streamNamesText()}`);
  return names as StreamName[];
}

export const labels = new Map<StreamName, string>(streamDefinitions.map((d) => [d.name, d.label]));

/** Progress on stderr (stdout carries the results scripts read). */
export function progressPrinter(tty: boolean) {
  return createProgressPrinter({
    tty,
    // A pseudo-terminal may report 0 columns; COLUMNS is what shells and `script` export.
    columns: () => process.stderr.columns || Number(process.env.COLUMNS) || 80,
    now: () => Date.now(),
    write: (text) => process.stderr.write(text),
    labelOf: (stream) => labels.get(stream) ?? stream,
  });
}

/** Runs the alert command (settings.json only) without a shell, with no secret in its environment. */
export function alertCommand(command: string, alert: Alert): void {
  runAlertCommand(command, alert, { env: childEnvironment(process.env), onError: err });
}

let cliSecrets: Promise<CliSecrets> | null = null;
/** The secrets of this process: the environment over the OS keychain where one answers, else over memory (cli/secret-env.ts). */
export function secretsOfProcess(): Promise<CliSecrets> {
  cliSecrets ??= import('keytar')
    .then(
      (m) => (m.default ?? m) as KeytarLike,
      () => null,
    )
    .then((keytar) => openCliSecrets(process.env, keytar));
  return cliSecrets;
}

/**
 * Opens the service on the data folder. `sync` and `serve` own the folder (one process at a time);
 * every other command only reads it, so it never disturbs a running service (issue #12).
 */
export async function openService(
  dataDir: string,
  log?: (e: LogEntry) => void,
  batchRows?: number,
  access: { owner: string } | 'reader' = 'reader',
): Promise<ConnectorService> {
  const { secrets, storage } = await secretsOfProcess();
  return createConnectorService({
    ...(access === 'reader' ? { access: 'reader' as const } : { access: 'owner' as const, ownerName: access.owner }),
    clock: systemClock,
    fetch: createNodeFetch({ env: process.env }),
    secrets,
    secretStorage: storage,
    settings: jsonFileSettingsStore(join(dataDir, 'settings.json'), defaultSettings(Date.now())),
    dataDir,
    env: { ...(process.env.HYPERD_PATH ? { HYPERD_PATH: process.env.HYPERD_PATH } : {}), hyperd: hyperdEnvironment(process.env) },
    factories: defaultFactories({ projectRoot }),
    host: cliHost(projectRoot),
    runAlertCommand: alertCommand,
    ...(log ? { log } : {}),
    ...(batchRows ? { engineOptions: { batchRows } } : {}),
  });
}

/** Cancels on the first Ctrl-C, exits 130 on the second. */
export function onInterrupt(cancel: () => Promise<unknown>): () => void {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      err('Cancelling… (press Ctrl-C again to stop at once)');
      void cancel();
    } else {
      process.exit(EXIT.cancelled);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
