import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../../main/core/clock';
import { AuthError, NetworkError, RateLimitError } from '../../../../main/core/errors';
import { backoffDelay, defaultRetryPolicy, parseRetryAfter, withRetry } from '../../../../main/core/http/retry';

const policy = { ...defaultRetryPolicy, maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };
const transient = () => new NetworkError({ service: 'intacct', userMessage: 'reset' });

describe('withRetry', () => {
  it('retries a transient failure with growing, capped, jittered waits and then succeeds', async () => {
    const clock = new ManualClock(0, true);
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 4) throw transient();
        return 'ok';
      },
      policy,
      { clock, random: () => 0.999 },
    );
    assert.equal(result, 'ok');
    assert.equal(calls, 4);
    assert.deepEqual(clock.sleeps, [100, 200, 400]);
  });

  it('gives up after maxAttempts and throws the last error', async () => {
    const clock = new ManualClock(0, true);
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw transient();
        },
        policy,
        { clock, random: () => 0 },
      ),
      NetworkError,
    );
    assert.equal(calls, 4);
    assert.deepEqual(clock.sleeps, [50, 100, 200]);
  });

  it('never retries bad credentials', async () => {
    const clock = new ManualClock(0, true);
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new AuthError({ service: 'intacct', userMessage: 'Sign-in information is incorrect' });
        },
        policy,
        { clock },
      ),
      AuthError,
    );
    assert.equal(calls, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it('honours Retry-After when it asks for longer than the backoff', async () => {
    const clock = new ManualClock(0, true);
    let calls = 0;
    const seen: number[] = [];
    await withRetry(
      async () => {
        if (++calls === 1) throw new RateLimitError({ service: 'tableau', userMessage: 'slow down', retryAfterMs: 30_000 });
        return 1;
      },
      policy,
      { clock, random: () => 0.5, onRetry: (i) => seen.push(i.delayMs) },
    );
    assert.deepEqual(clock.sleeps, [30_000]);
    assert.deepEqual(seen, [30_000]);
  });

  it('stops waiting when the signal aborts', async () => {
    const clock = new ManualClock(0);
    const ac = new AbortController();
    const p = withRetry(
      async () => {
        throw transient();
      },
      policy,
      { clock, signal: ac.signal },
    );
    await new Promise((r) => setImmediate(r));
    ac.abort(new Error('user cancelled'));
    await assert.rejects(p, /user cancelled/);
  });
});

describe('backoffDelay', () => {
  it('never exceeds the cap', () => {
    for (let n = 1; n < 20; n++) assert.ok(backoffDelay(n, policy, () => 0.9999) <= policy.maxDelayMs);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('12', 0), 12_000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 1970 00:00:30 GMT', 10_000), 20_000);
    assert.equal(parseRetryAfter('soon', 0), undefined);
    assert.equal(parseRetryAfter(null, 0), undefined);
  });
});
