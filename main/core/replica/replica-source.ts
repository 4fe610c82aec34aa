/**
 * The replica as the finance models see it (models/model-ports.ts `ReplicaSource`). A stream's table
 * is used only when the replica's own bookkeeping (replica-status.ts) says it is current: one being
 * rebuilt, marked stale after a failed apply, or built with other columns is reported as unusable
 * with its reason, so the models that read it are skipped rather than computed from rows that
 * differ from what Tableau holds. The others are still built.
 */
import type { ReplicaSource } from '../models/model-ports';
import type { StreamDefinition, StreamName } from '../streams/types';
import type { HyperReplica } from './hyper-replica';
import { replicaProblem } from './replica-status';

/**
 * `defs`: the streams the settings sync. A needed stream that is not among them is left to the model
 * stage, which skips that model and names the stream to turn on.
 */
export function replicaSourceOf(replica: HyperReplica, defs: readonly Pick<StreamDefinition, 'name' | 'columns'>[]): ReplicaSource {
  let problem: string | null = null;
  let asOf: number | null = null;
  let unusable = new Map<StreamName, string>();
  return {
    async path(streams: readonly StreamName[]) {
      const synced = defs.filter((d) => streams.includes(d.name));
      const status = await replica.status(synced);
      const current = status.streams.filter((s) => s.state === 'current');
      unusable = new Map(status.streams.filter((s) => s.state !== 'current').map((s) => [s.stream as StreamName, `${s.state}, ${s.reason ?? 'not current'}`]));
      const times = current.map((s) => s.dataAsOf).filter((t): t is number => t !== null);
      asOf = times.length ? Math.min(...times) : null;
      if (!status.readable) problem = status.problem ?? 'The local replica cannot be read.';
      else if (current.length === 0)
        problem =
          replicaProblem(
            status,
            synced.map((d) => d.name),
          ) ?? 'No stream the models read is in the local replica yet.';
      else problem = null;
      return problem === null ? status.path : null;
    },
    asOf: () => asOf,
    problem: () => problem,
    unusable: () => unusable,
  };
}
