/**
 * The local replica of every synced stream, kept equal to what Tableau holds (issue 15): each
 * batch's own payload file, the one Tableau got, is applied here right after Tableau confirmed it
 * and BEFORE the checkpoint commits it (batch-pipeline.ts, deletions.ts).
 *
 * One batch = one hyperd transaction: ATTACH the replica and the payload, then BEGIN; delete the
 * payload's keys and insert its rows (an upsert), or delete the keys of `Extract.deleted` (a
 * deletion batch), or empty the table and insert (a full load's first batch); write the stream's
 * meta row; COMMIT. The statements are replica-sql.ts, the same actions Tableau runs.
 *
 * Why a crash cannot make it disagree with Tableau. The order is Tableau, replica, checkpoint.
 * - Crash before the replica's COMMIT: neither the replica nor the checkpoint moved; the next run
 *   re-reads from the checkpoint and re-sends the batch to both.
 * - Crash after it, before the checkpoint's COMMIT: the replica is ahead by that batch. The next
 *   run re-reads from the old cursor (the ledger still has the old hashes, so the rows are sent
 *   again) and the same upserts are applied again: deleting a key and inserting the same row twice
 *   leaves the same row; deleting an absent key does nothing; a full load (still `fullLoadPending`)
 *   starts again with a replace. Applying a batch is idempotent, so "ahead by one" converges
 *   (test/unit/core/replica/hyper-replica.test.ts and test/integration/sync-replica.test.ts).
 * - A batch Tableau applied that the replica could NOT apply (hyperd failed, disk full): the run
 *   goes on (a replica problem never fails a run), the stream is marked stale in a sidecar written
 *   with plain fs (stale-marks.ts), later batches of it are not applied on top of the gap, and its
 *   next full load rebuilds the table.
 * A replica file that is missing or cannot be read (deleted by the user, written by another hyperd
 * version) is recreated empty, with a warning; each stream's table is then built by its next full
 * load and reads as `missing` until then (replica-status.ts). A stream whose columns changed is
 * fully loaded by the plan (checkpoint.ts `columns-changed`), and its replace rebuilds the table.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import type pg from 'pg';
import { ConnectorError } from '../errors';
import type { HyperEngine } from '../hyper';
import { toHyperError } from '../hyper/hyper-errors';
import { quoteIdent } from '../hyper/hyper-sql';
import { columnsSignature } from '../streams/extra-fields';
import type { Row, StreamDefinition } from '../streams/types';
import type { ReplicaBatch, ReplicaPort } from '../sync/ports';
import { replicaDir, replicaPath, staleMarksPath } from './replica-layout';
import {
  applyBatchSql,
  completeMetaSql,
  deleteMetaSql,
  rebuildTableSql,
  selectMetaSql,
  setupSql,
  tableExistsSql,
  writeMetaSql,
  type MetaRow,
} from './replica-sql';
import { readReplicaRows } from './replica-reader';
import { readReplicaStatus, type ReplicaStatus } from './replica-status';
import { openStaleMarks } from './stale-marks';

/** The replica of a data folder, driven by the engine and asked for its status. */
export interface HyperReplica extends ReplicaPort {
  readonly path: string;
  /** See replica-status.ts. */
  status(defs: readonly Pick<StreamDefinition, 'name' | 'columns'>[]): Promise<ReplicaStatus>;
  /** A stream's rows, ordered by key (null: no table); see replica-reader.ts. */
  rows(def: Pick<StreamDefinition, 'name' | 'columns' | 'primaryKey'>): Promise<Row[] | null>;
}

type Log = ReplicaBatch['log'];

let aliasSeq = 0;

/**
 * hyperd could not read the file itself: it answered with an SQLSTATE (not a lost connection,
 * 08xxx/57Pxx), and not one that says the file is fine but unavailable: locked by another hyperd
 * (55006, "The database file is locked by another process") or outside the whitelisted folders
 * (58S01). Codes checked against hyperd 0.0.26359; a garbage or empty file answers 42809 "not a
 * valid database". Only such a file is recreated: one merely in use is never deleted.
 */
function isUnreadableFile(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57P|55|58)/.test(code);
}

const messageOf = (err: unknown): string => (err instanceof ConnectorError ? err.userMessage : toHyperError(err, 'replica update').userMessage);

/** The replica in `<dataDir>/replica/` on `engine` (its folder must be one of the engine's `databaseDirs`). */
export function openHyperReplica(opts: { engine: HyperEngine; dataDir: string }): HyperReplica {
  const { engine, dataDir } = opts;
  const path = replicaPath(dataDir);
  const marks = openStaleMarks(staleMarksPath(dataDir));
  /** `${runId}:${stream}` already told that its table is skipped (once per run is enough). */
  const told = new Set<string>();
  // One writer at a time: the run applies batches in order, and status reads need no lock.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn);
    queue = p.catch(() => undefined);
    return p;
  };

  /** ATTACHes the replica as `rep`, creating it when missing and recreating it when unreadable. */
  const attachReplica = async (c: pg.Client, rep: string, log: Log): Promise<void> => {
    mkdirSync(replicaDir(dataDir), { recursive: true, mode: 0o700 });
    const create = async () => {
      await c.query(`CREATE DATABASE ${quoteIdent(path)}`);
      marks.clearAll();
    };
    if (!existsSync(path)) await create();
    try {
      await c.query(`ATTACH DATABASE ${quoteIdent(path)} AS ${quoteIdent(rep)}`);
    } catch (err) {
      if (!isUnreadableFile(err)) throw err;
      log(
        'warn',
        `The local replica (${path}) could not be read (${messageOf(err)}); it was recreated empty, and each stream's table is rebuilt by its next full load.`,
      );
      rmSync(path, { force: true });
      await create();
      await c.query(`ATTACH DATABASE ${quoteIdent(path)} AS ${quoteIdent(rep)}`);
    }
    for (const sql of setupSql(rep)) await c.query(sql);
  };

  /** Runs `fn` with the replica attached as `rep` (and the payload as `pay`), detaching both after. */
  const withReplica = async <T>(payload: string | null, log: Log, fn: (c: pg.Client, rep: string, pay: string) => Promise<T>): Promise<T> => {
    const c = await engine.connect();
    const rep = `replica_${++aliasSeq}`;
    const pay = `payload_for_${rep}`;
    const attached: string[] = [];
    try {
      await attachReplica(c, rep, log);
      attached.push(rep);
      if (payload) {
        await c.query(`ATTACH DATABASE ${quoteIdent(payload)} AS ${quoteIdent(pay)}`);
        attached.push(pay);
      }
      return await fn(c, rep, pay);
    } finally {
      await c.query('ROLLBACK').catch(() => undefined); // a no-op unless a transaction was left open by a failure
      for (const a of attached.reverse()) await c.query(`DETACH DATABASE ${quoteIdent(a)}`).catch(() => undefined);
      await c.end().catch(() => undefined);
    }
  };

  const inTransaction = async (c: pg.Client, sqls: readonly string[]) => {
    await c.query('BEGIN');
    for (const sql of sqls) await c.query(sql);
    await c.query('COMMIT');
  };

  const applyNow = async (b: ReplicaBatch): Promise<void> => {
    const { def } = b;
    const columns = columnsSignature(def.columns);
    await withReplica(b.path, b.log, async (c, rep, pay) => {
      const meta = (await c.query<MetaRow>(selectMetaSql(rep, def.name))).rows[0];
      const exists = (await c.query(tableExistsSql(rep, def.name))).rows.length > 0;
      const next: MetaRow = {
        stream: def.name,
        columns,
        run_id: b.runId,
        request_id: b.requestId,
        applied_at: b.at,
        data_as_of: b.until,
        complete: meta?.complete ?? false,
      };
      if (b.kind === 'replace') {
        if (!exists || !meta || meta.columns !== columns) {
          // DDL is not transactional in Hyper: forget the meta row first (replica-sql.ts rebuildTableSql).
          if (meta) await inTransaction(c, [deleteMetaSql(rep, def.name)]);
          for (const sql of rebuildTableSql(rep, def)) await c.query(sql);
        }
        await inTransaction(c, [...applyBatchSql(rep, pay, def, 'replace'), ...writeMetaSql(rep, { ...next, complete: false })]);
        marks.clear(def.name);
        return;
      }
      const skip = !meta || !exists ? 'has no table yet' : meta.columns !== columns ? 'was built with other columns' : marks.get(def.name) ? 'is stale' : null;
      if (skip) {
        if (!told.has(`${b.runId}:${def.name}`)) {
          told.add(`${b.runId}:${def.name}`);
          b.log('info', `${def.label}: the local replica ${skip}, so this run's changes are not applied to it; a full reload of the stream rebuilds it.`);
        }
        return;
      }
      await inTransaction(c, [...applyBatchSql(rep, pay, def, b.kind), ...writeMetaSql(rep, next)]);
    });
  };

  const markStale = (b: ReplicaBatch, err: unknown) => {
    const reason = `batch ${b.requestId} (${b.kind}) was applied in Tableau but not here: ${messageOf(err)}`;
    try {
      marks.set(b.def.name, { reason, at: b.at });
    } catch (e) {
      b.log('warn', `${b.def.label}: the local replica's stale mark could not be saved (${e instanceof Error ? e.message : String(e)}).`);
    }
    b.log(
      'warn',
      `${b.def.label}: the local replica could not apply ${b.requestId} (${messageOf(err)}). Its ${b.def.name} table is stale until the stream's next full load; models built on it are skipped until then.`,
    );
  };

  return {
    path,
    apply: (b) =>
      serial(async () => {
        try {
          await applyNow(b);
        } catch (err) {
          markStale(b, err);
        }
      }),
    fullLoadFinished: (def, runId, log) =>
      serial(async () => {
        try {
          await withReplica(null, log, (c, rep) => c.query(completeMetaSql(rep, def.name, runId)));
        } catch (err) {
          // The table stays 'loading' (never wrongly current); the next full load completes it.
          log('warn', `${def.label}: the local replica could not record the end of the full load (${messageOf(err)}).`);
        }
      }),
    status: (defs) => readReplicaStatus(engine, dataDir, defs),
    rows: (def) => serial(() => readReplicaRows(engine, dataDir, def)),
  };
}
