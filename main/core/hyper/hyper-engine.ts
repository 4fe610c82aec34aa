/**
 * One hyperd per app: started on loopback, restarted if it dies, stopped on quit.
 *
 * hyperd is told to listen on `tab.tcp://127.0.0.1:0` (any free port) and to report the port it
 * chose over a "callback connection" to a socket we open first: it connects back and sends
 * `[1 byte length][descriptor]`, e.g. `tab.tcp://127.0.0.1:41981\0`, then keeps that connection
 * open for its whole life and shuts itself down when it closes (the protocol Tableau's own
 * HyperProcess uses, tableau/hyper-api-rust `hyperdb-api/src/process.rs`). So even if Node is
 * killed outright, the OS closes the socket and hyperd exits: no orphan. On a normal exit a
 * process 'exit' hook also sends SIGTERM.
 *
 * Clients speak the PostgreSQL v3 protocol with the ordinary `pg` package (tableau-rest.md §1.3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import pg from 'pg';
import { systemClock, type Clock } from '../clock';
import { HyperEngineError, toHyperError } from './hyper-errors';
import { hyperTypeParsers } from './hyper-types';

/** The role hyperd creates at start and that owns new databases (as Tableau's Hyper API does). */
export const HYPER_USER = 'tableau_internal_user';

export interface HyperEngineOptions {
  hyperdPath: string;
  /** hyperd's own log files go here (the app's log folder). Created if missing. */
  logDir: string;
  /** Working directory of hyperd (temporary spill files); defaults to logDir. */
  workDir?: string;
  clock?: Clock;
  /** How long hyperd may take to start and accept a connection. Default 30 s. */
  startTimeoutMs?: number;
  /** After SIGTERM, how long to wait before SIGKILL. Default 5 s. */
  stopGraceMs?: number;
  /** Unexpected exits tolerated within `restartWindowMs` before giving up. Default 5 in 60 s. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Lifecycle notifications, for the app's log. */
  onEvent?: (e: HyperEngineEvent) => void;
}

export type HyperEngineEvent =
  | { type: 'started'; pid: number; port: number; elapsedMs: number }
  | { type: 'exited'; pid: number; code: number | null; signal: string | null; expected: boolean }
  | { type: 'restart-failed'; message: string }
  | { type: 'stopped' };

/** A running hyperd, shared by everything in the app that reads or writes `.hyper` files. */
export interface HyperEngine {
  /** A new pg client connected to this hyperd, with exact type parsers. The caller must `end()` it. */
  connect(): Promise<pg.Client>;
  /** Runs `fn` with a fresh client and always ends it. */
  withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T>;
  /** Process id of the current hyperd (changes after a restart); -1 while none is running. */
  readonly pid: number;
  /** TCP port of the current hyperd on 127.0.0.1; -1 while none is running. */
  readonly port: number;
  /** How many times hyperd was restarted after dying unexpectedly. */
  readonly restarts: number;
  /** Stops hyperd (graceful, then SIGKILL after the grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  pid: number;
  port: number;
  callback: net.Socket;
  exited: Promise<void>;
  exitHook: () => void;
}

/** hyperd's command line (tableau-rest.md §1.3, flags checked with `hyperd run --help`). */
export function hyperdArgs(callbackPort: number, logDir: string): string[] {
  return [
    'run',
    `--callback-connection=tab.tcp://127.0.0.1:${callbackPort}`,
    '--listen-connection=tab.tcp://127.0.0.1:0',
    `--init-user=${HYPER_USER}`,
    // Only loopback clients of this app connect; there is no password to keep.
    '--no-password',
    '--skip-license',
    // File format 2 opens in every Tableau version that supports the PATCH API (tableau-rest.md §1.3).
    '--default-database-version=2',
    `--log-dir=${logDir}`,
    // Unbounded by default: keep at most ~2 × 10 MB of hyperd logs in the app's log folder.
    '--log-file-size-limit=10m',
    '--log-file-max-count=2',
  ];
}

/** Parses the callback descriptor, e.g. `tab.tcp://127.0.0.1:41981\0` → 41981. */
export function parseCallbackDescriptor(descriptor: string): number {
  const m = /^tab\.tcp:\/\/[^:/]+:(\d+)/.exec(descriptor.replace(/\0/g, '').trim());
  const port = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`unexpected listen descriptor from hyperd: ${JSON.stringify(descriptor)}`);
  return port;
}

class Engine implements HyperEngine {
  private current: Running | null = null;
  private starting: Promise<Running> | null = null;
  private fatal: Error | null = null;
  private stopping = false;
  private restartTimes: number[] = [];
  restarts = 0;

  constructor(private readonly opts: Required<Pick<HyperEngineOptions, 'hyperdPath' | 'logDir' | 'clock' | 'startTimeoutMs' | 'stopGraceMs' | 'maxRestarts' | 'restartWindowMs'>> & HyperEngineOptions) {}

  get pid(): number {
    return this.current?.pid ?? -1;
  }

  get port(): number {
    return this.current?.port ?? -1;
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
        return await openClient(running.port);
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
    const server = net.createServer();
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const callbackPort = (server.address() as net.AddressInfo).port;

    let stderrTail = '';
    let child: ChildProcess;
    try {
      child = spawn(hyperdPath, hyperdArgs(callbackPort, logDir), {
        cwd: this.opts.workDir ?? logDir,
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
      new HyperEngineError(`The Hyper engine did not start: ${why}${stderrTail.trim() ? ` (hyperd said: ${stderrTail.trim().slice(-500)})` : ''}. Its log is in ${logDir}.`, {
        code: 'HYPER_START',
        cause,
      });

    let callback: net.Socket | null = null;
    try {
      const port = await Promise.race([
        readCallback(server).then(({ socket, descriptor }) => {
          callback = socket;
          return parseCallbackDescriptor(descriptor);
        }),
        spawnError,
        exited.then(() => {
          throw new Error(`hyperd exited with ${child.exitCode ?? child.signalCode}`);
        }),
        clock.sleep(this.opts.startTimeoutMs, abort.signal).then(() => {
          throw new Error(`no answer within ${this.opts.startTimeoutMs} ms`);
        }),
      ]);
      // Listening is reported before the first session is served on some builds: retry until it answers.
      for (let attempt = 0; ; attempt++) {
        try {
          const probe = await openClient(port);
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
      const running: Running = { child, pid, port, callback: sock, exited, exitHook };
      this.current = running;
      child.once('exit', (code, signal) => this.onExit(running, code, signal));
      this.opts.onEvent?.({ type: 'started', pid, port, elapsedMs: clock.now() - t0 });
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

/** Accepts hyperd's callback connection and reads `[len][descriptor]`. */
function readCallback(server: net.Server): Promise<{ socket: net.Socket; descriptor: string }> {
  return new Promise((resolve, reject) => {
    server.once('connection', (socket) => {
      let buf = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const len = buf[0];
        if (len !== undefined && buf.length >= 1 + len) {
          socket.removeListener('data', onData);
          resolve({ socket, descriptor: buf.subarray(1, 1 + len).toString('utf8') });
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('end', () => reject(new Error('hyperd closed the callback connection before reporting its port')));
    });
  });
}

async function openClient(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: HYPER_USER, types: hyperTypeParsers });
  // An idle client whose hyperd dies emits 'error'; unhandled, that would crash the app. Pending
  // queries still reject with the error, which is where callers see it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
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
  await engine.start();
  return engine;
}
