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

  private limiter(bucket: Bucket, windowSeconds: number): RateLimiterAbstract {
    const name = `${bucket}:${windowSeconds}`;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      // One counter per bucket and id whatever the limit (a memory limiter per limit would start a
      // fresh count when an account's limit changes); the store only counts, consume() decides.
      const options = { keyPrefix: `souk:rl:${bucket}`, points: Number.MAX_SAFE_INTEGER, duration: windowSeconds };
      limiter = this.redis
        ? new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) })
        : new RateLimiterMemory(options);
      this.limiters.set(name, limiter);
    }
    return limiter;
  }

  /** Spends one request from `id`'s budget in `bucket`. */
  async consume(bucket: Bucket, id: string, points: number, windowSeconds = 60): Promise<RateDecision> {
    const res = await this.limiter(bucket, windowSeconds).consume(id, 1);
    return this.decision(res.consumedPoints <= points, bucket, points, windowSeconds, res);
  }

  private decision(allowed: boolean, bucket: Bucket, limit: number, windowSeconds: number, res: RateLimiterRes): RateDecision {
    return {
      allowed,
      bucket,
      limit,
      remaining: Math.max(0, limit - res.consumedPoints),
      windowSeconds,
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
  }

  defaultKeyLimit(): number {
    return this.config.keyRateLimitPerMinute;
  }
}
