/**
 * The local replica (main/core/replica/hyper-replica.ts) on a real hyperd: each batch's payload
 * file applied as Tableau applies it (upsert on the key, deletes by key, a full load's first batch
 * replacing the table), idempotent when a batch comes twice (a crash between the replica and the
 * checkpoint), and never a failed run: problems are warned about and mark the stream stale.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findHyperd, readHyperRows, startHyperEngine, writeHyperFile, type HyperEngine } from '../../../../main/core/hyper';
import { openHyperReplica, readReplicaStatus, replicaDir, replicaPath, REPLICA_SCHEMA } from '../../../../main/core/replica';
import type { ReplicaBatch } from '../../../../main/core/sync/ports';
import { streamByName } from '../../../../main/core/streams/definitions';
import type { ColumnDef, Row, StreamDefinition } from '../../../../main/core/streams/types';

const col = (name: string, type: ColumnDef['type'], nullable = true, extra: Partial<ColumnDef> = {}): ColumnDef => ({
  name,
  source: name,
  type,
  nullable,
  ...extra,
});
const vendor: StreamDefinition = {
  ...streamByName('vendor'),
  columns: [
    col('RECORDNO', 'bigint', false),
    col('NAME', 'text'),
    col('CREDITLIMIT', 'numeric', true, { precision: 18, scale: 2 }),
    col('WHENMODIFIED', 'timestamp', false),
  ],
  primaryKey: ['RECORDNO'],
};
const row = (n: number, name: string | null, limit: string | null = null): Row => ({
  RECORDNO: n,
  NAME: name,
  CREDITLIMIT: limit,
  WHENMODIFIED: '2026-01-15 12:00:00',
});

let root: string;
let engine: HyperEngine;
let seq = 0;
const DATA_DIRS = 9;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'mlc-replica-'));
  mkdirSync(join(root, 'payloads'));
  // Confined as the service confines it: the payload folder and each data folder's replica folder.
  const replicaDirs = Array.from({ length: DATA_DIRS }, (_, i) => replicaDir(join(root, `data-${i + 1}`)));
  engine = await startHyperEngine({
    hyperdPath: findHyperd({ projectRoot: process.cwd() }),
    logDir: join(root, 'logs'),
    databaseDirs: [join(root, 'payloads'), ...replicaDirs],
  });
});
after(async () => {
  await engine?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh data folder with its replica, and helpers that write payloads the way the engine does. */
function setup(def: StreamDefinition = vendor) {
  const dataDir = join(root, `data-${++seq}`);
  mkdirSync(replicaDir(dataDir), { recursive: true });
  const logs: { level: string; message: string }[] = [];
  const replica = openHyperReplica({ engine, dataDir });
  let batchNo = 0;
  const payload = async (rows: Row[], d: StreamDefinition = def): Promise<string> => {
    const path = join(root, 'payloads', `p-${seq}-${++batchNo}.hyper`);
    await writeHyperFile(engine, path, [{ table: { schema: 'Extract', name: 'Extract', columns: d.columns }, rows: [rows] }]);
    return path;
  };
  const deletions = async (keys: number[], d: StreamDefinition = def): Promise<string> => {
    const path = join(root, 'payloads', `d-${seq}-${++batchNo}.hyper`);
    const keyCols = d.primaryKey.map((k) => d.columns.find((c) => c.name === k)!);
    await writeHyperFile(engine, path, [{ table: { schema: 'Extract', name: 'deleted', columns: keyCols }, rows: [keys.map((k) => ({ RECORDNO: k }))] }]);
    return path;
  };
  const batch = (path: string, kind: ReplicaBatch['kind'], runId = 'run-1', d: StreamDefinition = def): ReplicaBatch => ({
    def: d,
    path,
    kind,
    runId,
    requestId: `${runId}-${batchNo}`,
    until: Date.UTC(2026, 0, 15, 12),
    at: Date.UTC(2026, 0, 15, 12, 5),
    log: (level, message) => logs.push({ level, message }),
  });
  const rows = async (d: StreamDefinition = def): Promise<Row[]> => {
    const out: Row[] = [];
    for await (const chunk of readHyperRows(engine, replicaPath(dataDir), { schema: REPLICA_SCHEMA, name: d.name, columns: d.columns }, ['RECORDNO']))
      out.push(...chunk);
    return out;
  };
  const state = async (d: StreamDefinition = def) => (await replica.status([d])).streams[0]!;
  return { dataDir, replica, payload, deletions, batch, rows, state, logs };
}

describe('hyper replica', () => {
  it('applies a full load, then upserts and deletes by key, exactly as Tableau does with the same payloads', async () => {
    const r = setup();
    await r.replica.apply(r.batch(await r.payload([row(1, 'Acme'), row(2, 'Beta', '10.50'), row(3, 'Gamma')]), 'replace'));
    await r.replica.apply(r.batch(await r.payload([row(4, 'Delta')]), 'upsert'));
    assert.equal((await r.state()).state, 'loading', 'a full load that has not finished');
    await r.replica.fullLoadFinished(vendor, 'run-1', () => undefined);
    const s = await r.state();
    assert.equal(s.state, 'current');
    assert.equal(s.dataAsOf, Date.UTC(2026, 0, 15, 12));

    await r.replica.apply(r.batch(await r.payload([row(2, 'Beta renamed', '-0.01'), row(5, 'New')]), 'upsert', 'run-2'));
    await r.replica.apply(r.batch(await r.deletions([3, 99]), 'delete', 'run-2'));
    assert.deepEqual(await r.rows(), [row(1, 'Acme'), row(2, 'Beta renamed', '-0.01'), row(4, 'Delta'), row(5, 'New')]);
    assert.equal((await r.state()).state, 'current');
    assert.deepEqual(
      r.logs.filter((l) => l.level === 'warn'),
      [],
    );
  });

  it('is idempotent: a batch applied again (the crash between replica and checkpoint) leaves the same rows', async () => {
    const r = setup();
    const full = r.batch(await r.payload([row(1, 'A'), row(2, 'B'), row(3, 'C')]), 'replace');
    await r.replica.apply(full);
    await r.replica.apply(full);
    await r.replica.fullLoadFinished(vendor, 'run-1', () => undefined);
    const upsert = r.batch(await r.payload([row(2, 'B2'), row(4, 'D')]), 'upsert', 'run-2');
    const del = r.batch(await r.deletions([1]), 'delete', 'run-2');
    await r.replica.apply(upsert);
    await r.replica.apply(del);
    const once = await r.rows();
    await r.replica.apply(upsert);
    await r.replica.apply(del);
    assert.deepEqual(await r.rows(), once);
    assert.deepEqual(once, [row(2, 'B2'), row(3, 'C'), row(4, 'D')]);
  });

  it('does not apply changes to a stream it has no table for, and its next full load builds it', async () => {
    const r = setup();
    await r.replica.apply(r.batch(await r.payload([row(1, 'A')]), 'upsert'));
    await r.replica.apply(r.batch(await r.payload([row(2, 'B')]), 'upsert'));
    assert.equal((await r.state()).state, 'missing');
    assert.equal(r.logs.filter((l) => /has no table yet/.test(l.message)).length, 1, 'told once per run');
    await r.replica.apply(r.batch(await r.payload([row(7, 'Z')]), 'replace', 'run-2'));
    await r.replica.fullLoadFinished(vendor, 'run-2', () => undefined);
    assert.deepEqual(await r.rows(), [row(7, 'Z')]);
    assert.equal((await r.state()).state, 'current');
  });

  it('rebuilds the table with the new columns when a stream’s columns changed', async () => {
    const r = setup();
    await r.replica.apply(r.batch(await r.payload([row(1, 'A')]), 'replace'));
    await r.replica.fullLoadFinished(vendor, 'run-1', () => undefined);
    const wider: StreamDefinition = { ...vendor, columns: [...vendor.columns, col('VENDTYPE', 'text')] };
    assert.equal((await r.state(wider)).state, 'missing', 'built with other columns');
    // An upsert with the new columns is refused (the plan sends a full load), not half-applied.
    await r.replica.apply(r.batch(await r.payload([{ ...row(2, 'B'), VENDTYPE: 'x' }], wider), 'upsert', 'run-2', wider));
    assert.deepEqual(await r.rows(), [row(1, 'A')]);
    await r.replica.apply(r.batch(await r.payload([{ ...row(2, 'B'), VENDTYPE: 'Supplier' }], wider), 'replace', 'run-3', wider));
    await r.replica.fullLoadFinished(wider, 'run-3', () => undefined);
    assert.deepEqual(await r.rows(wider), [{ ...row(2, 'B'), VENDTYPE: 'Supplier' }]);
    assert.equal((await r.state(wider)).state, 'current');
  });

  it('a batch it cannot apply is a warning, never a failure: the stream is stale (even for a new process) until its next full load', async () => {
    const r = setup();
    await r.replica.apply(r.batch(await r.payload([row(1, 'A'), row(2, 'B')]), 'replace'));
    await r.replica.fullLoadFinished(vendor, 'run-1', () => undefined);
    await r.replica.apply(r.batch(join(root, 'payloads', 'gone.hyper'), 'upsert', 'run-2'));
    assert.ok(
      r.logs.some((l) => l.level === 'warn' && /stale until the stream's next full load/.test(l.message)),
      JSON.stringify(r.logs),
    );
    const stale = await r.state();
    assert.equal(stale.state, 'stale');
    assert.match(stale.reason ?? '', /applied in Tableau but not here/);
    // Later batches are not applied on top of the gap; a new process still knows it is stale.
    await r.replica.apply(r.batch(await r.payload([row(3, 'C')]), 'upsert', 'run-3'));
    assert.deepEqual(await r.rows(), [row(1, 'A'), row(2, 'B')]);
    const again = openHyperReplica({ engine, dataDir: r.dataDir });
    assert.equal((await again.status([vendor])).streams[0]!.state, 'stale');
    await again.apply(r.batch(await r.payload([row(1, 'A'), row(3, 'C')]), 'replace', 'run-4'));
    await again.fullLoadFinished(vendor, 'run-4', () => undefined);
    assert.equal((await again.status([vendor])).streams[0]!.state, 'current');
    assert.deepEqual(await r.rows(), [row(1, 'A'), row(3, 'C')]);
  });

  it('a replica file that cannot be read is recreated with a warning; one deleted by the user is rebuilt by the next full load', async () => {
    const r = setup();
    await r.replica.apply(r.batch(await r.payload([row(1, 'A')]), 'replace'));
    await r.replica.fullLoadFinished(vendor, 'run-1', () => undefined);
    writeFileSync(replicaPath(r.dataDir), 'this is not a Hyper database');
    const unreadable = await readReplicaStatus(engine, r.dataDir, [vendor]);
    assert.equal(unreadable.readable, false);
    assert.equal(unreadable.streams[0]!.state, 'missing');
    await r.replica.apply(r.batch(await r.payload([row(2, 'B')]), 'upsert', 'run-2'));
    assert.ok(
      r.logs.some((l) => l.level === 'warn' && /could not be read .*recreated empty/.test(l.message)),
      JSON.stringify(r.logs),
    );
    assert.equal((await r.state()).state, 'missing', 'the upsert alone does not claim the table');

    rmSync(replicaPath(r.dataDir));
    assert.equal((await r.state()).state, 'missing');
    await r.replica.apply(r.batch(await r.payload([row(1, 'A'), row(2, 'B')]), 'replace', 'run-3'));
    await r.replica.fullLoadFinished(vendor, 'run-3', () => undefined);
    assert.deepEqual(await r.rows(), [row(1, 'A'), row(2, 'B')]);
    assert.equal((await r.state()).state, 'current');
  });

  it('a replica locked by another hyperd is not taken for unreadable: it is kept, and the stream is stale', async () => {
    const r = setup();
    await r.replica.apply(r.batch(await r.payload([row(1, 'A')]), 'replace'));
    await r.replica.fullLoadFinished(vendor, 'run-1', () => undefined);
    const other = await startHyperEngine({ hyperdPath: findHyperd({ projectRoot: process.cwd() }), logDir: join(root, 'logs-other') });
    const holder = await other.connect();
    try {
      await holder.query(`ATTACH DATABASE "${replicaPath(r.dataDir)}" AS held`);
      await r.replica.apply(r.batch(await r.payload([row(2, 'B')]), 'upsert', 'run-2'));
      assert.ok(
        r.logs.some((l) => l.level === 'warn' && /locked by another process/.test(l.message)),
        JSON.stringify(r.logs),
      );
      assert.ok(!r.logs.some((l) => /recreated/.test(l.message)));
    } finally {
      await holder.end();
      await other.stop();
    }
    assert.deepEqual(await r.rows(), [row(1, 'A')], 'the file and its rows are still there');
    assert.equal((await r.state()).state, 'stale');
  });

  it('never rejects, even when hyperd cannot be reached', async () => {
    const dataDir = join(root, `data-${++seq}`);
    const broken = {
      connect: () => Promise.reject(new Error('connect ECONNREFUSED')),
      withClient: () => Promise.reject(new Error('connect ECONNREFUSED')),
    } as unknown as HyperEngine;
    const replica = openHyperReplica({ engine: broken, dataDir });
    const logs: string[] = [];
    await replica.apply({ def: vendor, path: '/nowhere.hyper', kind: 'upsert', runId: 'r', requestId: 'r-1', until: 0, at: 1, log: (_l, m) => logs.push(m) });
    await replica.fullLoadFinished(vendor, 'r', (_l, m) => logs.push(m));
    assert.equal(logs.length, 2);
    const s = await openHyperReplica({ engine, dataDir }).status([vendor]);
    assert.equal(s.streams[0]!.state, 'missing');
  });
});
