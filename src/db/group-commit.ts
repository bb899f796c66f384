// Group commit for small transactions that arrive together: works submitted while a batch is
// being written wait and go together in the next one, one transaction and one commit for all of
// them. Each work still commits or rolls back as a whole: when any work of a batch throws, the
// batch wrote nothing and each of its works runs again alone, in its own transaction, so one
// work's failure leaves the others untouched and reaches only its own caller. A work may
// therefore run twice; it must only write through `tx` and keep nothing it set in memory unless
// its promise resolves.
import type { Db } from './index.js';

interface Waiting {
  work: (tx: Db) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class GroupCommit {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly db: Db,
    private readonly maxBatch = 50,
  ) {}

  /** Runs `work` in a transaction, shared with the works submitted meanwhile; resolves once it has committed. */
  run<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.writing) {
        this.writing = true;
        // Works submitted in the same turn of the event loop join this batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, this.maxBatch);
      let results: unknown[] | undefined;
      if (batch.length > 1) {
        try {
          results = await this.db.transaction().execute(async (tx) => {
            const out: unknown[] = [];
            for (const waiting of batch) out.push(await waiting.work(tx));
            return out;
          });
        } catch {
          // Some work failed, and the batch wrote nothing: each runs again on its own.
          results = undefined;
        }
      }
      if (results) {
        batch.forEach((waiting, i) => waiting.resolve(results[i]));
        continue;
      }
      for (const waiting of batch) {
        try {
          waiting.resolve(await this.db.transaction().execute(waiting.work));
        } catch (error) {
          waiting.reject(error);
        }
      }
    }
    this.writing = false;
  }
}
