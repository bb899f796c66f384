// Where accepted signatures are remembered: Redis when configured (shared by every process, expiring
// on its own), else the database (shared by every process on it; old rows pruned as we go).
import type { Redis } from 'ioredis';
import type { Db } from '../../db/index.js';
import type { ReplayGuard } from './signatures.js';

export class RedisReplayGuard implements ReplayGuard {
  constructor(
    private readonly redis: Redis,
    private readonly windowSeconds: number,
  ) {}

  async remember(keyId: string, signature: string, timestamp: number, binding: string | null): Promise<boolean> {
    const key = `souk:sig:${keyId}:${timestamp}:${signature}`;
    // Twice the window: a timestamp accepted at the window's far edge stays remembered until it expires.
    const set = await this.redis.set(key, binding ?? '', 'EX', this.windowSeconds * 2, 'NX');
    if (set === 'OK') return true;
    return binding !== null && (await this.redis.get(key)) === binding;
  }
}

export class DatabaseReplayGuard implements ReplayGuard {
  private lastPrune = 0;
  constructor(
    private readonly db: Db,
    private readonly windowSeconds: number,
  ) {}

  async remember(keyId: string, signature: string, timestamp: number, binding: string | null): Promise<boolean> {
    const now = Math.floor(Date.now() / 1000);
    if (now - this.lastPrune > this.windowSeconds) {
      this.lastPrune = now;
      await this.db.deleteFrom('seen_signatures').where('seen_at', '<', now - this.windowSeconds * 2).execute();
    }
    const result = await this.db
      .insertInto('seen_signatures')
      .values({ key_id: keyId, signature, timestamp, seen_at: now, binding })
      .onConflict((c) => c.doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
    if (binding === null) return false;
    const seen = await this.db.selectFrom('seen_signatures').select('binding').where('key_id', '=', keyId).where('signature', '=', signature).where('timestamp', '=', timestamp).executeTakeFirst();
    return seen?.binding === binding;
  }
}
