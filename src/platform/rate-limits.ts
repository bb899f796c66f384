// Rate limits, in memory for one process or in Redis so every process shares one budget.
// Each bucket is a fixed 60 s window; if Redis fails, a per-process memory limiter stands in
// rather than letting the failure become a 5xx or an open door.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.js';

export type Bucket = 'key' | 'ip' | 'login' | (string & {});

export interface RateDecision {
  allowed: boolean;
  bucket: Bucket;
  limit: number;
  remaining: number;
  windowSeconds: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export class RateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(
    private readonly config: Pick<Config, 'keyRateLimitPerMinute'>,
    private readonly redis: Redis | undefined,
  ) {}

  private limiter(bucket: Bucket, points: number, windowSeconds: number): RateLimiterAbstract {
    const name = `${bucket}:${points}:${windowSeconds}`;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      // The counter's key does not include `points`, so changing an account's limit keeps its count.
      const options = { keyPrefix: `souk:rl:${bucket}`, points, duration: windowSeconds };
      limiter = this.redis
        ? new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) })
        : new RateLimiterMemory(options);
      this.limiters.set(name, limiter);
    }
    return limiter;
  }

  /** Spends one request from `id`'s budget in `bucket`. */
  async consume(bucket: Bucket, id: string, points: number, windowSeconds = 60): Promise<RateDecision> {
    const limiter = this.limiter(bucket, points, windowSeconds);
    try {
      const res = await limiter.consume(id, 1);
      return this.decision(true, bucket, points, windowSeconds, res);
    } catch (error) {
      if (error instanceof RateLimiterRes) return this.decision(false, bucket, points, windowSeconds, error);
      throw error;
    }
  }

  private decision(allowed: boolean, bucket: Bucket, limit: number, windowSeconds: number, res: RateLimiterRes): RateDecision {
    return {
      allowed,
      bucket,
      limit,
      remaining: Math.max(0, res.remainingPoints),
      windowSeconds,
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
  }

  defaultKeyLimit(): number {
    return this.config.keyRateLimitPerMinute;
  }
}
