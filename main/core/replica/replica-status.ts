/**
 * "Is the replica current, and as of when?": a read-only look at the replica, for the status page,
 * the demo and the models (which skip, with the message `replicaProblem` gives, rather than compute
 * from a table that is not what Tableau holds).
 *
 * A stream's table is
 * - `current`: it holds every batch Tableau confirmed for the stream, up to `dataAsOf` (the start
 *   of the run that sent the last one: Intacct's changes up to then);
 * - `loading`: a full load replaced it and has not finished (Tableau holds the same partial rows);
 * - `stale`: a batch Tableau applied could not be applied here (`reason`); the stream's next full
 *   load rebuilds it;
 * - `missing`: there is no table, or it was built with other columns (the replica is new, was
 *   deleted, or could not be read and was recreated); the stream's next full load builds it.
 * Nothing here writes: the file is ATTACHed on its own session for SELECTs only and detached.
 */
import { existsSync } from 'node:fs';
import type { HyperEngine } from '../hyper';
import { quoteIdent } from '../hyper/hyper-sql';
import { columnsSignature } from '../streams/extra-fields';
import { streamDefinitions } from '../streams/definitions';
import type { StreamDefinition } from '../streams/types';
import { replicaPath, staleMarksPath, META_SCHEMA, META_TABLE, REPLICA_SCHEMA } from './replica-layout';
import { selectMetaSql, type MetaRow } from './replica-sql';
import { openStaleMarks, type StaleMark } from './stale-marks';

export type ReplicaState = 'current' | 'loading' | 'stale' | 'missing';

/** One stream's table in the replica. */
export interface ReplicaStreamStatus {
  stream: string;
  state: ReplicaState;
  /** Intacct's changes up to this time (UTC ms) are in the table (null: none confirmed). */
  dataAsOf: number | null;
  /** When Tableau confirmed the last batch the table holds (UTC ms). */
  appliedAt: number | null;
  /** Why it is not current, in words (null when current). */
  reason: string | null;
}

export interface ReplicaStatus {
  path: string;
  /** False when the file is missing or could not be read (then every stream is `missing`). */
  readable: boolean;
  problem: string | null;
  streams: ReplicaStreamStatus[];
}

/** A stream's state from its meta row, whether its table exists, and its stale mark (pure). */
export function streamStatus(
  def: Pick<StreamDefinition, 'name' | 'columns'>,
  meta: MetaRow | undefined,
  tableExists: boolean,
  mark: StaleMark | undefined,
): ReplicaStreamStatus {
  const base = { stream: def.name, dataAsOf: meta?.data_as_of ?? null, appliedAt: meta?.applied_at ?? null };
  if (!meta || !tableExists) return { ...base, state: 'missing', reason: 'not built yet: the stream’s next full load builds it' };
  if (meta.columns !== columnsSignature(def.columns))
    return { ...base, state: 'missing', reason: 'built with other columns: the stream’s next full load rebuilds it' };
  if (mark) return { ...base, state: 'stale', reason: `${mark.reason}; the stream’s next full load rebuilds it` };
  if (!meta.complete) return { ...base, state: 'loading', reason: 'a full load is under way' };
  return { ...base, state: 'current', reason: null };
}

/** Why models may not use these streams' tables now (null: every one is current). */
export function replicaProblem(status: ReplicaStatus, streams: readonly string[]): string | null {
  const bad = status.streams.filter((s) => streams.includes(s.stream) && s.state !== 'current');
  const unknown = streams.filter((s) => !status.streams.some((x) => x.stream === s));
  // Tables by the labels the window uses (a user reads this in Status and the run log).
  const label = (name: string) => streamDefinitions.find((d) => d.name === name)?.label ?? name;
  const parts = [...bad.map((s) => `${label(s.stream)} is ${s.state} (${s.reason})`), ...unknown.map((s) => `${label(s)} is not synced`)];
  return parts.length ? `The local replica is not current: ${parts.join('; ')}.` : null;
}

let aliasSeq = 0;

/** Reads the replica of `dataDir` for `defs` (the streams the caller cares about); never writes. */
export async function readReplicaStatus(
  engine: HyperEngine,
  dataDir: string,
  defs: readonly Pick<StreamDefinition, 'name' | 'columns'>[],
): Promise<ReplicaStatus> {
  const path = replicaPath(dataDir);
  const missing = (problem: string | null): ReplicaStatus => ({
    path,
    readable: false,
    problem,
    streams: defs.map((d) => streamStatus(d, undefined, false, undefined)),
  });
  if (!existsSync(path)) return missing(null);
  const marks = openStaleMarks(staleMarksPath(dataDir));
  const rep = `replica_status_${++aliasSeq}`;
  try {
    return await engine.withClient(async (c) => {
      await c.query(`ATTACH DATABASE ${quoteIdent(path)} AS ${quoteIdent(rep)}`);
      try {
        const tables = await c.query<{ schemaname: string; tablename: string }>(
          `SELECT schemaname, tablename FROM ${quoteIdent(rep)}.pg_catalog.pg_tables WHERE schemaname IN ('${REPLICA_SCHEMA}', '${META_SCHEMA}')`,
        );
        const names = new Set(tables.rows.filter((r) => r.schemaname === REPLICA_SCHEMA).map((r) => r.tablename));
        const hasMeta = tables.rows.some((r) => r.schemaname === META_SCHEMA && r.tablename === META_TABLE);
        const metas = hasMeta ? (await c.query<MetaRow>(selectMetaSql(rep))).rows : [];
        const byStream = new Map(metas.map((m) => [m.stream, m]));
        return { path, readable: true, problem: null, streams: defs.map((d) => streamStatus(d, byStream.get(d.name), names.has(d.name), marks.get(d.name))) };
      } finally {
        await c.query(`DETACH DATABASE ${quoteIdent(rep)}`).catch(() => undefined);
      }
    });
  } catch (err) {
    return missing(err instanceof Error ? err.message : String(err));
  }
}
