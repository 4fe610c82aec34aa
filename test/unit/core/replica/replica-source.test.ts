import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HyperReplica, ReplicaState, ReplicaStatus } from '../../../../main/core/replica';
import { replicaSourceOf } from '../../../../main/core/replica';
import { streamByName } from '../../../../main/core/streams/definitions';
import type { StreamName } from '../../../../shared/types';

/** A replica whose status says `states` (stream → state); nothing else of it is used. */
function replicaSaying(states: Partial<Record<StreamName, ReplicaState>>, readable = true): HyperReplica {
  const status = async (defs: readonly { name: string }[]): Promise<ReplicaStatus> => ({
    path: '/data/replica/replica.hyper',
    readable,
    problem: readable ? null : 'hyperd could not open it',
    streams: defs.map((d) => {
      const state = states[d.name as StreamName] ?? 'missing';
      return { stream: d.name, state, dataAsOf: state === 'current' ? 1_000 : null, appliedAt: null, reason: state === 'current' ? null : `${state} reason` };
    }),
  });
  return { status } as unknown as HyperReplica;
}

const defs = (['gl_account', 'gl_detail', 'ap_bill'] as const).map(streamByName);

describe('replicaSourceOf: what the models may read', () => {
  it('gives the file with the current streams, and names the others with their reason', async () => {
    const source = replicaSourceOf(replicaSaying({ gl_account: 'current', gl_detail: 'current', ap_bill: 'loading' }), defs);
    assert.equal(await source.path(['gl_account', 'gl_detail', 'ap_bill', 'vendor']), '/data/replica/replica.hyper');
    assert.deepEqual([...source.unusable!().entries()], [['ap_bill', 'loading, loading reason']]);
    assert.equal(source.asOf(), 1_000);
    assert.equal(source.problem!(), null);
  });

  it('gives no file when no needed stream is current, or the file cannot be read, and says why', async () => {
    const none = replicaSourceOf(replicaSaying({ gl_detail: 'stale' }), defs);
    assert.equal(await none.path(['gl_detail', 'ap_bill']), null);
    assert.match(none.problem!() ?? '', /GL detail is stale/);
    const unreadable = replicaSourceOf(replicaSaying({ gl_detail: 'current' }, false), defs);
    assert.equal(await unreadable.path(['gl_detail']), null);
    assert.equal(unreadable.problem!(), 'hyperd could not open it');
  });
});
