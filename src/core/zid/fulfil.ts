// A Zid order, as read from Zid itself, becomes Souk orders: one per mapped product line, placed
// through the normal core (channel zid, paid outside Souk), its client reference the Zid order id
// and product so that however many times the order is read (three webhooks and the order sync),
// each line is placed once. Only a paid order is fulfilled; a cancelled one cancels what still
// waits; lines of unmapped products are ignored. Orders Zid took before the store was connected
// are recorded, never fulfilled: the merchant handled them without Souk.
import type { Db } from '../../db/index.js';
import { DomainError, IdempotencyKeyReused } from '../errors.js';
import { cancelOrder, findAccountOrderId, placeOrder, type PlacementDeps } from '../orders/index.js';
import type { ZidOrder } from './normalise.js';

/** Zid payment statuses that mean the customer's money is in. */
const PAID = new Set(['paid']);
/** Order or payment states after which nothing is delivered, and what waits is cancelled. */
const CALLED_OFF = new Set(['cancelled', 'canceled', 'refunded', 'voided', 'reversed']);

export interface FulfilDeps {
  db: Db;
  orders: () => PlacementDeps;
  log?: (message: string, fields: Record<string, string | number | null>) => void;
}

export interface ZidOrderOutcome {
  placed: number;
  waiting: number;
  cancelled: number;
  /** Lines not placed, with why (an unmapped product is not one of them). */
  failed: Array<{ zid_product_id: string; reason: string }>;
}

/** The client reference of one line: the same on every read of the order. */
export function lineReference(zidOrderId: string, zidProductId: string): string {
  return `zid:${zidOrderId}:${zidProductId}`;
}

async function cancelWaiting(deps: FulfilDeps, storeId: number, accountId: number, order: ZidOrder): Promise<number> {
  const rows = await deps.db
    .selectFrom('zid_fulfilments')
    .innerJoin('orders', 'orders.id', 'zid_fulfilments.order_id')
    .select(['orders.id'])
    .where('zid_fulfilments.store_id', '=', storeId)
    .where('zid_fulfilments.zid_order_id', '=', order.zidOrderId)
    .where('orders.status', 'in', ['processing', 'queued', 'awaiting_payment'])
    .execute();
  let cancelled = 0;
  for (const row of rows) {
    try {
      await cancelOrder(deps.orders(), accountId, row.id, `zid:${storeId}`, `the Zid order ${order.orderNumber ?? order.zidOrderId} was ${order.status ?? order.paymentStatus}`);
      cancelled += 1;
    } catch (error) {
      // Delivered meanwhile (or being bought upstream): a person decides, the codes are out.
      deps.log?.('zid order called off but its souk order could not be cancelled', { store_id: storeId, zid_order_id: order.zidOrderId, order_id: row.id, error: (error as Error).message.slice(0, 200) });
    }
  }
  return cancelled;
}

/** Places (once) what a paid Zid order holds of mapped products; cancels what waits of a called-off one. */
export async function fulfilZidOrder(deps: FulfilDeps, storeId: number, order: ZidOrder): Promise<ZidOrderOutcome> {
  const outcome: ZidOrderOutcome = { placed: 0, waiting: 0, cancelled: 0, failed: [] };
  const store = await deps.db.selectFrom('zid_stores').select(['account_id', 'created_at']).where('id', '=', storeId).executeTakeFirstOrThrow();
  const accountId = Number(store.account_id);
  if (CALLED_OFF.has(order.status ?? '') || CALLED_OFF.has(order.paymentStatus ?? '')) {
    outcome.cancelled = await cancelWaiting(deps, storeId, accountId, order);
    return outcome;
  }
  if (!PAID.has(order.paymentStatus ?? '') || !order.lines?.length) return outcome;
  if (order.createdAt && order.createdAt < store.created_at) return outcome;

  const mapped = await deps.db
    .selectFrom('zid_products')
    .select(['zid_product_id', 'product_id'])
    .where('store_id', '=', storeId)
    .where('zid_product_id', 'in', order.lines.map((line) => line.zidProductId))
    .where('product_id', 'is not', null)
    .execute();
  const productOf = new Map(mapped.map((row) => [row.zid_product_id, Number(row.product_id)]));
  const done = new Set(
    (await deps.db.selectFrom('zid_fulfilments').select(['zid_product_id']).where('store_id', '=', storeId).where('zid_order_id', '=', order.zidOrderId).execute()).map((row) => row.zid_product_id),
  );
  for (const line of order.lines) {
    const productId = productOf.get(line.zidProductId);
    if (productId === undefined || done.has(line.zidProductId)) continue;
    const reference = lineReference(order.zidOrderId, line.zidProductId);
    let orderId: string;
    try {
      const placed = await placeOrder(
        deps.orders(),
        accountId,
        {
          product: productId,
          quantity: line.quantity,
          clientOrderId: reference,
          buyer: { ...(order.customer.name ? { name: order.customer.name } : {}), ...(order.customer.email ? { email: order.customer.email } : {}) },
          deliveryChannel: order.customer.email ? 'email' : 'api',
          channel: 'zid',
          payment: { kind: 'external' },
          whenOutOfStock: 'wait',
        },
        `zid:${storeId}`,
      );
      orderId = placed.order.id;
      if (placed.order.status === 'processing' && placed.order.fulfillment === 'stock') {
        outcome.waiting += 1;
        deps.log?.('zid order waits for stock: import codes to fulfil it', { store_id: storeId, zid_order_id: order.zidOrderId, order_id: orderId, product_id: productId });
      }
    } catch (error) {
      if (error instanceof IdempotencyKeyReused) {
        // Placed before from a read that differed (the customer's e-mail changed since): that order stands.
        orderId = await findAccountOrderId(deps.db, accountId, reference);
      } else if (error instanceof DomainError) {
        outcome.failed.push({ zid_product_id: line.zidProductId, reason: error.message.slice(0, 300) });
        deps.log?.('zid order line could not be placed', { store_id: storeId, zid_order_id: order.zidOrderId, zid_product_id: line.zidProductId, error: error.message.slice(0, 200) });
        continue;
      } else throw error;
    }
    if (!order.customer.email) deps.log?.('zid order has no customer e-mail: its codes are in the souk order only', { store_id: storeId, zid_order_id: order.zidOrderId, order_id: orderId });
    await deps.db
      .insertInto('zid_fulfilments')
      .values({ store_id: storeId, zid_order_id: order.zidOrderId, zid_product_id: line.zidProductId, order_number: order.orderNumber, product_id: productId, quantity: line.quantity, order_id: orderId, created_at: new Date().toISOString() })
      .onConflict((c) => c.doNothing())
      .execute();
    outcome.placed += 1;
  }
  return outcome;
}
