// Importing codes: one per line, blanks skipped, duplicates (in the file or already in stock)
// skipped and counted. Work is committed in chunks, so a huge file shows progress and a failure
// halfway keeps what was committed; importing the same file again only counts duplicates.
import { sql } from 'kysely';
import { withBulkWrites, type Db, type Dialect } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { changeCatalog, findProduct, type CatalogDeps } from '../catalog/index.js';
import { ValidationFailed } from '../errors.js';
import type { CodeVault } from './codes.js';
import type { SealedRows } from './seal-pool.js';

export interface ImportResult {
  imported: number;
  duplicates: number;
  blank: number;
  /** With `skipInvalid` only: the lines left out, the first MAX_REJECTED_LISTED of them listed. */
  rejected?: RejectedLines;
}

/** Why a line is not a code. */
export type RejectReason = 'too_long';

export interface RejectedLines {
  count: number;
  lines: Array<{ line: number; reason: RejectReason }>;
}

/** Rejected lines listed one by one in a result; past it they are only counted. */
export const MAX_REJECTED_LISTED = 100;

export interface ImportProgress extends ImportResult {
  read: number;
}

export interface StockDeps extends CatalogDeps {
  vault: CodeVault;
  dialect: Dialect;
}

export interface ImportOptions {
  batch?: string;
  demo?: boolean;
  onProgress?: (progress: ImportProgress) => void;
  /** Codes per committed chunk, at most (25,000 by default). */
  chunkSize?: number;
  /**
   * Leave out a line that cannot be a code and report it in `rejected`, instead of refusing the
   * import at it (the default: a file of something else is usually a mistake worth stopping for).
   */
  skipInvalid?: boolean;
}

/**
 * Published on the change bus after each committed chunk that added codes: whoever waits for stock
 * (orders waiting for it, core/orders/waiting-stock.ts) may look now instead of at its next poll.
 */
export const STOCK_ARRIVED_TOPIC = 'stock-arrived';

const MAX_CODE_LENGTH = 500;
/** Chunks being sealed while one is inserted. */
const SEALING_AHEAD = 3;
/**
 * The first chunk is this small and each next one twice the last, up to the chunk size: large
 * chunks commit fewer times (each commit rewrites the index pages the chunk touched), but the
 * inserts cannot start before the first chunk is sealed.
 */
const FIRST_CHUNK = 2_500;

/**
 * Inserts one piece of sealed codes in one statement whatever its size: the rows travel as one
 * JSON text, so no per-row query building or parameter binding sits on the hot path. Codes
 * already in stock (or twice in the file) hit the unique fingerprint and are skipped.
 */
async function insertSealed(tx: Db, dialect: Dialect, productId: number, rows: SealedRows, options: ImportOptions, now: string): Promise<number> {
  const batch = options.batch ?? null;
  const demo = options.demo ? 1 : 0;
  if (dialect === 'postgres') {
    const result = await sql`
      insert into stock_items (product_id, code_enc, code_hmac, code_mask, status, batch, demo, created_at)
      select ${productId}, t.pair->>0, t.pair->>1, t.pair->>2, 'available', ${batch}, ${demo}, ${now}
      from json_array_elements(${rows.json}::json) as t(pair)
      on conflict (product_id, code_hmac) do nothing`.execute(tx);
    return Number(result.numAffectedRows ?? 0n);
  }
  // "where true" keeps SQLite from reading ON CONFLICT as a join constraint.
  const result = await sql`
    insert into stock_items (product_id, code_enc, code_hmac, code_mask, status, batch, demo, created_at)
    select ${productId}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), 'available', ${batch}, ${demo}, ${now}
    from json_each(${rows.json}) where true
    on conflict (product_id, code_hmac) do nothing`.execute(tx);
  return Number(result.numAffectedRows ?? 0n);
}

async function insertChunk(tx: Db, productId: number, pieces: SealedRows[], deps: StockDeps, options: ImportOptions): Promise<number> {
  const now = nowIso();
  let inserted = 0;
  for (const piece of pieces) inserted += await insertSealed(tx, deps.dialect, productId, piece, options, now);
  if (inserted > 0) {
    await tx
      .updateTable('products')
      .set({ stock_available: sql<number>`stock_available + ${inserted}`, updated_at: now })
      .where('id', '=', productId)
      .execute();
  }
  return inserted;
}

/** Imports codes for a product (by id, code or slug) from any source of lines. */
export async function importStock(deps: StockDeps, productRef: string | number, lines: AsyncIterable<string> | Iterable<string>, options: ImportOptions = {}): Promise<ImportResult> {
  const product = await findProduct(deps.db, productRef);
  if (product.fulfillment !== 'stock') {
    throw new ValidationFailed(`${product.code} is fulfilled ${product.fulfillment}, not from stock.`, [{ field: 'product', message: 'not a stock product' }]);
  }
  const chunkSize = options.chunkSize ?? 25_000;
  let nextChunkSize = Math.min(FIRST_CHUNK, chunkSize);
  const progress: ImportProgress = { imported: 0, duplicates: 0, blank: 0, read: 0 };
  let chunk: string[] = [];
  const rejected: RejectedLines | undefined = options.skipInvalid ? { count: 0, lines: [] } : undefined;

  // Chunks are sealed on worker threads a few ahead of the one being inserted, so the crypto of
  // the next chunks runs while this one is written.
  const sealing: Array<{ count: number; sealed: Promise<SealedRows[]> }> = [];
  const insertOldest = async () => {
    const next = sealing.shift()!;
    const sealed = await next.sealed;
    const inserted = await changeCatalog(deps, (tx) => insertChunk(tx, product.id, sealed, deps, options));
    progress.imported += inserted;
    progress.duplicates += next.count - inserted;
    if (inserted > 0) deps.bus.publish(STOCK_ARRIVED_TOPIC);
    options.onProgress?.({ ...progress });
  };
  const flush = async () => {
    if (!chunk.length) return;
    const sealed = deps.vault.sealMany(chunk);
    // Awaited in turn below; until then a failure must not count as unhandled.
    sealed.catch(() => undefined);
    sealing.push({ count: chunk.length, sealed });
    chunk = [];
    nextChunkSize = Math.min(chunkSize, nextChunkSize * 2);
    if (sealing.length >= SEALING_AHEAD) await insertOldest();
  };

  const readAll = async () => {
    for await (const raw of lines) {
      progress.read += 1;
      const code = raw.replace(/^\uFEFF/, '').trim();
      if (!code) {
        progress.blank += 1;
        continue;
      }
      if (code.length > MAX_CODE_LENGTH) {
        if (rejected) {
          rejected.count += 1;
          if (rejected.lines.length < MAX_REJECTED_LISTED) rejected.lines.push({ line: progress.read, reason: 'too_long' });
          continue;
        }
        throw new ValidationFailed(`Line ${progress.read} is longer than ${MAX_CODE_LENGTH} characters; is this a file of codes, one per line?`, [{ field: 'codes', message: `line ${progress.read} too long` }]);
      }
      chunk.push(code);
      if (chunk.length >= nextChunkSize) await flush();
    }
    await flush();
    while (sealing.length) await insertOldest();
  };
  await withBulkWrites(deps.db, readAll);
  return { imported: progress.imported, duplicates: progress.duplicates, blank: progress.blank, ...(rejected ? { rejected } : {}) };
}
