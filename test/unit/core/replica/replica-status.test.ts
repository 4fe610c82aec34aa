/**
 * The replica's "is it current, as of when" (main/core/replica/replica-status.ts), from a stream's
 * meta row, whether its table exists and its stale mark; and the message models skip with.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { replicaProblem, streamStatus, type ReplicaStatus } from '../../../../main/core/replica';
import { columnsSignature } from '../../../../main/core/streams/extra-fields';
import { streamByName } from '../../../../main/core/streams/definitions';
import type { MetaRow } from '../../../../main/core/replica/replica-sql';

const gl = streamByName('gl_detail');
const meta = (over: Partial<MetaRow> = {}): MetaRow => ({
  stream: 'gl_detail',
  columns: columnsSignature(gl.columns),
  run_id: 'r1',
  request_id: 'r1-1',
  applied_at: 2000,
  data_as_of: 1000,
  complete: true,
  ...over,
});

describe('streamStatus', () => {
  it('is current, as of the run start of its last batch, when the table holds every confirmed batch', () => {
    assert.deepEqual(streamStatus(gl, meta(), true, undefined), { stream: 'gl_detail', state: 'current', dataAsOf: 1000, appliedAt: 2000, reason: null });
  });
  it('is missing without a table, without a meta row, or when built with other columns', () => {
    assert.equal(streamStatus(gl, meta(), false, undefined).state, 'missing');
    assert.equal(streamStatus(gl, undefined, true, undefined).state, 'missing');
    assert.match(streamStatus(gl, meta({ columns: 'RECORDNO bigint!' }), true, undefined).reason ?? '', /other columns/);
  });
  it('is stale with the mark’s reason, before loading or current', () => {
    const s = streamStatus(gl, meta({ complete: false }), true, { reason: 'batch x was applied in Tableau but not here: disk full', at: 5 });
    assert.equal(s.state, 'stale');
    assert.match(s.reason ?? '', /disk full; the stream’s next full load rebuilds it/);
  });
  it('is loading while a full load has not finished', () => {
    assert.equal(streamStatus(gl, meta({ complete: false }), true, undefined).state, 'loading');
  });
});

describe('replicaProblem', () => {
  const status: ReplicaStatus = {
    path: '/x/replica/replica.hyper',
    readable: true,
    problem: null,
    streams: [streamStatus(gl, meta(), true, undefined), streamStatus(streamByName('ap_bill'), undefined, false, undefined)],
  };
  it('is null when every stream a model needs is current', () => {
    assert.equal(replicaProblem(status, ['gl_detail']), null);
  });
  it('names each stream that is not current, and why', () => {
    assert.match(
      replicaProblem(status, ['gl_detail', 'ap_bill', 'vendor']) ?? '',
      /^The local replica is not current: AP bills is missing \(not built yet.*\); Vendors is not synced\.$/,
    );
  });
});
