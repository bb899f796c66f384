// Group commit for small transactions that arrive together: items submitted while a batch is
// being written wait and go together in the next one, one transaction and one commit for all of
// them. Each item still commits or rolls back as a whole: when the batch fails, it wrote nothing,
// and each of its items is written again alone, in its own transaction, so one item's failure
// leaves the others untouched and reaches only its own caller. An item may therefore be written
// twice; what writes it must only write in the transaction and keep nothing it set in memory
// unless its promise resolves.
import type { Db } from './index.js';

interface Waiting<I> {
  item: I;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Batches items for `writeBatch`, which writes them all in one transaction (its outputs in the
 * items' order) or throws having written nothing; `writeOne` writes an item on its own, after a
 * batch that failed (a batch of one too, so that its caller gets the one-item path's own error).
 * Without `writeOne`, a failed batch fails each of its items with the batch's error.
 */
export class BatchQueue<I, O> {
  private waiting: Array<Waiting<I>> = [];
  private writing = false;

  constructor(
    private readonly writeBatch: (items: I[]) => Promise<O[]>,
    private readonly writeOne: ((item: I) => Promise<O>) | undefined,
    private readonly maxBatch = 50,
  ) {}

  /** Writes `item` with the items submitted meanwhile; resolves once it has committed. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve: resolve as (value: unknown) => void, reject });
      if (!this.writing) {
        this.writing = true;
        // Items submitted in the same turn of the event loop join this batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, this.maxBatch);
      let results: O[];
      try {
        results = await this.writeBatch(batch.map((waiting) => waiting.item));
      } catch (error) {
        const writeOne = this.writeOne;
        if (!writeOne) {
          for (const waiting of batch) waiting.reject(error);
          continue;
        }
        // Something in the batch failed, and it wrote nothing: each item goes again on its own.
        for (const waiting of batch) {
          try {
            waiting.resolve(await writeOne(waiting.item));
          } catch (alone) {
            waiting.reject(alone);
          }
        }
        continue;
      }
      batch.forEach((waiting, i) => waiting.resolve(results[i]));
    }
    this.writing = false;
  }
}

type Work = (tx: Db) => Promise<unknown>;

/** Transactions that arrive together share one: their works run one after another in it. */
export class GroupCommit {
  private readonly queue: BatchQueue<Work, unknown>;

  constructor(db: Db, maxBatch = 50) {
    this.queue = new BatchQueue<Work, unknown>(
      (works) =>
        db.transaction().execute(async (tx) => {
          const out: unknown[] = [];
          for (const work of works) out.push(await work(tx));
          return out;
        }),
      (work) => db.transaction().execute(work),
      maxBatch,
    );
  }

  /** Runs `work` in a transaction, shared with the works submitted meanwhile; resolves once it has committed. */
  run<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.queue.submit(work) as Promise<T>;
  }
}
