/**
 * Where the local replica lives and how it is laid out (issue 15 "A local replica, then models").
 *
 * `<dataDir>/replica/replica.hyper` holds schema `replica` with one table per stream, named by the
 * stream (`gl_detail`, `ap_bill`, …), with the stream's columns: the names and types of its Tableau
 * data source (the layout test/unit/core/models/replica-fixture.ts builds for the models). Schema
 * `replica_meta` holds one row per stream saying which batch the table holds.
 *
 * Why a folder of its own and not `<dataDir>/replica.hyper`: hyperd may only create and open
 * databases in whitelisted folders (`storage_providers`, hyper-engine.ts) and it checks the FOLDER
 * ("The directory of the specified storage resource is not whitelisted", hyperd 0.0.26359). The
 * data folder itself holds connector.sqlite and the settings, which hyperd must never be able to
 * overwrite or drop, so only this subfolder (and the payload folder) is whitelisted.
 */
import { join } from 'node:path';

/** The folder hyperd may write the replica in (whitelisted for hyperd, mode 0700). */
export function replicaDir(dataDir: string): string {
  return join(dataDir, 'replica');
}

/** The replica file of a data folder: what the models ATTACH. */
export function replicaPath(dataDir: string): string {
  return join(replicaDir(dataDir), 'replica.hyper');
}

/** The sidecar listing streams whose table missed a batch (written with plain fs, so even when hyperd fails). */
export function staleMarksPath(dataDir: string): string {
  return join(replicaDir(dataDir), 'stale-streams.json');
}

/** The schema of the stream tables. */
export const REPLICA_SCHEMA = 'replica';
/** The schema and table of the per-stream bookkeeping. */
export const META_SCHEMA = 'replica_meta';
export const META_TABLE = 'streams';
