/** `ml-connector --help`: one line per command, the stream names and the secret variables. */
import { streamDefinitions } from '../core/streams/definitions';
import { SECRET_ENV } from './secret-env';

/** Documented exit codes. */
export const EXIT = { ok: 0, runFailed: 1, config: 2, connection: 3, cancelled: 130 } as const;

/** A mistake on the command line: printed as it is, exit 2. */
export class UsageError extends Error {}

export const COMMANDS: readonly { syntax: string; does: string }[] = [
  { syntax: 'sync [--streams a,b] [--full-reload a,b] [--batch-rows n]', does: 'one run now, with progress' },
  { syntax: 'status [--json]', does: "state, last run and each table's checkpoint" },
  { syntax: 'runs [--limit n] [--json]', does: 'recent runs, newest first' },
  { syntax: 'test-connection [intacct|tableau]', does: 'checks the connection step by step' },
  { syntax: 'fields <stream> [--json]', does: "a stream's Intacct fields, to add as extra fields" },
  { syntax: 'estimate [--streams a,b] [--json]', does: 'records and API transactions of a full load' },
  { syntax: 'audit export (--run id | --stream s | --key k) [--out file]', does: 'the audit trail as CSV' },
  { syntax: 'demo [--json] [--gl-rows n]', does: 'a full sync of the sample company, offline' },
  { syntax: 'serve [--port n] [--demo] [--static dir]', does: 'scheduler and the web UI on this machine' },
];

/**
 * "gl_account (GL accounts), vendor (Vendors), …": the names are what --streams, fields and audit
 * export take; the labels are what the window and `status` show, so a user can match the two.
 */
export function streamNamesText(): string {
  return streamDefinitions.map((d) => `${d.name} (${d.label})`).join(', ');
}

export function usageText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.syntax.length));
  return [
    'Usage: ml-connector [--data-dir <dir>] <command>',
    ...COMMANDS.map((c) => `  ${c.syntax.padEnd(width)}  ${c.does}`),
    `Streams: ${streamNamesText()}`,
    `Secret variables (they win over the OS keychain, shared with the desktop app; with no keychain a secret typed into serve's page lasts until it stops): ${Object.values(SECRET_ENV).join(', ')}`,
    'Options: --data-dir <dir> (default $XDG_DATA_HOME/ml-connector, else ~/.ml-connector), --help, --version (app and hyperd versions, data folder)',
    `Exit codes: ${EXIT.ok} ok, ${EXIT.runFailed} run failed or partial, ${EXIT.config} configuration or usage error, ${EXIT.connection} connection failed, ${EXIT.cancelled} cancelled.`,
  ].join('\n');
}

interface FailureLike {
  code?: string | undefined;
  kind?: string | undefined;
  service: string;
}

/** The exit code of a failure: settings are 2; Intacct or Tableau refusing or unreachable is 3. */
export function exitCodeOfError(e: FailureLike): number {
  if (e.code === 'NOT_CONFIGURED' || (e.kind === 'config' && (e.service === 'local' || e.service === 'hyper'))) return EXIT.config;
  if ((e.service === 'intacct' || e.service === 'tableau') && (e.kind === 'config' || e.kind === 'transient')) return EXIT.connection;
  return e.kind === 'config' ? EXIT.config : EXIT.runFailed;
}

/** A finished run's exit code: "connection failed" only when the run moved nothing. */
export function exitCodeOfRun(run: { outcome: string; rowsMoved: number; error?: FailureLike | null }): number {
  if (run.outcome === 'succeeded') return EXIT.ok;
  if (run.outcome === 'cancelled') return EXIT.cancelled;
  if (!run.error) return EXIT.runFailed;
  const code = exitCodeOfError(run.error);
  if (code === EXIT.config) return code;
  return code === EXIT.connection && run.outcome === 'failed' && run.rowsMoved === 0 ? code : EXIT.runFailed;
}
