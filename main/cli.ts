/**
 * `ml-connector`: the headless front door (issue #4 "CLI"). Runs the same core service as the tray
 * app under plain Node: `node --import tsx main/cli.ts <command>` or `bin/ml-connector.mjs`.
 *
 * Commands, streams, secret variables and exit codes: `usageText()` in cli/usage.ts (`--help`).
 * Secrets come from the environment, else the OS keychain (cli/secret-env.ts); never written to a file.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { systemClock } from './core/clock';
import { createNodeFetch } from './core/http/transport';
import type { ConnectorService } from './core/service/connector-service';
import { defaultFactories } from './core/service/default-factories';
import { intacctCredentials, tableauAuth } from './core/service/runtime';
import { runDemo, startDemoEnvironment, type DemoEnvironment } from './demo';
import { startServer } from './core/server';
import { describeUnexpected } from './core/api/error-envelope';
import { asConnectorError } from './core/errors';
import type { LogEntry, ServiceEvent, StreamName } from '../shared/types';
import { EXIT, UsageError, exitCodeOfError, exitCodeOfRun, usageText } from './cli/usage';
import { SECRET_ENV } from './cli/secret-env';
import { formatCount, formatLogTime } from '../shared/format';
import { cliHost, versionText } from './cli/about';
import {
  projectRoot,
  out,
  err,
  SERVE_ADDRESS_FILE,
  writePrivateFile,
  dataDirOf,
  streamList,
  progressPrinter,
  secretsOfProcess,
  openService,
  onInterrupt,
  labels,
} from './cli/cli-context';
import { cmdStatus, cmdRuns, cmdTestConnection, cmdFields, cmdEstimate, cmdAuditExport } from './cli/read-commands';

export { EXIT, exitCodeOfRun as exitCodeOf, SERVE_ADDRESS_FILE };

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
    // Tables by the labels the window uses; the names are only for typing (--help lists both).
    const label = (name: string) => labels.get(name as StreamName) ?? name;
    const width = Math.max(6, ...result.streams.map((s) => label(s.name).length)) + 2;
    out(`${'Table'.padEnd(width)}${'Intacct rows'.padStart(14)}${'Tableau rows'.padStart(14)}  Match`);
    for (const s of result.streams)
      out(`${label(s.name).padEnd(width)}${formatCount(s.intacctRows).padStart(14)}${formatCount(s.tableauRows).padStart(14)}  ${s.match ? 'yes' : 'NO'}`);
    for (const p of result.problems) out(`  ${p}`);
    if (result.models.length) {
      out('');
      out(`${'Finance model'.padEnd(30)}${'Rows'.padStart(10)}  Data source`);
      for (const m of result.models)
        out(`${m.label.padEnd(30)}${(m.rows === null ? m.outcome : formatCount(m.rows)).padStart(10)}  ${m.datasource}${m.message ? ` (${m.message})` : ''}`);
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

/**
 * Exits once stdout and stderr have taken everything written to them. A pipe's writes can be
 * queued (a reader slower than the CLI, or a pipe another process set non-blocking), and
 * `process.exit` drops a queue: `audit export | wc -l` lost its last lines about one run in ten.
 * An empty write's callback runs after the writes before it (Node stream.Writable: writes are ordered).
 */
function exitWhenFlushed(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(exitWhenFlushed, (e: unknown) => {
    if (e instanceof UsageError || (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      err(e.message);
      return exitWhenFlushed(EXIT.config);
    }
    const ce = asConnectorError(e, 'local');
    err(`Error: ${ce.userMessage}`);
    exitWhenFlushed(exitCodeOfError(ce));
  });
}
