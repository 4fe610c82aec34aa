/**
 * What the model stage (run-models.ts) needs from the outside, as small ports: the local replica
 * of the streams (kept by main/core/replica/, issue 15 "A local replica"), a hyperd to run SQL in,
 * and a way to publish a `.hyper` file as a Tableau data source.
 */
import type { SqlClient } from './gl-balances';
import type { ModelSpec } from './model-catalog';
import type { StreamName } from '../streams/types';

/** The local replica: one `.hyper` file, schema `replica`, one table per stream named by the stream. */
export interface ReplicaSource {
  /**
   * The replica file, or null when there is no current replica of `streams` (missing, stale, being
   * rebuilt). Asked once per run, after the streams have loaded; may answer asynchronously.
   */
  path(streams: readonly StreamName[]): string | null | Promise<string | null>;
  /** When the replica was last brought up to date (UTC ms), or null when unknown. */
  asOf(): number | null | Promise<number | null>;
  /** Why `path` answered null, in words, when the source knows (else a generic reason is given). */
  problem?(): string | null;
  /**
   * Streams whose tables are in the file but must not be used (being rebuilt, stale, other columns),
   * each with the reason: the models that read them are skipped, the others are built.
   */
  unusable?(): ReadonlyMap<StreamName, string>;
}

/** A hyperd to run the models' SQL in (a HyperEngine satisfies it). */
export interface SqlEngine {
  withClient<T>(fn: (client: SqlClient) => Promise<T>): Promise<T>;
}

/** Publishes `file` (table Extract.Extract) as data source `datasourceName`, overwriting it. */
export type PublishModelFn = (
  req: { spec: ModelSpec; file: string; datasourceName: string; projectId: string; requestId: string },
  opts: { signal?: AbortSignal },
) => Promise<{ datasourceId: string }>;

/** The model stage's dependencies (all injected). */
export interface ModelStageDeps {
  replica: ReplicaSource;
  engine: SqlEngine;
  /**
   * Folder of the models' own database (`models.hyper`, kept between runs: the previous build that
   * incremental rebuilds start from, and the AP aging snapshots) and of the files being published.
   * hyperd must be allowed to create databases there.
   */
  dir: string;
  /** Absent: published through the run's LoadFn (a full-load overwrite publish). */
  publish?: PublishModelFn;
}
