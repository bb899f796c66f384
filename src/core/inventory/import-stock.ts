// Importing codes: one per line, blanks skipped, duplicates (in the file or already in stock)
// skipped and counted. Work is committed in chunks, so a huge file shows progress and a failure
// halfway keeps what was committed; importing the same file again only counts duplicates.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { changeCatalog, findProduct, type CatalogDeps } from '../catalog/index.js';
import { ValidationFailed } from '../errors.js';
import type { CodeVault } from './codes.js';

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
}

export interface ImportOptions {
  batch?: string;
  demo?: boolean;
  onProgress?: (progress: ImportProgress) => void;
  /** Codes per committed chunk. */
  chunkSize?: number;
}

const MAX_CODE_LENGTH = 500;
/** Rows per INSERT statement: well under SQLite's 32,766 bound parameters at 7 per row. */
const ROWS_PER_STATEMENT = 1000;

async function insertChunk(tx: Db, productId: number, codes: string[], deps: StockDeps, options: ImportOptions): Promise<number> {
  const now = nowIso();
  let inserted = 0;
  for (let i = 0; i < codes.length; i += ROWS_PER_STATEMENT) {
    const rows = codes.slice(i, i + ROWS_PER_STATEMENT).map((code) => ({
      product_id: productId,
      code_enc: deps.vault.seal(code),
      code_hmac: deps.vault.fingerprint(code),
      status: 'available' as const,
      batch: options.batch ?? null,
      demo: options.demo ? 1 : 0,
      created_at: now,
    }));
    // A code already in stock (or twice in this statement) violates the unique fingerprint and is skipped.
    const result = await tx.insertInto('stock_items').values(rows).onConflict((c) => c.columns(['product_id', 'code_hmac']).doNothing()).executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
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

  const flush = async () => {
    if (!chunk.length) return;
    const codes = chunk;
    chunk = [];
    const inserted = await changeCatalog(deps, (tx) => insertChunk(tx, product.id, codes, deps, options));
    progress.imported += inserted;
    progress.duplicates += codes.length - inserted;
    options.onProgress?.({ ...progress });
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
  return { imported: progress.imported, duplicates: progress.duplicates, blank: progress.blank };
}
