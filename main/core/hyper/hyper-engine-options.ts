/**
 * What a Hyper engine is to its users (the payload writer, the reader, the service): its options,
 * its lifecycle events and its interface. The engine itself is hyper-engine.ts.
 */
import type pg from 'pg';
import type { Clock } from '../clock';

/** Options for `startHyperEngine`. */
export interface HyperEngineOptions {
  hyperdPath: string;
  /** hyperd's own log files go here (the app's log folder). Created if missing. */
  logDir: string;
  /** Working directory of hyperd (temporary spill files); defaults to logDir. */
  workDir?: string;
  /**
   * Folders where hyperd may create and open database files (the payload folder). Absent: any
   * folder its user can write (tests and the emulator write wherever their temp folder is).
   */
  databaseDirs?: string[];
  /**
   * A folder whose files hyperd may read with `COPY … FROM '<file>'`: for bench:tableau's reference
   * load of a CSV file only. Absent (the product, always): hyperd opens no external file at all.
   */
  readableFilesDir?: string;
  /**
   * The environment hyperd runs with, chosen by the host (e.g. `SystemRoot` on Windows). Nothing of
   * the connector's own environment is passed on. Default: none.
   */
  env?: Record<string, string>;
  /** Where the engine's private 0700 socket folder is made; default the OS temp folder. */
  socketParent?: string;
  /** Platform override for tests (socket vs TCP). Defaults to the running one. */
  platform?: NodeJS.Platform;
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
  | { type: 'started'; pid: number; port: number; endpoint: string; elapsedMs: number }
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
  /** TCP port of the current hyperd on 127.0.0.1; -1 while none is running or when it listens on a domain socket. */
  readonly port: number;
  /** Where the current hyperd listens, as it reported it (`tab.domain://…` or `tab.tcp://…`); '' while none is running. */
  readonly endpoint: string;
  /** How many times hyperd was restarted after dying unexpectedly. */
  readonly restarts: number;
  /** Stops hyperd (graceful, then SIGKILL after the grace period) and waits for it to exit. */
  stop(): Promise<void>;
}
