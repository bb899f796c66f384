// Importing codes: one per line, blanks skipped, duplicates (in the file or already in stock)
// skipped and counted. Work is committed in chunks, so a huge file shows progress and a failure
// halfway keeps what was committed; importing the same file again only counts duplicates.
import { sql } from 'kysely';
import type { Db, Dialect } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { changeCatalog, findProduct, type CatalogDeps } from '../catalog/index.js';
import { ValidationFailed } from '../errors.js';
import type { CodeVault } from './codes.js';
import type { SealedCodes } from './seal-pool.js';

export interface ImportResult {
  imported: number;
  duplicates: number;
  blank: number;
}

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
  /** Codes per committed chunk. */
  chunkSize?: number;
}

const MAX_CODE_LENGTH = 500;
/** Chunks being sealed while one is inserted. */
const SEALING_AHEAD = 3;

/**
 * Inserts sealed codes in one statement whatever their number: the rows travel as one JSON array
 * (SQLite) or two arrays (PostgreSQL), so no per-row query building sits on the hot path.
 * Codes already in stock (or twice in the batch) hit the unique fingerprint and are skipped.
 */
async function insertSealed(tx: Db, dialect: Dialect, productId: number, sealed: string[], fingerprints: string[], options: ImportOptions, now: string): Promise<number> {
  const batch = options.batch ?? null;
  const demo = options.demo ? 1 : 0;
  if (dialect === 'postgres') {
    const result = await sql`
      insert into stock_items (product_id, code_enc, code_hmac, status, batch, demo, created_at)
      select ${productId}, t.enc, t.hmac, 'available', ${batch}, ${demo}, ${now}
      from unnest(${sealed}::text[], ${fingerprints}::text[]) as t(enc, hmac)
      on conflict (product_id, code_hmac) do nothing`.execute(tx);
    return Number(result.numAffectedRows ?? 0n);
  }
  const rows = JSON.stringify(sealed.map((enc, i) => [enc, fingerprints[i]]));
  // "where true" keeps SQLite from reading ON CONFLICT as a join constraint.
  const result = await sql`
    insert into stock_items (product_id, code_enc, code_hmac, status, batch, demo, created_at)
    select ${productId}, json_extract(value, '$[0]'), json_extract(value, '$[1]'), 'available', ${batch}, ${demo}, ${now}
    from json_each(${rows}) where true
    on conflict (product_id, code_hmac) do nothing`.execute(tx);
  return Number(result.numAffectedRows ?? 0n);
}

async function insertChunk(tx: Db, productId: number, { sealed, fingerprints }: SealedCodes, deps: StockDeps, options: ImportOptions): Promise<number> {
  const now = nowIso();
  const inserted = await insertSealed(tx, deps.dialect, productId, sealed, fingerprints, options, now);
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
  const chunkSize = options.chunkSize ?? 10_000;
  const progress: ImportProgress = { imported: 0, duplicates: 0, blank: 0, read: 0 };
  let chunk: string[] = [];

  // Chunks are sealed on worker threads a few ahead of the one being inserted, so the crypto of
  // the next chunks runs while this one is written.
  const sealing: Array<{ count: number; sealed: Promise<SealedCodes> }> = [];
  const insertOldest = async () => {
    const next = sealing.shift()!;
    const sealed = await next.sealed;
    const inserted = await changeCatalog(deps, (tx) => insertChunk(tx, product.id, sealed, deps, options));
    progress.imported += inserted;
    progress.duplicates += next.count - inserted;
    options.onProgress?.({ ...progress });
  };
  const flush = async () => {
    if (!chunk.length) return;
    const sealed = deps.vault.sealMany(chunk);
    // Awaited in turn below; until then a failure must not count as unhandled.
    sealed.catch(() => undefined);
    sealing.push({ count: chunk.length, sealed });
    chunk = [];
    if (sealing.length >= SEALING_AHEAD) await insertOldest();
  };

  for await (const raw of lines) {
    progress.read += 1;
    const code = raw.replace(/^\uFEFF/, '').trim();
    if (!code) {
      progress.blank += 1;
      continue;
    }
    if (code.length > MAX_CODE_LENGTH) {
      throw new ValidationFailed(`Line ${progress.read} is longer than ${MAX_CODE_LENGTH} characters; is this a file of codes, one per line?`, [{ field: 'codes', message: `line ${progress.read} too long` }]);
    }
    chunk.push(code);
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  while (sealing.length) await insertOldest();
  return { imported: progress.imported, duplicates: progress.duplicates, blank: progress.blank };
}
