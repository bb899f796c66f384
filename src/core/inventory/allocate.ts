// Codes an order holds: confirming held ones when payment arrives, and putting them back. The
// claim itself is part of placement's write (core/orders/placement-*.ts): a conditional UPDATE,
// with rows picked FOR UPDATE SKIP LOCKED on PostgreSQL, so two orders never get one code.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';

export interface AllocatedItem {
  id: number;
  code_enc: string;
}

/** Turns an order's reserved codes into sold ones (its payment arrived). */
export async function confirmReservedStock(tx: Db, orderId: string): Promise<void> {
  await tx.updateTable('stock_items').set({ status: 'sold', sold_at: nowIso(), reserved_until: null }).where('order_id', '=', orderId).where('status', '=', 'reserved').execute();
}

/** Puts an order's codes back on sale (cancelled, rejected or expired before delivery); the order forgets them as its items. */
export async function releaseStock(tx: Db, orderId: string): Promise<number> {
  const released = await tx
    .updateTable('stock_items')
    .set({ status: 'available', order_id: null, sold_at: null, reserved_until: null })
    .where('order_id', '=', orderId)
    .where('status', 'in', ['sold', 'reserved'])
    .returning(['product_id'])
    .execute();
  const perProduct = new Map<number, number>();
  for (const { product_id } of released) perProduct.set(product_id, (perProduct.get(product_id) ?? 0) + 1);
  for (const [productId, count] of perProduct) {
    await tx.updateTable('products').set({ stock_available: sql<number>`stock_available + ${count}` }).where('id', '=', productId).execute();
  }
  return released.length;
}
