/**
 * The version of a hyperd executable, for About and the support bundle (issue #14 "About").
 * `hyperd --version` prints "Hyper version main.0.0.26359.r07abb490" and writes a log file next to
 * the executable unless told where (checked by hand on the npm package's hyperd), so it gets a
 * temporary log folder that is removed afterwards; it gets no environment of ours.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** "main.0.0.26359.r07abb490" from hyperd's `--version` output, or null when it says no version. */
export function parseHyperdVersion(output: string): string | null {
  return /Hyper version (\S+)/.exec(output)?.[1] ?? null;
}

/** Runs `hyperd --version`; rejects when it fails or times out, null when it prints no version. */
export async function readHyperdVersion(hyperdPath: string, opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<string | null> {
  const logDir = await mkdtemp(join(tmpdir(), 'ml-hyperd-version-'));
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(hyperdPath, ['--version', `--log-dir=${logDir}`], { timeout: opts.timeoutMs ?? 10_000, env: opts.env ?? {}, encoding: 'utf8' }, (err, out) =>
        err ? reject(err) : resolve(out),
      );
    });
    return parseHyperdVersion(stdout);
  } finally {
    await rm(logDir, { recursive: true, force: true });
  }
}
