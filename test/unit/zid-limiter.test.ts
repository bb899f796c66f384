// The Zid limiter's in-process sliding log (src/core/zid/limiter.ts) on a clock the test moves: no
// window of `perMs` ever holds more than `requests` grants (Zid may count over any 60 s, not fixed
// minutes), a full budget goes at once, and a refusal says exactly when the oldest grant leaves.
// The Redis log, shared between processes, is tested in test/integration/zid-client.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ZidLimiter } from '../../src/core/zid/limiter.js';

function clocked(requests: number, perMs: number): { limiter: ZidLimiter; at: { now: number } } {
  const at = { now: 1_000_000 };
  return { limiter: new ZidLimiter({ requests, perMs, clock: () => at.now }), at };
}

describe('Zid limiter (in-process sliding log)', () => {
  test('the default budget is 58 in any 62 s, below Zid\'s 60 in 60 s, all of it at once', async () => {
    const limiter = new ZidLimiter();
    assert.deepEqual([limiter.requests, limiter.perMs], [58, 62_000]);
    // A 1,000-product sync is about 30 requests: all of them, and more, go without waiting.
    const waits = await Promise.all(Array.from({ length: 58 }, () => limiter.tryTake(1)));
    assert.deepEqual(new Set(waits), new Set([0]));
    assert.ok((await limiter.tryTake(1)) > 0);
  });

  test('a whole budget is granted at once, the next waits until the oldest grant leaves the window', async () => {
    const { limiter, at } = clocked(5, 60_000);
    for (let i = 0; i < 5; i++) {
      assert.equal(await limiter.tryTake(7), 0, `grant ${i + 1}`);
      at.now += 100;
    }
    // Five grants at 0, 100 … 400 ms; now is 500 ms: the first leaves at 60,000 ms.
    assert.equal(await limiter.tryTake(7), 59_500);
    at.now = 1_000_000 + 60_000;
    assert.equal(await limiter.tryTake(7), 0);
    assert.equal(await limiter.tryTake(7), 100, 'the second grant (at 100 ms) is the next to leave');
  });

  test('each store has its own budget', async () => {
    const { limiter } = clocked(2, 1000);
    assert.equal(await limiter.tryTake(1), 0);
    assert.equal(await limiter.tryTake(1), 0);
    assert.ok((await limiter.tryTake(1)) > 0);
    assert.equal(await limiter.tryTake(2), 0);
  });

  test('over any sequence of asks, no window holds more than the budget, and an ask is refused only when the window is full', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 10, max: 2000 }), fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 120 }), async (requests, perMs, steps) => {
        const { limiter, at } = clocked(requests, perMs);
        const granted: number[] = [];
        for (const step of steps) {
          at.now += step;
          const inWindow = granted.filter((t) => t > at.now - perMs).length;
          const wait = await limiter.tryTake(3);
          if (wait === 0) {
            granted.push(at.now);
            assert.ok(inWindow + 1 <= requests, `granted a ${inWindow + 1}th request within ${perMs} ms`);
          } else {
            assert.equal(inWindow, requests, 'refused with room in the window');
            const oldest = granted.filter((t) => t > at.now - perMs)[0]!;
            assert.equal(wait, oldest + perMs - at.now, 'the wait is until the oldest grant leaves');
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test('take() waits for a turn rather than failing', async () => {
    const { limiter, at } = clocked(2, 50);
    // The clock moves only while take() sleeps: it cannot return before the window has room.
    const sleeping = setInterval(() => (at.now += 10), 1);
    try {
      const grantedAt: number[] = [];
      for (let i = 0; i < 5; i++) {
        await limiter.take(9);
        grantedAt.push(at.now);
      }
      assert.ok(grantedAt[4]! - grantedAt[2]! >= 50 && grantedAt[2]! - grantedAt[0]! >= 50, `grants at ${grantedAt.join(', ')}`);
    } finally {
      clearInterval(sleeping);
    }
  });

  test('a budget that is not a positive whole number is refused', () => {
    assert.throws(() => new ZidLimiter({ requests: 0 }), RangeError);
    assert.throws(() => new ZidLimiter({ requests: 1.5 }), RangeError);
    assert.throws(() => new ZidLimiter({ perMs: 0 }), RangeError);
  });
});
