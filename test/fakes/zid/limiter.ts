// Zid's rate limit, strictly: at most `limit` calls per store in ANY window of `windowMs` (a sliding
// log, not fixed minutes, so a client that bursts at a minute's edge is caught). A refused call takes
// no slot; it learns in whole seconds when the oldest call leaves the window.

export interface RateLimit {
  limit: number;
  windowMs: number;
}

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

export class SlidingWindowLimiter {
  private readonly calls = new Map<string, number[]>();

  constructor(public rate: RateLimit) {
    if (!Number.isInteger(rate.limit) || rate.limit < 1 || !(rate.windowMs > 0)) throw new Error('a rate limit is a whole limit above 0 per a window above 0 ms');
  }

  /** Takes a slot for `key` now, or says how many whole seconds until one frees. */
  take(key: string, now = Date.now()): Admission {
    const since = now - this.rate.windowMs;
    const log = (this.calls.get(key) ?? []).filter((at) => at > since);
    this.calls.set(key, log);
    if (log.length < this.rate.limit) {
      log.push(now);
      return { ok: true };
    }
    // The slot frees when the call `limit` places back leaves the window.
    const frees = log[log.length - this.rate.limit]! + this.rate.windowMs;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((frees - now) / 1000)) };
  }

  reset(): void {
    this.calls.clear();
  }
}
