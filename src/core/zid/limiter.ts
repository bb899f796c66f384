// Each Zid store's request budget: Zid allows 60 requests per minute per store, and may count them
// over any 60 s window, so this is a sliding log (the times of the requests granted in the last
// window), not a fixed window: a fixed window of 60 lets 60 go at its end and 60 more at the start of
// the next, 120 within one minute. The default grants at most 58 in any 62 s, all at once if asked
// (a 1,000-product sync, about 30 requests, never waits). Both margins matter: a request is counted
// here when it is granted and by Zid when it arrives, so the 2 s let a burst arrive up to 2 s later
// than the next one without Zid seeing the two in one minute, and the 2 requests spare what Zid may
// count that this log does not.
// rate-limiter-flexible counts fixed windows only, hence the few lines here. With Redis the log is
// one sorted set per store, kept by a Lua script on Redis's own clock, so every process shares it;
// if Redis fails, a log in this process stands in rather than stopping the connector.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface ZidLimiterOptions {
  /** Shares the budget between processes. */
  redis?: Redis;
  /** Requests granted in any window of `perMs`: 58 in 62 s by default (Zid's 60 in 60 s, with margins). */
  requests?: number;
  perMs?: number;
  /** Redis key prefix; a test run gives its own. */
  keyPrefix?: string;
  /** The clock of the in-process log (Redis uses its own): tests of the log give theirs. */
  clock?: () => number;
}

// KEYS[1] the store's log; ARGV: limit, window ms, a unique member. Answers 0 when granted, else the
// ms until the oldest grant leaves the window.
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

/** Keeps each Zid store under its request budget; take() waits for a turn and never fails for the budget. */
export class ZidLimiter {
  readonly requests: number;
  readonly perMs: number;
  private readonly redis: Redis | undefined;
  private readonly keyPrefix: string;
  private readonly local = new Map<number, number[]>();
  private readonly clock: () => number;
  private readonly instance = randomUUID();
  private sequence = 0;

  constructor(options: ZidLimiterOptions = {}) {
    this.requests = options.requests ?? 58;
    this.perMs = options.perMs ?? 62_000;
    if (!Number.isInteger(this.requests) || this.requests < 1) throw new RangeError('requests must be a positive integer');
    if (!Number.isFinite(this.perMs) || this.perMs <= 0) throw new RangeError('perMs must be positive');
    this.redis = options.redis;
    this.keyPrefix = options.keyPrefix ?? 'souk:zid:rl:';
    this.clock = options.clock ?? Date.now;
  }

  /** Resolves when `storeId` may send one more request, having counted it. */
  async take(storeId: number): Promise<void> {
    for (;;) {
      const waitMs = await this.tryTake(storeId);
      if (waitMs <= 0) return;
      // A little jitter so the waiters of several processes do not all ask again at the same ms.
      await sleep(waitMs + Math.floor(Math.random() * 10));
    }
  }

  /** 0 when a request of `storeId` was granted and counted, else how long to wait before asking again. */
  async tryTake(storeId: number): Promise<number> {
    if (this.redis) {
      try {
        const answer = await this.redis.eval(TAKE_SCRIPT, 1, this.keyPrefix + storeId, this.requests, this.perMs, `${this.instance}:${++this.sequence}`);
        return Number(answer);
      } catch {
        // Redis is down: this process's own log keeps it under the budget alone.
      }
    }
    return this.takeLocal(storeId, this.clock());
  }

  private takeLocal(storeId: number, now: number): number {
    const log = (this.local.get(storeId) ?? []).filter((at) => at > now - this.perMs);
    if (log.length < this.requests) {
      log.push(now);
      this.local.set(storeId, log);
      return 0;
    }
    this.local.set(storeId, log);
    return Math.max(1, log[0]! + this.perMs - now);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
