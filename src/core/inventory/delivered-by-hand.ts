// Codes a person delivers for an order (manual fulfilment): they enter stock already sold to the
// order, sealed and fingerprinted like imported codes, so a code can never be delivered twice.
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { Conflict } from '../errors.js';
import type { CodeVault } from './codes.js';

export interface DeliveredCodes {
  orderId: string;
  productId: number;
  /** Distinct, trimmed codes: the caller has checked their number against the order. */
  codes: readonly string[];
}

/**
 * Stores `codes` as stock items sold to the order, in the caller's transaction, and returns their
 * ids in the order given (the order lists them as its items). Conflict, and nothing kept once the
 * transaction rolls back, when any code was in this product's stock before (sold or not).
 */
export async function recordDeliveredCodes(tx: Db, vault: CodeVault, delivery: DeliveredCodes): Promise<number[]> {
  const now = nowIso();
  const inserted = await tx
    .insertInto('stock_items')
    .values(
      delivery.codes.map((code) => ({
        product_id: delivery.productId,
        code_enc: vault.seal(code),
        code_hmac: vault.fingerprint(code),
        code_mask: vault.sealMask(code),
        status: 'sold' as const,
        order_id: delivery.orderId,
        batch: `manual:${delivery.orderId}`,
        demo: 0,
        created_at: now,
        sold_at: now,
      })),
    )
    .onConflict((c) => c.columns(['product_id', 'code_hmac']).doNothing())
    .returning('id')
    .execute();
  if (inserted.length !== delivery.codes.length) throw new Conflict('A code given was already in stock or sold before; every code must be new.');
  return inserted.map((row) => Number(row.id));
}
