// Delivering many orders bought upstream at once on PostgreSQL, in the caller's transaction and
// two round trips whatever their number: lock and read the orders, then write everything in one
// statement (the codes sealed into stock, the order items, the move to fulfilled, its events and
// outbox rows, and what the caller adds), each module contributing its CTE. It does what
// fulfilFromUpstream does for one order; anything out of the ordinary (an order no longer
// processing, a code count that does not fit, a code already in stock) throws, and the caller
// rolls back and delivers one by one, where fulfilFromUpstream says what is wrong with which order.
import { sql, type RawBuilder } from 'kysely';
import type { Db, PreparedRunner } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { orderChangedEvents, pgInsertOutbox } from '../events/index.js';
import type { DeliveredNow } from '../fulfillment/index.js';
import { deliveredCodeRows, pgRecordDeliveredCodes, type CodeVault } from '../inventory/index.js';
import { deliverableCodes, LOCKED_COLUMNS, UPSTREAM_ACTOR, upstreamDeliveryReason, type LockedOrder } from './change-order.js';

/** One order's delivery from its provider: its codes, or nothing for a service. */
export interface UpstreamDelivery {
  orderId: string;
  codes: readonly string[];
  goods: 'codes' | 'service';
}


/** More of the caller's CTEs for the write statement (each `, name as (…)`), and the columns it selects to check them. */
export interface AlsoWritten {
  /** Names the statement (prepared once per connection): one name for each shape of `ctes` and `columns`. */
  name: string;
  ctes: RawBuilder<unknown>;
  /** `, (…) as name` each. */
  columns: RawBuilder<unknown>;
}

/**
 * Delivers every order of `deliveries` in the caller's transaction, or throws having written
 * nothing the caller keeps. `also` goes into the same write statement; its columns are returned.
 */
export async function pgDeliverFromUpstream(
  run: PreparedRunner,
  compiler: Db,
  vault: CodeVault,
  deliveries: readonly UpstreamDelivery[],
  also: AlsoWritten = { name: 'alone', ctes: sql``, columns: sql`` },
): Promise<{ delivered: DeliveredNow[]; also: Record<string, unknown> }> {
  const ids = deliveries.map((d) => d.orderId);
  const lockQuery = sql<LockedOrder>`select ${sql.raw(LOCKED_COLUMNS.join(', '))} from orders where id = any(${ids}::text[]) order by id for update`;
  const locked = new Map((await run.rows('deliver_lock_orders', { compile: () => lockQuery.compile(compiler) })).map((row) => [row.id, row]));
  const at = nowIso();
  const orders = deliveries.map((delivery) => {
    const order = locked.get(delivery.orderId);
    if (!order || order.fulfillment !== 'upstream') throw new Error(`order ${delivery.orderId} is not one bought upstream`);
    return { order, codes: deliverableCodes(order, delivery.codes, delivery.goods), reason: upstreamDeliveryReason(delivery.goods) };
  });
  const stock = deliveredCodeRows(
    vault,
    orders.map(({ order, codes }) => ({ orderId: order.id, productId: order.product_id, codes })),
  );
  const moves = JSON.stringify(orders.map(({ order, reason }) => ({ order_id: order.id, reason })));
  const outbox = orders.flatMap(({ order, reason }) => orderChangedEvents({ ...order, status: 'fulfilled', updated_at: at }, 'processing', reason));
  const write = sql<{ sealed: Array<{ id: number; order_id: string; code_hmac: string }> | null; moved: number }>`
    with
      sealed as (${pgRecordDeliveredCodes(stock, at)}),
      items as (
        insert into order_items (order_id, stock_item_id, created_at)
        select s.order_id, s.id, ${at}::text from sealed s order by s.id),
      moved as (
        update orders o set status = 'fulfilled', updated_at = ${at}::text, reason = x.reason
        from jsonb_to_recordset(${moves}::jsonb) as x(order_id text, reason text)
        where o.id = x.order_id and o.status = 'processing'
        returning o.id),
      events as (
        insert into order_events (order_id, from_status, to_status, reason, actor, created_at)
        select x.order_id, 'processing', 'fulfilled', x.reason, ${UPSTREAM_ACTOR}::text, ${at}::text
        from jsonb_to_recordset(${moves}::jsonb) as x(order_id text, reason text)),
      outbox as (${pgInsertOutbox(outbox)})
      ${also.ctes}
    select (select jsonb_agg(jsonb_build_object('id', id, 'order_id', order_id, 'code_hmac', code_hmac)) from sealed) as sealed,
           (select count(*)::int from moved) as moved
           ${also.columns}`;
  const [written] = await run.rows(`deliver_write_orders_${also.name}`, { compile: () => write.compile(compiler) });
  const sealed = written?.sealed ?? [];
  if (written?.moved !== orders.length || sealed.length !== stock.length) throw new Error('the batch delivery came up short');
  const itemIds = new Map(sealed.map((row) => [`${row.order_id} ${row.code_hmac}`, Number(row.id)]));
  let next = 0;
  const delivered = orders.map(({ order, codes, reason }) => ({
    at,
    reason,
    actor: UPSTREAM_ACTOR,
    items: codes.map((code) => ({ id: itemIds.get(`${order.id} ${stock[next++]!.code_hmac}`)!, code })),
  }));
  return { delivered, also: written };
}
