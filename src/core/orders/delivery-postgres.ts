// Delivering many orders bought upstream at once on PostgreSQL, whatever their number, in one
// statement that writes everything (the codes sealed into stock, the order items, the move to
// fulfilled, its events and outbox rows, and what the caller adds), each module contributing its
// CTE, and checks with souk_check what it wrote: every order moved, every code sealed. What the
// events say of an order comes from the orders, locked and read first in the caller's
// transaction, or, for orders this process placed a moment ago, from the order as placed (its
// number, buyer, amounts and times never change once placed); the statement then goes alone,
// outside any transaction, one round trip in all. It does what fulfilFromUpstream does for one
// order; anything out of the ordinary (an order no longer processing, a code count that does not
// fit, a code already in stock) throws having written nothing, and the caller delivers one by one,
// where fulfilFromUpstream says what is wrong with which order.
import { sql, type RawBuilder } from 'kysely';
import type { Db, PreparedRunner } from '../../db/index.js';
import type { OrdersTable } from '../../db/schema.js';
import { nowIso } from '../clock.js';
import { orderChangedEvents, pgInsertOutbox, type OrderFacts } from '../events/index.js';
import type { DeliveredNow } from '../fulfillment/index.js';
import { deliveredCodeRows, pgRecordDeliveredCodes, type CodeVault } from '../inventory/index.js';
import { deliverableCodes, LOCKED_COLUMNS, UPSTREAM_ACTOR, upstreamDeliveryReason, type LockedOrder } from './change-order.js';

/** What a delivery says of its order: what its events carry, and how it is fulfilled. */
export type PlacedOrderFacts = OrderFacts & Pick<OrdersTable, 'fulfillment'>;

/** One order's delivery from its provider: its codes, or nothing for a service. */
export interface UpstreamDelivery {
  orderId: string;
  codes: readonly string[];
  goods: 'codes' | 'service';
  /** The order as this process placed it, when it did: the delivery need not read it. */
  placed?: PlacedOrderFacts;
}

/** More of the caller's CTEs for the write statement (each `, name as (…)`), and what must hold of what they wrote. */
export interface AlsoWritten {
  /** Names the statement (prepared once per connection): one name for each shape of `ctes` and `checks`. */
  name: string;
  ctes: RawBuilder<unknown>;
  /** `, souk_check(…, 'why') as name` each: the statement fails, having written nothing, when one does not hold. */
  checks: RawBuilder<unknown>;
}

/** Whether every delivery's order was placed by this process (its facts at hand): the batch may then go as one statement, outside a transaction. */
export function placedHere(deliveries: readonly UpstreamDelivery[]): boolean {
  return deliveries.every((d) => d.placed !== undefined);
}

/**
 * Delivers every order of `deliveries`, or throws having written nothing. `run` is the caller's
 * transaction, or, when every order was placed here (placedHere), may be the pool: the one
 * statement is then its own transaction. `also` goes into the same statement.
 */
export async function pgDeliverFromUpstream(
  run: PreparedRunner,
  compiler: Db,
  vault: CodeVault,
  deliveries: readonly UpstreamDelivery[],
  also: AlsoWritten = { name: 'alone', ctes: sql``, checks: sql`` },
): Promise<DeliveredNow[]> {
  const locked = placedHere(deliveries) ? undefined : await lockOrders(run, compiler, deliveries);
  const at = nowIso();
  const orders = deliveries.map((delivery) => {
    // As placed (processing): the statement moves it only if it still is, and checks that it did.
    const order = locked ? locked.get(delivery.orderId) : delivery.placed;
    if (!order || order.fulfillment !== 'upstream') throw new Error(`order ${delivery.orderId} is not one bought upstream`);
    return { order, codes: deliverableCodes(order, delivery.codes, delivery.goods), reason: upstreamDeliveryReason(delivery.goods) };
  });
  const stock = deliveredCodeRows(
    vault,
    orders.map(({ order, codes }) => ({ orderId: order.id, productId: order.product_id, codes })),
  );
  const moves = JSON.stringify(orders.map(({ order, reason }) => ({ order_id: order.id, reason })));
  const outbox = orders.flatMap(({ order, reason }) => orderChangedEvents({ ...order, status: 'fulfilled', updated_at: at }, 'processing', reason));
  const write = sql<{ sealed: Array<{ id: number; order_id: string; code_hmac: string }> | null }>`
    with
      sealed as (${pgRecordDeliveredCodes(stock, at)}),
      items as (
        insert into order_items (order_id, stock_item_id, created_at)
        select s.order_id, s.id, ${at}::text from sealed s order by s.id),
      moved as (${pgMoveToFulfilled(moves, orders.map(({ order }) => order.id), at)}),
      events as (
        insert into order_events (order_id, from_status, to_status, reason, actor, created_at)
        select x.order_id, 'processing', 'fulfilled', x.reason, ${UPSTREAM_ACTOR}::text, ${at}::text
        from jsonb_to_recordset(${moves}::jsonb) as x(order_id text, reason text)),
      outbox as (${pgInsertOutbox(outbox)})
      ${also.ctes}
    select (select jsonb_agg(jsonb_build_object('id', id, 'order_id', order_id, 'code_hmac', code_hmac)) from sealed) as sealed,
           souk_check((select count(*) from moved) = ${orders.length}, 'an order of the batch is no longer processing') as moved,
           souk_check((select count(*) from sealed) = ${stock.length}, 'a code of the batch was not sealed') as all_sealed
           ${also.checks}`;
  const [written] = await run.rows(`deliver_write_orders_${also.name}`, { compile: () => write.compile(compiler) });
  const sealed = written?.sealed ?? [];
  const itemIds = new Map(sealed.map((row) => [`${row.order_id} ${row.code_hmac}`, Number(row.id)]));
  let next = 0;
  const delivered = orders.map(({ order, codes, reason }) => ({
    at,
    reason,
    actor: UPSTREAM_ACTOR,
    items: codes.map((code) => ({ id: itemIds.get(`${order.id} ${stock[next++]!.code_hmac}`)!, code })),
  }));
  return delivered;
}

/**
 * The batch's orders moved from processing to fulfilled (`moves`: a jsonb array of order_id and
 * reason), each found by its key whatever the statistics say, returning the ids moved.
 */
export function pgMoveToFulfilled(moves: string, orderIds: readonly string[], at: string): RawBuilder<unknown> {
  // By key as well as by the join: the planner would rather hash every processing order than look
  // up a batch's few. And the status is tested so that no index can serve it: with the statistics
  // of a new shop (few orders processing) the planner found the batch through the status index,
  // which reads every order processing now and every one that ever was (its old entries stay until
  // a vacuum), on every batch.
  return sql`update orders o set status = 'fulfilled', updated_at = ${at}::text, reason = x.reason
        from jsonb_to_recordset(${moves}::jsonb) as x(order_id text, reason text)
        where o.id = x.order_id and o.id = any(${orderIds}::text[]) and (o.status = 'processing') is true
        returning o.id`;
}

/** Locks the deliveries' orders (in id order, as every batch does) and reads what their events say. */
async function lockOrders(run: PreparedRunner, compiler: Db, deliveries: readonly UpstreamDelivery[]): Promise<Map<string, LockedOrder>> {
  const ids = deliveries.map((d) => d.orderId);
  const lockQuery = sql<LockedOrder>`select ${sql.raw(LOCKED_COLUMNS.join(', '))} from orders where id = any(${ids}::text[]) order by id for update`;
  return new Map((await run.rows('deliver_lock_orders', { compile: () => lockQuery.compile(compiler) })).map((row) => [row.id, row]));
}
