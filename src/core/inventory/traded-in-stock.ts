// Codes a partner sold the shop (core/trade-ins) join stock here, already sealed and fingerprinted
// by the same vault: inventory still writes the only SQL that touches stock_items, and the unique
// fingerprint per product keeps a code in stock once whoever adds it.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';

/** A code as it rests: sealed, fingerprinted, its mask sealed apart. */
export interface SealedStockCode {
  code_enc: string;
  code_hmac: string;
  code_mask: string;
}

/** The fingerprints, of those given, that the product already has in stock (available, sold or void). */
export async function fingerprintsInStock(db: Db, productId: number, fingerprints: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let at = 0; at < fingerprints.length; at += 500) {
    const rows = await db
      .selectFrom('stock_items')
      .select('code_hmac')
      .where('product_id', '=', productId)
      .where('code_hmac', 'in', fingerprints.slice(at, at + 500))
      .execute();
    for (const row of rows) found.add(row.code_hmac);
  }
  return found;
}

/**
 * Adds sealed codes to a product's stock as one batch inside the caller's transaction and counts
 * them in stock_available. A code already in stock is skipped; returns the fingerprints added.
 */
export async function addSealedStock(tx: Db, productId: number, codes: readonly SealedStockCode[], batch: string): Promise<Set<string>> {
  const added = new Set<string>();
  const now = nowIso();
  for (const code of codes) {
    const row = await tx
      .insertInto('stock_items')
      .values({ product_id: productId, code_enc: code.code_enc, code_hmac: code.code_hmac, code_mask: code.code_mask, status: 'available', batch, demo: 0, created_at: now })
      .onConflict((c) => c.columns(['product_id', 'code_hmac']).doNothing())
      .returning('code_hmac')
      .executeTakeFirst();
    if (row) added.add(row.code_hmac);
  }
  if (added.size) {
    await tx
      .updateTable('products')
      .set({ stock_available: sql<number>`stock_available + ${added.size}`, updated_at: now })
      .where('id', '=', productId)
      .execute();
  }
  return added;
}
