// Taking codes out of stock for an order, and putting them back. Called inside the order's
// transaction; the claim itself is a conditional UPDATE (and on PostgreSQL rows are picked with
// FOR UPDATE SKIP LOCKED), so two orders can never get the same code whatever their callers do.
import { sql } from 'kysely';
import { queryTemplate, type Db, type Dialect } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { OutOfStock } from '../errors.js';

export interface AllocatedItem {
  id: number;
  code_enc: string;
}

export interface AllocationTarget {
  id: number;
  code: string;
  stock_mode: 'unique' | 'shared';
}

/**
 * The claim, as templates (it runs on every order). The pick is a materialized CTE so it runs
 * exactly once: PostgreSQL may re-run an `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` subquery
 * and claim more rows than asked.
 */
function claimTemplate(hold: boolean) {
  return queryTemplate(['productId', 'quantity', 'orderId', 'at'], (db, p, dialect) =>
    db
      .with(
        (cte) => cte('picked').materialized(),
        (q) => {
          const pick = q.selectFrom('stock_items').select('id').where('product_id', '=', p.productId).where('status', '=', 'available').orderBy('id').limit(p.quantity);
          return dialect === 'postgres' ? pick.forUpdate().skipLocked() : pick;
        },
      )
      .updateTable('stock_items')
      .set(hold ? { status: 'reserved', order_id: p.orderId, reserved_until: p.at } : { status: 'sold', order_id: p.orderId, sold_at: p.at })
      .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
      .where('status', '=', 'available')
      .returning(['id', 'code_enc']),
  );
}
const sellCodes = claimTemplate(false);
const holdCodes = claimTemplate(true);
const insertOneItem = queryTemplate(['orderId', 'stockItemId', 'at'], (db, p) => db.insertInto('order_items').values({ order_id: p.orderId, stock_item_id: p.stockItemId, created_at: p.at }));
const countDown = queryTemplate(['quantity', 'productId'], (db, p) =>
  db.updateTable('products').set({ stock_available: sql<number>`stock_available - ${p.quantity}` }).where('id', '=', p.productId),
);

/**
 * Claims `quantity` codes of a product for an order (whose row must exist): sold at once, or
 * reserved until `holdUntil` for an order that waits for payment. Throws OutOfStock (and claims
 * nothing) when short. The product's counter is not touched here: call countDownStock() with the
 * result, as late in the transaction as possible, because that row is shared by every buyer of the
 * product and its lock is held until commit.
 */
export async function claimStock(tx: Db, dialect: Dialect, product: AllocationTarget, quantity: number, orderId: string, holdUntil?: string): Promise<AllocatedItem[]> {
  const now = nowIso();
  let items: AllocatedItem[];
  if (product.stock_mode === 'shared') {
    // One code for every buyer: delivered once per unit, never counted down.
    const shared = await tx.selectFrom('stock_items').select(['id', 'code_enc']).where('product_id', '=', product.id).where('status', '=', 'available').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (!shared) throw new OutOfStock(product.code, quantity, 0);
    items = Array.from({ length: quantity }, () => shared);
  } else {
    items = await (holdUntil ? holdCodes : sellCodes).run(tx, { productId: product.id, quantity, orderId, at: holdUntil ?? now });
    if (items.length < quantity) throw new OutOfStock(product.code, quantity, items.length);
    items.sort((a, b) => a.id - b.id);
  }
  if (items.length === 1) await insertOneItem.run(tx, { orderId, stockItemId: items[0]!.id, at: now });
  else await tx.insertInto('order_items').values(items.map((item) => ({ order_id: orderId, stock_item_id: item.id, created_at: now }))).execute();
  return items;
}

/** Lowers a unique-mode product's available count by what an order claimed (shared codes are never counted down). */
export async function countDownStock(tx: Db, product: AllocationTarget, quantity: number): Promise<void> {
  if (product.stock_mode === 'shared' || quantity === 0) return;
  await countDown.run(tx, { quantity, productId: product.id });
}

/** Turns an order's reserved codes into sold ones (its payment arrived). */
export async function confirmReservedStock(tx: Db, orderId: string): Promise<void> {
  await tx.updateTable('stock_items').set({ status: 'sold', sold_at: nowIso(), reserved_until: null }).where('order_id', '=', orderId).where('status', '=', 'reserved').execute();
}

/** Puts an order's codes back on sale (cancelled, rejected or expired before delivery). */
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
  await tx.deleteFrom('order_items').where('order_id', '=', orderId).execute();
  return released.length;
}
