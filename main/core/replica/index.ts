/**
 * The local replica of the synced streams (issue 15): a `.hyper` file in the data folder that
 * holds what Tableau holds, for the models, the tie-out's local side and "data as of".
 */
export { replicaDir, replicaPath, REPLICA_SCHEMA } from './replica-layout';
export { openHyperReplica, type HyperReplica } from './hyper-replica';
export { readReplicaStatus, replicaProblem, streamStatus, type ReplicaState, type ReplicaStatus, type ReplicaStreamStatus } from './replica-status';
export { readReplicaRows } from './replica-reader';
export { replicaSourceOf } from './replica-source';
