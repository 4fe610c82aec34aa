import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncQueue } from '../../../../main/core/sync/async-queue';

describe('AsyncQueue', () => {
  it('delivers items in order and makes the producer wait while full', async () => {
    const q = new AsyncQueue<number>(2);
    const log: string[] = [];
    const producer = (async () => {
      for (let i = 1; i <= 4; i++) {
        await q.push(i);
        log.push(`pushed ${i}`);
      }
      q.close();
    })();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(log, ['pushed 1', 'pushed 2'], 'the third push waits for room');
    const got: number[] = [];
    for await (const x of q) got.push(x);
    await producer;
    assert.deepEqual(got, [1, 2, 3, 4]);
  });

  it('a failed consumer makes pushes throw', async () => {
    const q = new AsyncQueue<number>(1);
    await q.push(1);
    const waiting = q.push(2);
    q.fail(new Error('writer died'));
    await assert.rejects(waiting, /writer died/);
    await assert.rejects(q.push(3), /writer died/);
  });
});
