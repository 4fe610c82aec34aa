/**
 * The data folder at start (issue #12): one owner (a lock with its pid; stale locks taken over),
 * damaged databases found by PRAGMA quick_check and named with what to do, readers that never run
 * crash recovery.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ManualClock } from '../../../../main/core/clock';
import { createConnectorService, type CoreDeps } from '../../../../main/core/service/connector-service';
import { acquireDataFolderLock, DataFolderLockedError, LOCK_FILE } from '../../../../main/core/service/data-folder-lock';
import { memorySecretStore, memorySettingsStore } from '../../../../main/core/service/stores';
import { openStore } from '../../../../main/core/store';
import { openLedger } from '../../../../main/core/sync/ledger';

const root = mkdtempSync(join(tmpdir(), 'mlc-datafolder-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = join(root, `d${++n}`);
  mkdirSync(d);
  return d;
};
const deps = (dataDir: string, extra: Partial<CoreDeps> = {}): CoreDeps => ({
  clock: new ManualClock(Date.UTC(2026, 0, 15)),
  fetch: async () => new Response(''),
  secrets: memorySecretStore(),
  settings: memorySettingsStore(),
  dataDir,
  ...extra,
});

describe('data folder lock', () => {
  it('refuses a second process while the owner lives, naming its pid, and takes over once it is gone', async () => {
    const dir = freshDir();
    const script = join(root, 'holder.mts');
    writeFileSync(
      script,
      `import { acquireDataFolderLock } from ${JSON.stringify(resolve('main/core/service/data-folder-lock.ts'))};\n` +
        `acquireDataFolderLock(${JSON.stringify(dir)}, 'test holder');\nconsole.log('locked');\nsetInterval(() => undefined, 1000);\n`,
    );
    const holder = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      holder.stdout!.once('data', () => res());
      holder.once('exit', () => rej(new Error('holder exited')));
    });
    try {
      assert.throws(
        () => acquireDataFolderLock(dir, 'second'),
        (e: unknown) =>
          e instanceof DataFolderLockedError &&
          e.holder.pid === holder.pid &&
          new RegExp(`test holder, process ${holder.pid}\\b`).test(e.userMessage) &&
          e.userMessage.includes(dir),
      );
      await assert.rejects(createConnectorService(deps(dir)), DataFolderLockedError);
    } finally {
      const exited = new Promise((r) => holder.once('exit', r));
      holder.kill('SIGKILL');
      await exited;
    }
    // SIGKILL left the file behind with a pid that no longer exists: it is taken over.
    assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, holder.pid);
    const lock = acquireDataFolderLock(dir, 'next owner');
    assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
    lock.release();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });

  it('is taken by an owner service and released at shutdown; a reader takes none and runs no recovery', async () => {
    const dir = freshDir();
    const owner = await createConnectorService(deps(dir));
    assert.ok(existsSync(join(dir, LOCK_FILE)));
    // A run in flight and its payload, as a reader opening the folder meets them.
    const side = openStore(join(dir, 'connector.sqlite'));
    side.startRun({ runId: 'live', trigger: 'manual', startedAt: 1 });
    side.close();
    writeFileSync(join(dir, 'payloads', 'x.hyper'), 'in flight');
    const side2 = openStore(join(dir, 'connector.sqlite'));
    openLedger(side2.database, { discardStaged: false }).stage('req-1', 'vendor', [{ key: 'V1', hash: 'h', op: 'upsert' }]);
    side2.close();

    const reader = await createConnectorService(deps(dir, { access: 'reader' }));
    assert.equal((await reader.listRuns()).find((r) => r.runId === 'live')?.outcome, 'running');
    assert.ok(existsSync(join(dir, 'payloads', 'x.hyper')));
    const r = await reader.syncNow();
    assert.equal(r.started, false);
    await reader.shutdown();
    // The staged batch survived the reader: committing it still makes it held.
    const againStore = openStore(join(dir, 'connector.sqlite'));
    const again = openLedger(againStore.database, { discardStaged: false });
    again.commit('req-1', 'vendor');
    assert.equal(again.count('vendor'), 1);
    againStore.close();

    await owner.shutdown();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });
});

describe('database check at start', () => {
  it('names a ledger.sqlite that is not a database and says what to do; the lock is released', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'ledger.sqlite'), Buffer.alloc(8192, 0x41));
    await assert.rejects(createConnectorService(deps(dir)), (e: unknown) => {
      const m = (e as { userMessage?: string }).userMessage ?? '';
      return (
        (e as { code?: string }).code === 'DATABASE_DAMAGED' &&
        m.includes(join(dir, 'ledger.sqlite')) &&
        /not a database/.test(m) &&
        /move the file aside/.test(m) &&
        /full reload/.test(m)
      );
    });
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });

  it('finds damage inside connector.sqlite with quick_check before anything uses it', async () => {
    const dir = freshDir();
    const path = join(dir, 'connector.sqlite');
    const store = openStore(path);
    for (let i = 0; i < 3000; i++) store.appendLog({ at: i, level: 'info', message: `line ${i} ${'x'.repeat(200)}` });
    store.close();
    // Overwrite a few pages in the middle of the file (b-tree pages of the log table and its index).
    const fd = openSync(path, 'r+');
    for (const page of [20, 40, 60, 80]) writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, page * 4096);
    closeSync(fd);
    await assert.rejects(createConnectorService(deps(dir)), (e: unknown) => {
      const m = (e as { userMessage?: string }).userMessage ?? '';
      return (e as { code?: string }).code === 'DATABASE_DAMAGED' && m.includes(path) && /connector\.sqlite\.damaged/.test(m);
    });
  });
});
