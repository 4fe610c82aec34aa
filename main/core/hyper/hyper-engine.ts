/**
 * One hyperd per app: reachable by the connector alone, restarted if it dies, stopped on quit.
 *
 * Who can reach it (issue #12, High 1). hyperd speaks the PostgreSQL protocol to anyone who can open
 * its socket and, by default, reads and writes any file its OS user can through `external(...)`,
 * `COPY … TO '<file>'` and `CREATE DATABASE "<path>"`. So:
 * - on Linux and macOS it listens on a Unix domain socket (`tab.domain://<dir>/domain/.s.PGSQL.<n>`,
 *   `hyperd --help`) inside a folder made for this engine with mode 0700: another local account
 *   cannot open the folder, so it cannot connect. No TCP port is opened. On Windows (no tested pipe
 *   route for `pg` here) it stays on a loopback TCP port, guarded by the password below;
 * - the init user has a random per-engine password (`HYPER_INITIAL_USER_PASSWORD`, read by hyperd
 *   at start in place of `--no-password`), so a client that reaches the socket still needs it;
 * - hyperd gets a minimal environment: its password and what the host chose to pass (`env`), never
 *   the process's own (the headless service holds its ML_* secrets there, and `external()` on
 *   `/proc/self/environ` would hand them to any client);
 * - external files are off: `external_file_blacklist` is `/` and the whitelist an empty folder, so
 *   `external(...)` and `COPY … TO '<file>'` answer "The file is inaccessible" (checked against
 *   hyperd 9.1 in test/unit/core/hyper/hyper-engine-isolation.test.ts); the payload writer only
 *   uses `COPY … FROM STDIN` / `TO STDOUT`;
 * - with `databaseDirs`, the `storage_providers` whitelist confines database files to those folders.
 *
 * hyperd reports where it listens over a "callback connection" to a socket we open first (in the
 * same 0700 folder): it connects back and sends `[1 byte length][descriptor]`, e.g.
 * `tab.domain:///tmp/mlc-hyperd-x/domain/.s.PGSQL.1\0`, then keeps that connection open for its whole
 * life and shuts itself down when it closes (the protocol Tableau's own HyperProcess uses,
 * tableau/hyper-api-rust `hyperdb-api/src/process.rs`). So even if Node is killed outright, the OS
 * closes the socket and hyperd exits: no orphan. On a normal exit a process 'exit' hook also sends
 * SIGTERM.
 *
 * Clients speak the PostgreSQL v3 protocol with the ordinary `pg` package (tableau-rest.md §1.3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import type pg from 'pg';
import { systemClock } from '../clock';
import { HyperEngineError, toHyperError } from './hyper-errors';
import { hyperdArgs, parseCallbackDescriptor, type HyperdListen, type PgTarget } from './hyperd-command';
import type { HyperEngine, HyperEngineOptions } from './hyper-engine-options';
import { closedOrAfter, openClient, readCallback } from './hyperd-sockets';

// Re-exported: callers and tests import the engine's launch details from here.
export {
  HYPER_USER,
  hyperdArgs,
  hyperdEnvironment,
  parseCallbackDescriptor,
  storageProvidersSetting,
  type HyperdListen,
  type PgTarget,
} from './hyperd-command';
export type { HyperEngine, HyperEngineEvent, HyperEngineOptions } from './hyper-engine-options';

interface Running {
  child: ChildProcess;
  pid: number;
  target: PgTarget;
  endpoint: string;
  callback: net.Socket;
  exited: Promise<void>;
  exitHook: () => void;
}

class Engine implements HyperEngine {
  private current: Running | null = null;
  private starting: Promise<Running> | null = null;
  private fatal: Error | null = null;
  private stopping = false;
  private restartTimes: number[] = [];
  private launches = 0;
  /** This engine's private folder (mode 0700): sockets, and the empty "external files" folder. */
  private readonly socketDir: string;
  private readonly password = randomBytes(24).toString('hex');
  private readonly posix: boolean;
  private readonly databaseDirs: string[] | undefined;
  restarts = 0;

  constructor(
    private readonly opts: Required<
      Pick<HyperEngineOptions, 'hyperdPath' | 'logDir' | 'clock' | 'startTimeoutMs' | 'stopGraceMs' | 'maxRestarts' | 'restartWindowMs'>
    > &
      HyperEngineOptions,
  ) {
    this.posix = (opts.platform ?? process.platform) !== 'win32';
    // mkdtemp makes the folder 0700 and unique; chmod again in case a umask or ACL widened it.
    this.socketDir = mkdtempSync(join(opts.socketParent ?? tmpdir(), 'mlc-hyperd-'));
    if (this.posix) chmodSync(this.socketDir, 0o700);
    mkdirSync(join(this.socketDir, 'no-files'), { mode: 0o700 });
    // Canonical paths: hyperd canonicalises database paths before matching them to the whitelist.
    this.databaseDirs = opts.databaseDirs?.map((d) => {
      mkdirSync(d, { recursive: true });
      return realpathSync(d);
    });
  }

  get pid(): number {
    return this.current?.pid ?? -1;
  }

  get port(): number {
    const t = this.current?.target;
    return t && !t.host.startsWith('/') ? t.port : -1;
  }

  get endpoint(): string {
    return this.current?.endpoint ?? '';
  }

  /** Removes the private socket folder (after hyperd has stopped, or when it never started). */
  removeSocketDir(): void {
    rmSync(this.socketDir, { recursive: true, force: true });
  }

  /** First start; rejects if hyperd cannot start. */
  async start(): Promise<void> {
    this.starting = this.launch();
    try {
      await this.starting;
    } finally {
      this.starting = null;
    }
  }

  async connect(): Promise<pg.Client> {
    // hyperd may die between ready() and the connect (its exit is seen a moment later): wait for
    // the exit or a short pause, then try the current (possibly restarted) hyperd again.
    for (let attempt = 1; ; attempt++) {
      const running = await this.ready();
      try {
        return await openClient(running.target, this.password);
      } catch (err) {
        if (this.stopping || attempt >= 4) throw toHyperError(err, 'connect');
        const pause = new AbortController();
        await Promise.race([running.exited, this.opts.clock.sleep(100 * attempt, pause.signal).catch(() => undefined)]);
        pause.abort();
      }
    }
  }

  async withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async ready(): Promise<Running> {
    for (;;) {
      if (this.stopping) throw new HyperEngineError('The Hyper engine has been stopped.', { code: 'HYPER_STOPPED' });
      if (this.fatal) throw this.fatal;
      if (this.current && this.current.child.exitCode === null && this.current.child.signalCode === null) return this.current;
      if (this.starting) {
        await this.starting.catch(() => undefined);
        continue;
      }
      // Died and the exit handler has not run yet: it will set `starting`; give it a turn.
      await this.opts.clock.sleep(10);
    }
  }

  private async launch(): Promise<Running> {
    const { clock, hyperdPath, logDir } = this.opts;
    const t0 = clock.now();
    mkdirSync(logDir, { recursive: true });
    if (this.opts.workDir) mkdirSync(this.opts.workDir, { recursive: true });
    const n = ++this.launches;
    const server = net.createServer();
    server.on('error', () => undefined);
    // POSIX: the callback is a socket in the 0700 folder too, so no other user can pose as hyperd.
    const callbackPath = join(this.socketDir, `cb-${n}`);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (this.posix) server.listen(callbackPath, () => resolve());
      else server.listen(0, '127.0.0.1', () => resolve());
    });
    const listen: HyperdListen = this.posix
      ? { callback: `tab.domain://${this.socketDir}/domain/cb-${n}`, listen: `tab.domain://${this.socketDir}/domain/.s.PGSQL.${n}` }
      : { callback: `tab.tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`, listen: 'tab.tcp://127.0.0.1:0' };

    let stderrTail = '';
    let child: ChildProcess;
    try {
      const args = hyperdArgs(listen, logDir, {
        noFilesDir: join(this.socketDir, 'no-files'),
        ...(this.opts.readableFilesDir ? { readableFilesDir: realpathSync(this.opts.readableFilesDir) } : {}),
        posix: this.posix,
        ...(this.databaseDirs ? { databaseDirs: this.databaseDirs } : {}),
      });
      child = spawn(hyperdPath, args, {
        cwd: this.opts.workDir ?? logDir,
        // Only what the host chose, plus the password: never the connector's own environment.
        env: { ...(this.opts.env ?? {}), HYPER_INITIAL_USER_PASSWORD: this.password },
        stdio: ['ignore', 'ignore', 'pipe'],
        windowsHide: true,
        // Own process group: a Ctrl-C in a terminal reaches Node, which then stops hyperd in order.
        detached: process.platform !== 'win32',
      });
    } catch (err) {
      server.close();
      throw new HyperEngineError(`The Hyper engine could not be started from "${hyperdPath}".`, { code: 'HYPER_SPAWN', cause: err });
    }
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      stderrTail = (stderrTail + d).slice(-4000);
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    spawnError.catch(() => undefined);

    const abort = new AbortController();
    const deadline = t0 + this.opts.startTimeoutMs;
    const failure = (why: string, cause?: unknown) =>
      new HyperEngineError(
        `The Hyper engine did not start: ${why}${stderrTail.trim() ? ` (hyperd said: ${stderrTail.trim().slice(-500)})` : ''}. Its log is in ${logDir}.`,
        {
          code: 'HYPER_START',
          cause,
        },
      );

    let callback: net.Socket | null = null;
    let endpoint = '';
    try {
      const target = await Promise.race([
        readCallback(server).then(({ socket, descriptor }) => {
          callback = socket;
          endpoint = descriptor.replace(/\0/g, '').trim();
          const t = parseCallbackDescriptor(descriptor);
          // It must listen where we asked (the private folder), not somewhere a descriptor names.
          if (this.posix && (t.host !== this.socketDir || t.port !== n)) throw new Error(`hyperd listens at ${endpoint}, not in ${this.socketDir}`);
          return t;
        }),
        spawnError,
        exited.then(async () => {
          // Its last stderr lines (the reason) can arrive after 'exit': let the pipes drain first.
          await closedOrAfter(child, 500);
          throw new Error(`hyperd exited with ${child.exitCode ?? child.signalCode}`);
        }),
        clock.sleep(this.opts.startTimeoutMs, abort.signal).then(() => {
          throw new Error(`no answer within ${this.opts.startTimeoutMs} ms`);
        }),
      ]);
      // Listening is reported before the first session is served on some builds: retry until it answers.
      for (let attempt = 0; ; attempt++) {
        try {
          const probe = await openClient(target, this.password);
          await probe.query('SELECT 1');
          await probe.end();
          break;
        } catch (err) {
          if (child.exitCode !== null || child.signalCode !== null || clock.now() > deadline) throw err;
          await clock.sleep(Math.min(50 * 2 ** attempt, 500));
        }
      }
      abort.abort();
      server.close();
      const pid = child.pid ?? -1;
      const exitHook = () => {
        // Best effort on Node's way out; the closed callback socket stops hyperd anyway.
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      };
      process.on('exit', exitHook);
      const sock = callback as unknown as net.Socket;
      sock.on('error', () => undefined);
      // Neither hyperd nor its sockets keep Node alive: when Node exits, hyperd follows it.
      sock.unref();
      child.unref();
      (child.stderr as net.Socket | null)?.unref?.();
      const running: Running = { child, pid, target, endpoint, callback: sock, exited, exitHook };
      this.current = running;
      child.once('exit', (code, signal) => this.onExit(running, code, signal));
      this.opts.onEvent?.({ type: 'started', pid, port: this.port, endpoint, elapsedMs: clock.now() - t0 });
      return running;
    } catch (err) {
      abort.abort();
      server.close();
      (callback as net.Socket | null)?.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      throw err instanceof HyperEngineError ? err : failure(err instanceof Error ? err.message : String(err), err);
    }
  }

  private onExit(running: Running, code: number | null, signal: NodeJS.Signals | null): void {
    process.removeListener('exit', running.exitHook);
    running.callback.destroy();
    const expected = this.stopping || this.current !== running;
    this.opts.onEvent?.({ type: 'exited', pid: running.pid, code, signal, expected });
    if (this.current === running) this.current = null;
    if (expected) return;

    const now = this.opts.clock.now();
    this.restartTimes = this.restartTimes.filter((t) => now - t < this.opts.restartWindowMs);
    if (this.restartTimes.length >= this.opts.maxRestarts) {
      this.fatal = new HyperEngineError(
        `The Hyper engine stopped ${this.restartTimes.length + 1} times within ${Math.round(this.opts.restartWindowMs / 1000)} s and was not restarted again. Its log is in ${this.opts.logDir}.`,
        { code: 'HYPER_CRASH_LOOP' },
      );
      this.opts.onEvent?.({ type: 'restart-failed', message: this.fatal.message });
      return;
    }
    this.restartTimes.push(now);
    this.restarts++;
    const attempt = this.launch();
    this.starting = attempt;
    attempt.then(
      () => {
        // If stop() came in meanwhile it awaits `starting` and then stops the newcomer.
        if (this.starting === attempt) this.starting = null;
      },
      (err: unknown) => {
        if (this.starting === attempt) this.starting = null;
        this.fatal = err instanceof Error ? err : new Error(String(err));
        this.opts.onEvent?.({ type: 'restart-failed', message: this.fatal.message });
      },
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.starting) await this.starting.catch(() => undefined);
    const running = this.current;
    this.current = null;
    if (running) await this.terminate(running);
    this.removeSocketDir();
    this.opts.onEvent?.({ type: 'stopped' });
  }

  private async terminate(running: Running): Promise<void> {
    const { child } = running;
    process.removeListener('exit', running.exitHook);
    if (child.exitCode === null && child.signalCode === null) {
      // Closing the callback connection asks hyperd to shut down cleanly; SIGTERM does the same.
      running.callback.destroy();
      child.kill('SIGTERM');
      const abort = new AbortController();
      const graceOver = this.opts.clock.sleep(this.opts.stopGraceMs, abort.signal).then(
        () => true,
        () => false,
      );
      const killed = await Promise.race([running.exited.then(() => false), graceOver]);
      abort.abort();
      if (killed && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await running.exited;
  }
}

/**
 * Starts hyperd and resolves once it accepts connections.
 *
 * Throws HyperEngineError (with hyperd's own last words and the log folder) when it cannot start.
 */
export async function startHyperEngine(opts: HyperEngineOptions): Promise<HyperEngine> {
  const engine = new Engine({
    ...opts,
    clock: opts.clock ?? systemClock,
    startTimeoutMs: opts.startTimeoutMs ?? 30_000,
    stopGraceMs: opts.stopGraceMs ?? 5_000,
    maxRestarts: opts.maxRestarts ?? 5,
    restartWindowMs: opts.restartWindowMs ?? 60_000,
  });
  try {
    await engine.start();
  } catch (err) {
    engine.removeSocketDir();
    throw err;
  }
  return engine;
}
