// What the delivery side (webhooks, mail) reads of orders, exported so that it never reads the
// order tables itself: which orders are mailed and to whom, the channel an order came through, and
// the sealed codes an order delivered (opened by the reader with the code vault, at send time).
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/index.js';
import { sealedCodeSql, sealedCodesOf } from '../inventory/index.js';

/** Of these orders, the ones delivered by e-mail, with the buyer's address. */
export async function emailDeliveries(db: Db, orderIds: readonly string[]): Promise<Array<{ id: string; recipient: string }>> {
  if (!orderIds.length) return [];
  const rows = await db
    .selectFrom('orders')
    .select(['id', 'buyer_email'])
    .where('id', 'in', orderIds)
    .where('delivery_channel', '=', 'email')
    .where('buyer_email', 'is not', null)
    .execute();
  return rows.map((r) => ({ id: r.id, recipient: r.buyer_email! }));
}

/** Orders with the channel each was placed through: a source to join by `id` (one statement with the reader's own). */
export function orderChannels(db: Db) {
  return db.selectFrom('orders').select(['orders.id', 'orders.channel']);
}

/** The sealed codes each of these orders delivered, in delivery order, by order id. */
export async function deliveredSealedCodes(db: Db, orderIds: readonly string[]): Promise<Map<string, Array<{ id: number; code_enc: string }>>> {
  const items = new Map<string, Array<{ id: number; code_enc: string }>>();
  if (!orderIds.length) return items;
  const rows = await db.selectFrom('order_items').select(['order_id', 'stock_item_id']).where('order_id', 'in', orderIds).orderBy('id').execute();
  const sealed = await sealedCodesOf(db, rows.map((r) => r.stock_item_id));
  for (const row of rows) {
    const code = sealed.get(row.stock_item_id);
    if (code === undefined) continue;
    const list = items.get(row.order_id) ?? [];
    list.push({ id: row.stock_item_id, code_enc: code });
    items.set(row.order_id, list);
  }
  return items;
}

/**
 * PostgreSQL: the same codes as a JSON array (`[{id, code_enc}]`) for the order named by
 * `orderId`, as an expression, so that a reader can take them in the statement it runs anyway.
 */
export function deliveredSealedCodesJson(orderId: RawBuilder<unknown>): RawBuilder<Array<{ id: number; code_enc: string }> | null> {
  return sql`(select coalesce(json_agg(json_build_object('id', oi.stock_item_id, 'code_enc', ${sealedCodeSql(sql.ref('oi.stock_item_id'))}) order by oi.id), '[]')
    from order_items oi where oi.order_id = ${orderId})`;
}
