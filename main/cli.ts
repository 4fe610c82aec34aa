/**
 * `ml-connector`: the headless front door (issue #4 "CLI"). Runs the same core service as the tray
 * app under plain Node: `node --import tsx main/cli.ts <command>` or `bin/ml-connector.mjs`.
 *
 * Commands, streams, secret variables and exit codes: `usageText()` in cli/usage.ts (`--help`).
 * Secrets come from the environment, else the OS keychain (cli/secret-env.ts); never written to a file.
 */
import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWriteStream, openSync, closeSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { systemClock } from './core/clock';
import { createNodeFetch } from './core/http/transport';
import { createConnectorService, type ConnectorService } from './core/service/connector-service';
import { defaultFactories } from './core/service/default-factories';
import { intacctCredentials, tableauAuth } from './core/service/runtime';
import { jsonFileSettingsStore } from './core/service/stores';
import { defaultSettings } from './core/service/settings';
import { runDemo, startDemoEnvironment, type DemoEnvironment } from './demo';
import { startServer } from './core/server';
import { describeUnexpected } from './core/api/error-envelope';
import { streamDefinitions } from './core/streams/definitions';
import { asConnectorError } from './core/errors';
import { childEnvironment, runAlertCommand } from './core/alerts';
import { hyperdEnvironment } from './core/hyper';
import type { Alert, LogEntry, ServiceEvent, StreamName } from '../shared/types';
import { EXIT, UsageError, exitCodeOfError, exitCodeOfRun, usageText } from './cli/usage';
import { SECRET_ENV, openCliSecrets, type CliSecrets } from './cli/secret-env';
import type { KeytarLike } from './core/keychain/keytar-secret-store';
import { createProgressPrinter } from './cli/progress';
import { formatCount, formatDateTime, formatLogTime } from '../shared/format';
import { cliHost, versionText } from './cli/about';

export { EXIT, exitCodeOfRun as exitCodeOf };

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** Where `serve` writes its address (with the token) when stdout is not a terminal. */
export const SERVE_ADDRESS_FILE = 'serve-address.txt';

/** Writes `text` to a new file only this account can read (an old one is replaced, never reused). */
function writePrivateFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  rmSync(path, { force: true });
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function dataDirOf(opt: string | undefined): string {
  if (opt) return resolve(opt);
  const xdg = process.env.XDG_DATA_HOME;
  return xdg ? join(xdg, 'ml-connector') : join(homedir(), '.ml-connector');
}

function streamList(value: string | undefined, flag: string): StreamName[] | undefined {
  if (!value) return undefined;
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = new Set(streamDefinitions.map((d) => d.name as string));
  const bad = names.filter((n) => !known.has(n));
  if (bad.length) throw new UsageError(`${flag}: unknown stream(s) ${bad.join(', ')}. Known: ${[...known].join(', ')}`);
  return names as StreamName[];
}

const labels = new Map<StreamName, string>(streamDefinitions.map((d) => [d.name, d.label]));

/** Progress on stderr (stdout carries the results scripts read). */
function progressPrinter(tty: boolean) {
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
function alertCommand(command: string, alert: Alert): void {
  runAlertCommand(command, alert, { env: childEnvironment(process.env), onError: err });
}

let cliSecrets: Promise<CliSecrets> | null = null;
/** The secrets of this process: the environment over the OS keychain where one answers, else over memory (cli/secret-env.ts). */
function secretsOfProcess(): Promise<CliSecrets> {
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
async function openService(
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
function onInterrupt(cancel: () => Promise<unknown>): () => void {
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

async function cmdSync(dataDir: string, values: Record<string, string | boolean | undefined>): Promise<number> {
  const streams = streamList(values.streams as string | undefined, '--streams');
  const fullReload = streamList(values['full-reload'] as string | undefined, '--full-reload');
  const printer = progressPrinter(Boolean(process.stderr.isTTY));
  const batchRows = values['batch-rows'] ? Number(values['batch-rows']) : undefined;
  if (batchRows !== undefined && (!Number.isInteger(batchRows) || batchRows < 1)) throw new UsageError('--batch-rows must be a positive integer');
  const service = await openService(dataDir, (e) => printer.log(e), batchRows, { owner: 'ml-connector sync' });
  try {
    const settings = await service.getSettings();
    try {
      const { secrets } = await secretsOfProcess();
      await intacctCredentials(settings, secrets);
      await tableauAuth(settings, secrets);
    } catch (e) {
      err(asConnectorError(e, 'local').userMessage);
      err(
        `Settings: ${join(dataDir, 'settings.json')}; secrets: ${SECRET_ENV.intacctSenderPassword}, ${SECRET_ENV.intacctUserPassword}, ${SECRET_ENV.tableauPatSecret} (or ${SECRET_ENV.tableauConnectedAppSecret}).`,
      );
      return EXIT.config;
    }
    service.onEvent((e: ServiceEvent) => {
      if (e.type === 'progress') printer.progress(e.progress);
    });
    const stop = onInterrupt(() => service.cancelSync());
    const r = await service.runNow({ ...(streams ? { streams } : {}), ...(fullReload ? { fullReload } : {}), trigger: 'cli' });
    stop();
    if (!('outcome' in r)) {
      err(r.reason);
      return EXIT.runFailed;
    }
    out(
      `Run ${r.runId} ${r.outcome}: ${r.rowsMoved} rows moved in ${((r.durationMs ?? 0) / 1000).toFixed(1)} s, ${r.apiTransactions} Intacct API transactions.`,
    );
    if (r.error) err(`Error: ${r.error.message}`);
    if (r.tieOut && !r.tieOut.ok) err(`Tie-out: ${r.tieOut.differences.length} difference(s); see \`runs\` and the log.`);
    return exitCodeOfRun(r);
  } finally {
    await service.shutdown();
  }
}

async function cmdStatus(dataDir: string, json: boolean): Promise<number> {
  const service = await openService(dataDir);
  try {
    const s = await service.getStatus();
    if (json) {
      out(JSON.stringify(s));
      return EXIT.ok;
    }
    out(
      `State: ${s.state}${s.configured.intacct && s.configured.tableau ? '' : ` (configured: Intacct ${s.configured.intacct ? 'yes' : 'no'}, Tableau ${s.configured.tableau ? 'yes' : 'no'})`}`,
    );
    if (s.lastRun) out(`Last run: ${s.lastRun.runId} ${s.lastRun.outcome} at ${formatDateTime(s.lastRun.startedAt)}, ${formatCount(s.lastRun.rowsMoved)} rows`);
    if (s.lastError) out(`Last error: ${s.lastError.message}`);
    out(`Intacct API transactions this month: ${formatCount(s.apiTransactionsThisMonth)}`);
    for (const st of s.streams) {
      out(
        `  ${st.stream.padEnd(18)} ${st.enabled ? 'on ' : 'off'}  checkpoint ${st.checkpoint ? formatLogTime(st.checkpoint) : '-'}  rows in Tableau ${st.totalRowsInTableau ?? '-'}`,
      );
    }
    return EXIT.ok;
  } finally {
    await service.shutdown();
  }
}

async function cmdRuns(dataDir: string, limit: number, json: boolean): Promise<number> {
  const service = await openService(dataDir);
  try {
    const runs = await service.listRuns({ limit });
    if (json) out(JSON.stringify(runs));
    else if (!runs.length) out('No runs yet.');
    else
      for (const r of runs)
        out(
          `${r.runId}  ${r.trigger.padEnd(8)} ${r.outcome.padEnd(9)} ${formatLogTime(r.startedAt)}  ${String(r.rowsMoved).padStart(8)} rows  ${r.error ? r.error.message : ''}`,
        );
    return EXIT.ok;
  } finally {
    await service.shutdown();
  }
}

async function cmdTestConnection(dataDir: string, side: string | undefined): Promise<number> {
  const sides = side ? [side] : ['intacct', 'tableau'];
  if (sides.some((s) => s !== 'intacct' && s !== 'tableau')) throw new UsageError('test-connection takes intacct or tableau');
  const service = await openService(dataDir);
  try {
    let code: number = EXIT.ok;
    for (const s of sides as ('intacct' | 'tableau')[]) {
      const r = await service.testConnection({ side: s });
      out(`${s === 'intacct' ? 'Sage Intacct' : 'Tableau'}: ${r.ok ? 'OK' : 'FAILED'}`);
      for (const step of r.steps) out(`  ${step.ok ? '✓' : '✗'} ${step.name}: ${step.message}`);
      if (!r.ok) code = Math.max(code, r.steps.some((x) => x.name === 'Settings') ? EXIT.config : EXIT.connection);
    }
    return code;
  } finally {
    await service.shutdown();
  }
}

async function cmdFields(dataDir: string, stream: string | undefined, json: boolean): Promise<number> {
  const [name] = streamList(stream, 'fields') ?? [];
  if (!name) throw new UsageError('Usage: fields <stream>, e.g. fields gl_detail');
  const service = await openService(dataDir);
  try {
    const fields = await service.listFields({ stream: name });
    if (json) out(JSON.stringify(fields));
    else {
      for (const f of fields) out(`${f.inStream ? '✓' : ' '} ${f.field.padEnd(28)} ${f.type.padEnd(9)} ${f.isCustom ? 'custom ' : '       '} ${f.label}`);
      out(`✓ = already a column. Add others under streams.extraFields.${name} in settings.json, e.g. [{"field": "GLDIMSALES_CHANNEL", "type": "text"}].`);
    }
    return EXIT.ok;
  } finally {
    await service.shutdown();
  }
}

async function cmdEstimate(dataDir: string, values: Record<string, string | boolean | undefined>): Promise<number> {
  const streams = streamList(values.streams as string | undefined, '--streams');
  const service = await openService(dataDir);
  try {
    const e = await service.estimateFullLoad(streams ? { streams } : undefined);
    if (values.json) out(JSON.stringify(e));
    else {
      const n = formatCount;
      for (const s of e.streams) out(`${s.label.padEnd(26)} ${n(s.rows).padStart(12)} records  ${n(s.apiTransactions).padStart(8)} API transactions`);
      out(`A full load uses about ${n(e.apiTransactions)} API transactions (counting used ${n(e.countingTransactions)}).`);
      out(`This month so far: ${n(e.usedThisMonth)} of ${n(e.monthlyAllowance)} included in Intacct's Tier 1 (more is billed).`);
    }
    return EXIT.ok;
  } finally {
    await service.shutdown();
  }
}

async function cmdAuditExport(dataDir: string, values: Record<string, string | boolean | undefined>): Promise<number> {
  const q = {
    ...(values.run ? { runId: String(values.run) } : {}),
    ...(values.stream ? { stream: streamList(String(values.stream), '--stream')![0]! } : {}),
    ...(values.key ? { recordKey: String(values.key) } : {}),
  };
  const service = await openService(dataDir);
  try {
    if (q.runId && !(await service.getRun({ runId: q.runId })))
      throw new UsageError(`No run "${q.runId}" in ${dataDir}. \`ml-connector runs\` lists the runs.`);
    // Streamed a page of rows at a time (the whole trail can be gigabytes), with backpressure.
    const { lines } = service.auditCsv(q);
    if (values.out) {
      await pipeline(Readable.from(lines), createWriteStream(String(values.out)));
      err(`Wrote ${String(values.out)}`);
    } else {
      for (const line of lines) if (!process.stdout.write(line)) await new Promise((r) => process.stdout.once('drain', r));
    }
    return EXIT.ok;
  } finally {
    await service.shutdown();
  }
}

function demoOptions(dataDir: string, glRows: number | undefined, log: (e: LogEntry) => void) {
  return {
    dataDir: join(dataDir, 'demo'),
    ...(glRows ? { glRows } : {}),
    clock: systemClock,
    fetch: createNodeFetch({}),
    factories: defaultFactories({ projectRoot }),
    ...(process.env.HYPERD_PATH ? { env: { HYPERD_PATH: process.env.HYPERD_PATH } } : {}),
    log,
  };
}

async function cmdDemo(dataDir: string, json: boolean, glRows: number | undefined): Promise<number> {
  const printer = progressPrinter(!json && Boolean(process.stderr.isTTY));
  err('Starting the Sage Intacct and Tableau emulators with the sample company…');
  const { result } = await runDemo(demoOptions(dataDir, glRows, (e) => printer.log(e)));
  if (json) {
    const { ok, streams, durationMs, apiTransactions, auditTrail, models, accountingChecks } = result;
    for (const p of result.problems) err(`Mismatch: ${p}`);
    out(JSON.stringify({ ok, streams, durationMs, apiTransactions, auditTrail, models, accountingChecks }));
  } else {
    out('');
    out(`${'Stream'.padEnd(20)}${'Intacct rows'.padStart(14)}${'Tableau rows'.padStart(14)}  Match`);
    for (const s of result.streams)
      out(`${s.name.padEnd(20)}${String(s.intacctRows).padStart(14)}${String(s.tableauRows).padStart(14)}  ${s.match ? 'yes' : 'NO'}`);
    for (const p of result.problems) out(`  ${p}`);
    if (result.models.length) {
      out('');
      out(`${'Finance model'.padEnd(30)}${'Rows'.padStart(10)}  Data source`);
      for (const m of result.models)
        out(`${m.label.padEnd(30)}${(m.rows === null ? m.outcome : String(m.rows)).padStart(10)}  ${m.datasource}${m.message ? ` (${m.message})` : ''}`);
      const breaks = result.accountingChecks?.checks.flatMap((c) => c.breaks.map((b) => b.message)) ?? [];
      out(
        result.accountingChecks
          ? breaks.length
            ? `Accounting checks: ${breaks.length} break(s): ${breaks.join(' ')}`
            : 'Accounting checks: all hold.'
          : 'Accounting checks: not run.',
      );
    }
    out('');
    out(
      `${result.ok ? 'Demo completed' : 'Demo FAILED'} in ${(result.durationMs / 1000).toFixed(1)} s using ${result.apiTransactions} Intacct API transactions.`,
    );
    out(`Audit trail: ${result.auditTrail} (export with: ml-connector --data-dir ${join(dataDir, 'demo')} audit export --stream gl_detail)`);
  }
  return result.ok ? EXIT.ok : EXIT.runFailed;
}

async function cmdServe(dataDir: string, values: Record<string, string | boolean | undefined>): Promise<number> {
  const port = values.port ? Number(values.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number');
  const staticDir = values.static ? resolve(String(values.static)) : join(projectRoot, 'dist', 'renderer');
  const logLine = (e: LogEntry) => {
    if (e.level !== 'debug') err(`${formatLogTime(e.at)} ${e.level.toUpperCase().padEnd(5)} ${e.message}`);
  };
  let demo: DemoEnvironment | null = null;
  let service: ConnectorService;
  if (values.demo) {
    err('Starting the Sage Intacct and Tableau emulators with the sample company…');
    demo = await startDemoEnvironment(demoOptions(dataDir, values['gl-rows'] ? Number(values['gl-rows']) : undefined, logLine));
    service = demo.service;
  } else {
    service = await openService(dataDir, logLine, undefined, { owner: 'ml-connector serve' });
    const { keychainProblem } = await secretsOfProcess();
    if (keychainProblem)
      err(
        `No keychain answers (${keychainProblem}): secrets typed into the page are kept until the service stops. Set them in the service's environment to keep them (${Object.values(SECRET_ENV).join(', ')}).`,
      );
    service.startScheduler();
  }
  // An unexpected error's answer carries only a reference; its detail goes to stderr with it.
  const onUnexpected = (reference: string, e: unknown) => err(`${formatLogTime(Date.now())} ERROR ${describeUnexpected(reference, e)}`);
  const server = await startServer(service, { port, staticDir, onUnexpected });
  const address = `${server.url}/#token=${server.token}`;
  // The token is the key to the API: print it only to a person at a terminal, never into a log
  // that a service manager (systemd, docker) collects; there it goes to a file only we can read.
  const addressFile = process.stdout.isTTY ? null : join(dataDir, SERVE_ADDRESS_FILE);
  if (addressFile) {
    writePrivateFile(addressFile, `${address}\n`);
    out(`ml-connector is serving on ${server.url}. The address to open, with its access token, is in ${addressFile} (readable by this account only).`);
  } else {
    out(`ml-connector is serving on ${address}`);
  }
  out(`Open that address in a browser on this machine. Press Ctrl-C to stop.`);
  if (demo) void service.syncNow();
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  err('Stopping…');
  if (addressFile) rmSync(addressFile, { force: true });
  await server.close();
  if (demo) await demo.close();
  else await service.shutdown();
  return EXIT.ok;
}

/** Parses the command line and runs the command; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      streams: { type: 'string' },
      'full-reload': { type: 'string' },
      'batch-rows': { type: 'string' },
      json: { type: 'boolean' },
      limit: { type: 'string' },
      run: { type: 'string' },
      stream: { type: 'string' },
      key: { type: 'string' },
      out: { type: 'string' },
      'gl-rows': { type: 'string' },
      port: { type: 'string' },
      demo: { type: 'boolean' },
      static: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  const [command, sub] = positionals;
  // The headless data folder holds the audit trail and the ledger: new files 0600, folders 0700.
  if (process.platform !== 'win32') process.umask(0o077);
  if (values.version) {
    const host = cliHost(projectRoot);
    const hyperdVersion =
      (await defaultFactories({ projectRoot }).hyperdVersion?.({ env: process.env.HYPERD_PATH ? { HYPERD_PATH: process.env.HYPERD_PATH } : {} })) ?? null;
    out(versionText({ version: host.appVersion, hyperdVersion, os: host.os, runtime: host.runtime, dataDir: dataDirOf(values['data-dir']) }));
    return EXIT.ok;
  }
  if (values.help || !command) {
    out(usageText());
    return command || values.help ? EXIT.ok : EXIT.config;
  }
  const dataDir = dataDirOf(values['data-dir']);
  const glRows = values['gl-rows'] ? Number(values['gl-rows']) : undefined;
  if (glRows !== undefined && (!Number.isInteger(glRows) || glRows < 1)) throw new UsageError('--gl-rows must be a positive integer');
  switch (command) {
    case 'sync':
      return cmdSync(dataDir, values);
    case 'status':
      return cmdStatus(dataDir, Boolean(values.json));
    case 'runs': {
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new UsageError(`--limit must be a whole number from 1 to 10000, not "${String(values.limit)}".`);
      return cmdRuns(dataDir, limit, Boolean(values.json));
    }
    case 'test-connection':
      return cmdTestConnection(dataDir, sub);
    case 'fields':
      return cmdFields(dataDir, sub, Boolean(values.json));
    case 'estimate':
      return cmdEstimate(dataDir, values);
    case 'audit':
      if (sub !== 'export') throw new UsageError('Usage: audit export --run <id> | --stream <name> | --key <key>');
      return cmdAuditExport(dataDir, values);
    case 'demo':
      return cmdDemo(dataDir, Boolean(values.json), glRows);
    case 'serve':
      return cmdServe(dataDir, values);
    default:
      throw new UsageError(`Unknown command "${command}".\n${usageText()}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
        err(e.message);
        process.exit(EXIT.config);
      }
      const ce = asConnectorError(e, 'local');
      err(`Error: ${ce.userMessage}`);
      process.exit(exitCodeOfError(ce));
    },
  );
}
