// Looking at stock: counts by status, masked lists, voiding a code, and revealing one in full
// (an explicit act, written to the audit log).
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { changeCatalog, findProduct } from '../catalog/index.js';
import { Conflict, NotFound } from '../errors.js';
import type { CodeVault } from './codes.js';
import type { StockDeps } from './import-stock.js';

export type StockStatus = 'available' | 'reserved' | 'sold' | 'void';

export interface StockCounts {
  product_id: number;
  available: number;
  reserved: number;
  sold: number;
  void: number;
}

export async function countStock(db: Db, productRef: string | number): Promise<StockCounts> {
  const product = await findProduct(db, productRef);
  const rows = await db
    .selectFrom('stock_items')
    .select(['status', sql<number>`count(*)`.as('n')])
    .where('product_id', '=', product.id)
    .groupBy('status')
    .execute();
  const counts: StockCounts = { product_id: product.id, available: 0, reserved: 0, sold: 0, void: 0 };
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

export interface StockItemView {
  id: number;
  product_id: number;
  code: string;
  status: StockStatus;
  order_id: string | null;
  batch: string | null;
  demo: boolean;
  created_at: string;
  sold_at: string | null;
}

/** A page of a product's stock items, their codes masked: each mask is opened, never the code it hides. */
export async function listStock(
  db: Db,
  vault: CodeVault,
  productRef: string | number,
  filter: { status?: StockStatus; after?: number; limit?: number } = {},
): Promise<StockItemView[]> {
  const product = await findProduct(db, productRef);
  let query = db
    .selectFrom('stock_items')
    .select(['id', 'product_id', 'code_enc', 'code_mask', 'status', 'order_id', 'batch', 'demo', 'created_at', 'sold_at'])
    .where('product_id', '=', product.id)
    .orderBy('id')
    .limit(filter.limit ?? 100);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.after) query = query.where('id', '>', filter.after);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    product_id: row.product_id,
    code: vault.maskOf(row),
    status: row.status,
    order_id: row.order_id,
    batch: row.batch,
    demo: row.demo === 1,
    created_at: row.created_at,
    sold_at: row.sold_at,
  }));
}

/** Takes an unsold code out of stock for good (leaked, refunded by the supplier …). */
export async function voidStockItem(deps: StockDeps, itemId: number, actor: string): Promise<void> {
  await changeCatalog(deps, async (tx) => {
    const item = await tx.selectFrom('stock_items').select(['id', 'status', 'product_id']).where('id', '=', itemId).executeTakeFirst();
    if (!item) throw new NotFound(`No stock item ${itemId}.`);
    if (item.status !== 'available') throw new Conflict(`Stock item ${itemId} is ${item.status}; only available codes can be voided.`);
    const result = await tx.updateTable('stock_items').set({ status: 'void' }).where('id', '=', itemId).where('status', '=', 'available').executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new Conflict(`Stock item ${itemId} was taken meanwhile.`);
    await tx.updateTable('products').set({ stock_available: sql<number>`stock_available - 1` }).where('id', '=', item.product_id).execute();
    await tx.insertInto('audit_log').values({ actor, action: 'stock.void', subject: `stock_item:${itemId}`, detail: null, created_at: nowIso() }).execute();
  });
}

/** The full code of one stock item, for an admin who asked for it; the reveal is audited. */
export async function revealStockItem(db: Db, vault: CodeVault, itemId: number, actor: string): Promise<{ id: number; code: string }> {
  return db.transaction().execute(async (tx) => {
    const item = await tx.selectFrom('stock_items').select(['id', 'code_enc']).where('id', '=', itemId).executeTakeFirst();
    if (!item) throw new NotFound(`No stock item ${itemId}.`);
    await tx.insertInto('audit_log').values({ actor, action: 'stock.reveal', subject: `stock_item:${itemId}`, detail: null, created_at: nowIso() }).execute();
    return { id: item.id, code: vault.open(item.code_enc) };
  });
}
