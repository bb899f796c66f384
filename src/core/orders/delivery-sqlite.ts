// Delivering many orders bought upstream at once on SQLite: every statement prepared once and run
// synchronously inside the batch writer's transaction, which holds the only connection and the
// write lock (the way placement's batch writes). It does what fulfilFromUpstream does for one
// order; anything out of the ordinary (an order no longer processing, a code count that does not
// fit, a code already in stock) throws, and the caller rolls back and delivers one by one, where
// fulfilFromUpstream says what is wrong with which order.
import type SQLite from 'better-sqlite3';
import { nowIso } from '../clock.js';
import { orderChangedEvents, sqliteOutboxWriter } from '../events/index.js';
import type { DeliveredNow } from '../fulfillment/index.js';
import { sqliteDeliveredCodesWriter, type CodeVault } from '../inventory/index.js';
import { deliverableCodes, LOCKED_COLUMNS, UPSTREAM_ACTOR, upstreamDeliveryReason, type LockedOrder } from './change-order.js';
import type { UpstreamDelivery } from './delivery-postgres.js';

/** Delivers orders in the caller's SQLite transaction, synchronously; throws on anything out of the ordinary. */
export function sqliteUpstreamDeliverer(sqlite: SQLite.Database, vault: CodeVault): (deliveries: readonly UpstreamDelivery[]) => DeliveredNow[] {
  const read = sqlite.prepare<[string], LockedOrder>(`select ${LOCKED_COLUMNS.join(', ')} from orders where id = ?`);
  const move = sqlite.prepare<[string, string, string]>(`update orders set status = 'fulfilled', updated_at = ?, reason = ? where id = ? and status = 'processing'`);
  const item = sqlite.prepare<[string, number, string]>('insert into order_items (order_id, stock_item_id, created_at) values (?, ?, ?)');
  const event = sqlite.prepare<[string, string, string, string]>(`insert into order_events (order_id, from_status, to_status, reason, actor, created_at) values (?, 'processing', 'fulfilled', ?, ?, ?)`);
  const recordCodes = sqliteDeliveredCodesWriter(sqlite, vault);
  const writeOutbox = sqliteOutboxWriter(sqlite);
  return (deliveries) => {
    const at = nowIso();
    return deliveries.map((delivery) => {
      const order = read.get(delivery.orderId);
      if (!order || order.fulfillment !== 'upstream') throw new Error(`order ${delivery.orderId} is not one bought upstream`);
      const codes = deliverableCodes(order, delivery.codes, delivery.goods);
      const reason = upstreamDeliveryReason(delivery.goods);
      const ids = recordCodes({ orderId: order.id, productId: order.product_id, codes }, at);
      for (const id of ids) item.run(order.id, id, at);
      if (move.run(at, reason, order.id).changes !== 1) throw new Error(`order ${order.number} moved meanwhile`);
      event.run(order.id, reason, UPSTREAM_ACTOR, at);
      writeOutbox(orderChangedEvents({ ...order, status: 'fulfilled', updated_at: at }, 'processing', reason));
      return { at, reason, actor: UPSTREAM_ACTOR, items: ids.map((id, i) => ({ id, code: codes[i]! })) };
    });
  };
}
