/**
 * One process owns a data folder (issue #12, Medium 8).
 *
 * The owner runs syncs, the scheduler and crash recovery (marking runs a crash left 'running' as
 * interrupted, deleting payload files, discarding staged ledger rows). Two owners on one folder
 * undo each other's work: a second `serve` signs the first out of Tableau, and recovery run by a
 * `status` during a sync marks that live run interrupted and deletes its payloads. So the owner
 * holds `<data folder>/connector.lock`, created exclusively (O_EXCL) and holding its pid, host and
 * start time. A second process is refused with that information; a lock left by a process that no
 * longer exists (same host, pid gone) is taken over. Read-only front doors (`status`, `runs`,
 * `audit export`…) do not take the lock and do not run recovery.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConnectorError, ValidationError } from '../errors';
import { formatUtcMinute } from '../../../shared/format';

export const LOCK_FILE = 'connector.lock';

/** What the lock file holds. */
export interface LockInfo {
  pid: number;
  host: string;
  startedAt: number;
  /** What the owner is (e.g. "serve", "sync", "desktop app"). */
  owner: string;
  /** Tells this holder's lock from another's (same pid after a restart in one process). */
  token: string;
}

/** A held lock. */
export interface DataFolderLock {
  readonly path: string;
  readonly info: LockInfo;
  /** Removes the lock file if it is still ours. */
  release(): void;
}

/** True when a process with this pid exists on this machine (EPERM: it exists, owned by another user). */
function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    return typeof v.pid === 'number' ? (v as LockInfo) : null;
  } catch {
    return null;
  }
}

/** Who holds the folder's lock now (a live process), or null. */
export function dataFolderOwner(dataDir: string): LockInfo | null {
  const info = readLock(join(dataDir, LOCK_FILE));
  if (!info) return null;
  if (info.host !== hostname()) return info;
  return pidAlive(info.pid) ? info : null;
}

export class DataFolderLockedError extends ValidationError {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super({
      code: 'DATA_FOLDER_LOCKED',
      userMessage:
        `Another ml-connector (${holder.owner}, process ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''}, running since ${formatUtcMinute(holder.startedAt)}) ` +
        `owns the data folder ${dataDir}. Only one may sync from a folder: stop that one first, or use its web UI. ` +
        `status, runs and audit export can read the folder meanwhile.`,
    });
  }
}

/**
 * Takes the folder's lock for this process, or throws DataFolderLockedError naming the holder.
 * A lock whose process is gone (same host) is taken over; so is one this very process holds
 * (a service reopened after a simulated crash in tests).
 */
export function acquireDataFolderLock(dataDir: string, owner: string, now: number = Date.now()): DataFolderLock {
  const path = join(dataDir, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: now, owner, token: randomBytes(8).toString('hex') };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(path);
      // An unreadable lock is one being written right now (or garbage): look again shortly.
      if (!holder) {
        if (attempt < 4) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
          continue;
        }
      } else if (holder.host !== hostname() || (holder.pid !== process.pid && pidAlive(holder.pid))) {
        throw new DataFolderLockedError(dataDir, holder);
      }
      // Stale (its process is gone), ours, or garbage: remove it and try again.
      try {
        unlinkSync(path);
      } catch {
        /* another process took it over first; the next attempt sees its lock */
      }
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(info)}\n`);
    } finally {
      closeSync(fd);
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.removeListener('exit', release);
      if (readLock(path)?.token === info.token) {
        try {
          unlinkSync(path);
        } catch {
          /* already gone */
        }
      }
    };
    // A normal exit without shutdown (process.exit) still frees the folder; a kill leaves a stale lock.
    process.on('exit', release);
    return { path, info, release };
  }
  const holder = readLock(path);
  if (holder) throw new DataFolderLockedError(dataDir, holder);
  throw new ConnectorError({
    service: 'local',
    kind: 'system',
    retryable: false,
    code: 'LOCK_FAILED',
    userMessage: `The lock file ${path} could not be created.`,
  });
}
