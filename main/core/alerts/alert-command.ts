/**
 * The headless service's alert command (issue #12, Medium 2).
 *
 * It is set only in settings.json on disk (saveSettings refuses a change from the window or the API:
 * whoever holds the served token must not get to run programs), and it runs WITHOUT a shell: the
 * text is split into a program and its arguments here, so `;`, `|`, `>`, `$(…)` and `$VAR` have no
 * meaning. Unquoted shell operators are refused with a message (they would otherwise reach the
 * program as odd arguments); quoting gives a literal. The program gets the alert as JSON on stdin
 * and an environment built from an allow-list: nothing of the connector's own secrets
 * (ML_INTACCT_*, ML_TABLEAU_*) or anything else not on the list.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import type { Alert } from '../../../shared/types';

/** Characters a shell would treat as operators or expansions; refused unless quoted. */
const SHELL_OPERATORS = /[|&;<>()`$*?[\]{}]/;

/** A command line that cannot be split into argv: `message` says what to change. */
export class CommandLineError extends Error {}

/**
 * Splits a command line into argv the way a user expects from a shell, without any expansion:
 * whitespace separates words; '…' is literal; "…" is literal except \" and \\; a backslash outside
 * quotes escapes the next character. Throws CommandLineError for an unterminated quote or an
 * unquoted shell operator.
 */
export function parseCommandLine(line: string): string[] {
  const argv: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (/\s/.test(ch)) {
      if (word !== null) argv.push(word);
      word = null;
      continue;
    }
    word ??= '';
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new CommandLineError("a quote (') is not closed");
      word += line.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\')) j++;
        word += line[j];
      }
      if (j >= line.length) throw new CommandLineError('a quote (") is not closed');
      i = j;
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw new CommandLineError('the command ends with a backslash');
      word += line[++i];
    } else if (SHELL_OPERATORS.test(ch) || (ch === '~' && word === '')) {
      throw new CommandLineError(
        `"${ch}" is a shell operator, and the alert command runs without a shell (no pipes, redirections, variables or wildcards). Put that logic in a script and name the script here, or quote the character to pass it literally.`,
      );
    } else {
      word += ch;
    }
  }
  if (word !== null) argv.push(word);
  return argv;
}

/** Why `command` cannot be run, or null when it can (settings validation uses this). */
export function alertCommandProblem(command: string): string | null {
  if (command.trim() === '') return null;
  try {
    parseCommandLine(command);
    return null;
  } catch (err) {
    return `The alert command cannot be used: ${(err as Error).message}`;
  }
}

/**
 * Variables a child process may inherit: what programs need to run and find things (path, home,
 * locale, time zone, temp folder; Windows' system folders). Everything else, secrets first, stays.
 */
const CHILD_ENV_ALLOWED =
  /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|TEMP|TMP|SystemRoot|SYSTEMROOT|windir|WINDIR|ComSpec|COMSPEC|PATHEXT|SystemDrive|USERPROFILE|APPDATA|LOCALAPPDATA)$/;

/** The environment for a child the connector starts, from `source` (passed in: the core reads no environment). */
export function childEnvironment(source: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) if (v !== undefined && CHILD_ENV_ALLOWED.test(k)) out[k] = v;
  return out;
}

export interface AlertCommandOptions {
  /** The environment to pass (already filtered by the caller with `childEnvironment`). */
  env: Record<string, string>;
  /** Where the command's own error output and start failures go. */
  onError?: (message: string) => void;
  spawn?: typeof nodeSpawn;
}

/** Runs the alert command once, without a shell, with the alert as JSON on stdin. */
export function runAlertCommand(command: string, alert: Alert, opts: AlertCommandOptions): void {
  let argv: string[];
  try {
    argv = parseCommandLine(command);
  } catch (err) {
    opts.onError?.(`Alert command not run: ${(err as Error).message}`);
    return;
  }
  const [program, ...args] = argv;
  if (!program) return;
  const child = (opts.spawn ?? nodeSpawn)(program, args, { shell: false, stdio: ['pipe', 'ignore', 'inherit'], env: opts.env, windowsHide: true });
  child.on('error', (e) => opts.onError?.(`Alert command failed to start: ${e.message}`));
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(`${JSON.stringify(alert)}\n`);
}
