/**
 * The replica as the finance models see it (models/model-ports.ts `ReplicaSource`): the file when
 * every stream the models need is current in it, else null and the reason. "Current" is the
 * replica's own bookkeeping (replica-status.ts): a stream being rebuilt, marked stale after a failed
 * apply, or built with other columns is never used, so a model is skipped rather than computed from
 * rows that differ from what Tableau holds.
 */
import type { ReplicaSource } from '../models/model-ports';
import type { StreamDefinition, StreamName } from '../streams/types';
import type { HyperReplica } from './hyper-replica';
import { replicaProblem } from './replica-status';

/**
 * `defs`: the streams the run syncs. A needed stream that is not among them is left to the model
 * stage, which skips that model and names the stream to turn on.
 */
export function replicaSourceOf(replica: HyperReplica, defs: readonly Pick<StreamDefinition, 'name' | 'columns'>[]): ReplicaSource {
  let problem: string | null = null;
  let asOf: number | null = null;
  return {
    async path(streams: readonly StreamName[]) {
      const synced = streams.filter((s) => defs.some((d) => d.name === s));
      const status = await replica.status(defs.filter((d) => synced.includes(d.name)));
      problem = status.readable ? replicaProblem(status, synced) : (status.problem ?? 'The local replica cannot be read.');
      const times = status.streams.map((s) => s.dataAsOf).filter((t): t is number => t !== null);
      asOf = times.length ? Math.min(...times) : null;
      return problem === null && synced.length > 0 ? status.path : null;
    },
    asOf: () => asOf,
    problem: () => problem,
  };
}
