/**
 * Runs a Node script of the project as a child process (with tsx) and collects its output.
 */
import { spawn } from 'node:child_process';

export interface NodeRunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx <script> ...args`, with extra environment values. */
export function runNodeScript(script: string, args: readonly string[], env: Record<string, string> = {}): Promise<NodeRunResult> {
  return runCommand(process.execPath, ['--import', 'tsx', script, ...args], env);
}

/** Any program, without blocking this process (emulators in it may have to answer the child). */
export function runCommand(program: string, args: readonly string[], env: Record<string, string> = {}): Promise<NodeRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
