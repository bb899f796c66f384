// What happens to an order after placement: cancel (by its owner, before fulfilment), reject or
// fulfil by hand (an admin, for manual products), refund after delivery, and expiry of unpaid
// orders. Each is one transaction that moves the status and, through the order's fulfilment
// strategy and payment provider, gives back what placement took and the money it was paid.
import { queryTemplate, type Db, type Dialect, type GroupCommit } from '../../db/index.js';
import type { OrderColumn, OrdersTable } from '../../db/schema.js';
import { nowIso } from '../clock.js';
import { InvalidState, NotFound, ValidationFailed } from '../errors.js';
import { insertOutboxEvents, orderChangedEvents, wakeDispatchers } from '../events/index.js';
import type { DeliveredNow } from '../fulfillment/index.js';
import { recordDeliveredCodes } from '../inventory/index.js';
import { releaseCouponRedemption } from '../coupons/index.js';
import type { OrderDeps } from './place-order.js';
import { loadOrderDetail, type OrderDetail } from './read-orders.js';
import { CANCELLABLE, transitionOrder, type OrderStatus } from './status.js';
import { stopWaitingForStock } from './waiting-stock.js';
import { startReview } from './reviews.js';

/** What a change reads of the order it locks. */
export const LOCKED_COLUMNS = [
  'id', 'account_id', 'status', 'payment_status', 'payment_provider', 'fulfillment', 'channel', 'charged_minor', 'wallet_id', 'product_id', 'quantity', 'number', 'client_order_id',
  'charged_currency', 'callback_url', 'created_at', 'updated_at', 'risk_verdict', 'risk_score', 'risk_reasons',
] as const satisfies ReadonlyArray<OrderColumn>;
export type LockedOrder = Pick<OrdersTable, (typeof LOCKED_COLUMNS)[number]>;

const lockById = queryTemplate(['orderId'], (db, p, dialect) => {
  const query = db.selectFrom('orders').select(LOCKED_COLUMNS).where('id', '=', p.orderId);
  return dialect === 'postgres' ? query.forUpdate() : query;
});

export async function lockOrder(tx: Db, deps: OrderDeps, orderId: string, accountId?: number): Promise<LockedOrder> {
  let row: LockedOrder | undefined;
  if (accountId === undefined) [row] = await lockById.run(tx, { orderId });
  else {
    let query = tx.selectFrom('orders').select(LOCKED_COLUMNS).where('id', '=', orderId).where('account_id', '=', accountId);
    if (deps.dialect === 'postgres') query = query.forUpdate();
    row = await query.executeTakeFirst();
  }
  if (!row) throw new NotFound(`No order ${orderId}.`);
  return row;
}

/** Runs one change in a transaction (shared with others' through `group`, when given); once it has committed, its events wake the dispatchers. */
export async function inTransaction(deps: OrderDeps, change: (tx: Db) => Promise<void>, group?: GroupCommit): Promise<void> {
  await (group ? group.run(change) : deps.db.transaction().execute(change));
  wakeDispatchers(deps.db);
}

/** Moves the order and writes its outbox events (status_changed, and fulfilled/cancelled/rejected) in the same transaction; returns the time of the move. */
export async function moveOrder(tx: Db, order: LockedOrder, from: OrderStatus, to: OrderStatus, change: { actor: string; reason: string }): Promise<string> {
  const at = await transitionOrder(tx, order.id, from, to, change);
  // A stock order in processing is one waiting for stock (waiting-stock.ts): once it moves on, it no longer waits.
  if (from === 'processing' && order.fulfillment === 'stock') await stopWaitingForStock(tx, order.id);
  await insertOutboxEvents(tx, orderChangedEvents({ ...order, status: to, updated_at: nowIso() }, from, change.reason));
  return at;
}

/** A paid order's money goes back the way its provider took it (none for an unpaid one), and the order says so. */
async function refundPayment(tx: Db, deps: OrderDeps, order: LockedOrder, actor: string, memo: string): Promise<void> {
  if (order.payment_status !== 'paid') {
    // Nothing to give back; what the provider still waits for (an open invoice) is closed with the order.
    await deps.payments.forOrder(order).abandon(tx, order);
    return;
  }
  await deps.payments.forOrder(order).refund(tx, order, { actor, memo });
  await tx.updateTable('orders').set({ payment_status: 'refunded' }).where('id', '=', order.id).execute();
}

/** Ends an order that never reached its goods: its strategy gives back what it took, the money goes back, the coupon use too. */
export async function unwind(
  deps: OrderDeps,
  orderId: string,
  to: 'cancelled' | 'rejected' | 'expired',
  change: { actor: string; reason: string; accountId?: number; only?: OrderStatus; also?: (tx: Db) => Promise<void> },
): Promise<OrderDetail> {
  await inTransaction(deps, async (tx) => {
    const order = await lockOrder(tx, deps, orderId, change.accountId);
    if (!CANCELLABLE.includes(order.status) || (to === 'expired' && order.status !== 'awaiting_payment') || (change.only !== undefined && order.status !== change.only)) {
      throw new InvalidState(`The order is ${order.status}; it can no longer be ${to}.`);
    }
    const fulfillment = deps.fulfillment.strategyFor(order.fulfillment, `Order ${order.number}`);
    await moveOrder(tx, order, order.status, to, { actor: change.actor, reason: change.reason });
    await fulfillment.undo(tx, order);
    // What went back to stock is no longer the order's.
    await tx.deleteFrom('order_items').where('order_id', '=', order.id).execute();
    await refundPayment(tx, deps, order, change.actor, `${to}: ${change.reason}`);
    // After the wallet, as placement locks them: wallets, then coupons.
    await releaseCouponRedemption(tx, order.id, nowIso());
    await change.also?.(tx);
  });
  return loadOrderDetail(deps.db, deps.vault, orderId);
}

/** The owner cancels an order that is not fulfilled yet. */
export function cancelOrder(deps: OrderDeps, accountId: number, orderId: string, actor: string, reason = 'cancelled by the buyer'): Promise<OrderDetail> {
  return unwind(deps, orderId, 'cancelled', { actor, reason, accountId });
}

/** An admin cancels an order that is not fulfilled yet (any account's), saying why; stock and money go back as when its owner cancels. */
export function cancelOrderAsAdmin(deps: OrderDeps, orderId: string, actor: string, reason: string): Promise<OrderDetail> {
  if (!reason.trim()) throw new ValidationFailed('Say why the order is cancelled.', [{ field: 'reason', message: 'is required' }]);
  return unwind(deps, orderId, 'cancelled', { actor, reason: reason.trim() });
}

/** An admin turns an order down, saying why; stock and money go back. */
export function rejectOrder(deps: OrderDeps, orderId: string, actor: string, reason: string): Promise<OrderDetail> {
  if (!reason.trim()) throw new ValidationFailed('Say why the order is rejected.', [{ field: 'reason', message: 'is required' }]);
  return unwind(deps, orderId, 'rejected', { actor, reason: reason.trim() });
}

/** An admin delivers a manual order: the codes are stored (sealed) as sold items of the order. */
export async function fulfilManualOrder(deps: OrderDeps, orderId: string, codes: string[], actor: string): Promise<OrderDetail> {
  await deliverProcessingOrder(deps, orderId, codes, { actor, reason: 'fulfilled by hand', goods: 'codes' });
  return loadOrderDetail(deps.db, deps.vault, orderId);
}

/**
 * Delivers what an upstream provider delivered for an order being bought there: its codes, sealed
 * as the order's items like our own, or nothing for a service (an SMM panel's). The buyer's money,
 * taken at placement, is kept: this is its capture. `also` runs last in the same transaction (the
 * forwarder records the purchase and the end of its run there), so all of it commits or none.
 * With `group`, the transaction is shared with the deliveries that arrive meanwhile (one commit).
 */
export async function fulfilFromUpstream(
  deps: OrderDeps,
  orderId: string,
  codes: string[],
  goods: 'codes' | 'service',
  also?: (tx: Db) => Promise<void>,
  group?: GroupCommit,
): Promise<DeliveredNow> {
  return deliverProcessingOrder(deps, orderId, codes, { actor: UPSTREAM_ACTOR, reason: upstreamDeliveryReason(goods), goods }, also, group);
}

/** Who delivers an order bought upstream, in its events. */
export const UPSTREAM_ACTOR = 'system:upstream';

/** Why an order bought upstream moved to fulfilled, in its events. */
export function upstreamDeliveryReason(goods: 'codes' | 'service'): string {
  return goods === 'service' ? 'delivered by the provider' : 'delivered from the provider';
}

/**
 * The codes to deliver for a processing order, trimmed and without blanks; InvalidState when the
 * order is not processing, ValidationFailed when they are not one distinct code per unit (none for a service).
 */
export function deliverableCodes(order: Pick<LockedOrder, 'status' | 'quantity'>, codes: readonly string[], goods: 'codes' | 'service'): string[] {
  if (order.status !== 'processing') throw new InvalidState(`The order is ${order.status}; only processing orders are fulfilled this way.`);
  const clean = codes.map((c) => c.trim()).filter(Boolean);
  const expected = goods === 'service' ? 0 : order.quantity;
  if (clean.length !== expected) {
    throw new ValidationFailed(`The order is for ${order.quantity} item(s); ${clean.length} code(s) were given.`, [{ field: 'codes', message: `give exactly ${expected}` }]);
  }
  if (new Set(clean).size !== clean.length) throw new ValidationFailed('The same code is given twice.', [{ field: 'codes', message: 'must be distinct' }]);
  return clean;
}

async function deliverProcessingOrder(
  deps: OrderDeps,
  orderId: string,
  codes: string[],
  how: { actor: string; reason: string; goods: 'codes' | 'service' },
  also?: (tx: Db) => Promise<void>,
  group?: GroupCommit,
): Promise<DeliveredNow> {
  let delivered: DeliveredNow | undefined;
  await inTransaction(deps, async (tx) => {
    const order = await lockOrder(tx, deps, orderId);
    const clean = deliverableCodes(order, codes, how.goods);
    let itemIds: number[] = [];
    if (clean.length) {
      itemIds = await recordDeliveredCodes(tx, deps.vault, { orderId: order.id, productId: order.product_id, codes: clean });
      const now = nowIso();
      await tx.insertInto('order_items').values(itemIds.map((id) => ({ order_id: order.id, stock_item_id: id, created_at: now }))).execute();
    }
    const at = await moveOrder(tx, order, 'processing', 'fulfilled', { actor: how.actor, reason: how.reason });
    await also?.(tx);
    delivered = { at, reason: how.reason, actor: how.actor, items: itemIds.map((id, i) => ({ id, code: clean[i]! })) };
  }, group);
  return delivered!;
}

/** The answer of an order just delivered (what placement answered, with what the delivery wrote), without reading it back. */
export function withDelivery(placed: OrderDetail, delivered: DeliveredNow): OrderDetail {
  return {
    ...placed,
    status: 'fulfilled',
    reason: delivered.reason,
    updated_at: delivered.at,
    items: delivered.items,
    events: [...placed.events, { from: placed.status, to: 'fulfilled', reason: delivered.reason, actor: delivered.actor, at: delivered.at }],
  };
}

/**
 * Runs `work` in one transaction that holds the order while it is processing: a cancel or a
 * reject of it waits, and then sees what `work` wrote (the forwarder marks a purchase as under
 * way this way, so that no order is bought upstream once it has ended here). Returns the
 * order's status; `work` runs only when it is processing.
 */
export async function whileProcessing(deps: OrderDeps, orderId: string, work: (tx: Db) => Promise<void>): Promise<OrderStatus> {
  let status: OrderStatus = 'processing';
  await deps.db.transaction().execute(async (tx) => {
    status = (await lockOrder(tx, deps, orderId)).status;
    if (status === 'processing') await work(tx);
  });
  return status;
}

/**
 * The order `orderId` while it is processing, as the source of another module's statement that may
 * write only then (the forwarder's record of a purchase under way): the statement selects from it
 * and, on PostgreSQL, holds it FOR SHARE, so a cancel or a reject (which lock it FOR UPDATE) either
 * waits for that statement and then sees what it wrote, or goes first and the statement finds no
 * processing order and writes nothing: whileProcessing in one statement. SQLite has one writer at a time.
 */
export function processingOrder(db: Db, orderId: string, dialect: Dialect) {
  const query = db.selectFrom('orders').where('orders.id', '=', orderId).where('orders.status', '=', 'processing');
  return dialect === 'postgres' ? query.forShare() : query;
}

/** An admin refunds a delivered order (the codes are not taken back: they were delivered). */
export async function refundOrder(deps: OrderDeps, orderId: string, actor: string, reason: string): Promise<OrderDetail> {
  if (!reason.trim()) throw new ValidationFailed('Say why the order is refunded.', [{ field: 'reason', message: 'is required' }]);
  await inTransaction(deps, async (tx) => {
    const order = await lockOrder(tx, deps, orderId);
    await moveOrder(tx, order, order.status, 'refunded', { actor, reason: reason.trim() });
    await refundPayment(tx, deps, order, actor, `refunded: ${reason.trim()}`);
  });
  return loadOrderDetail(deps.db, deps.vault, orderId);
}

/** An unpaid order's payment arrived: its strategy takes the goods it held, and it moves on as a paid order does. */
export async function confirmOrderPayment(deps: OrderDeps, orderId: string, actor: string): Promise<OrderDetail> {
  await inTransaction(deps, (tx) => payHeldOrder(tx, deps, orderId, actor));
  return loadOrderDetail(deps.db, deps.vault, orderId);
}

/**
 * confirmOrderPayment inside the caller's transaction (a payment provider crediting a transfer
 * with it): InvalidState unless the order awaits payment. The caller wakes the dispatchers
 * (wakeDispatchers) once it has committed.
 */
export async function payHeldOrder(tx: Db, deps: OrderDeps, orderId: string, actor: string): Promise<void> {
  const order = await lockOrder(tx, deps, orderId);
  if (order.status !== 'awaiting_payment') throw new InvalidState(`The order is ${order.status}, not awaiting payment.`);
  const fulfillment = deps.fulfillment.strategyFor(order.fulfillment, `Order ${order.number}`);
  await moveOrder(tx, order, 'awaiting_payment', 'queued', { actor, reason: 'payment received' });
  await tx.updateTable('orders').set({ payment_status: 'paid', expires_at: null }).where('id', '=', order.id).execute();
  // Scored for review at placement: paid now, its goods still held, it waits for a person.
  if (order.risk_verdict === 'review') {
    await startReview(tx, deps, order, actor);
    return;
  }
  await fulfillment.paymentArrived(tx, order);
  await moveOrder(tx, order, 'queued', fulfillment.whenPaid.status, { actor, reason: fulfillment.whenPaid.reason });
}

/**
 * Locks an order for the rest of the caller's transaction (FOR UPDATE on PostgreSQL) and says where
 * it stands: a payment provider takes the order's lock before its own rows, as expiry does, so the
 * two never wait on each other in opposite order.
 */
export async function lockOrderStatus(tx: Db, deps: OrderDeps, orderId: string): Promise<OrderStatus> {
  return (await lockOrder(tx, deps, orderId)).status;
}

/** The sweeper: unpaid orders past their hold expire and their codes go back on sale. */
export async function expireUnpaidOrders(deps: OrderDeps, now = nowIso()): Promise<string[]> {
  const due = await deps.db
    .selectFrom('orders')
    .select('id')
    .where('status', '=', 'awaiting_payment')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(500)
    .execute();
  const expired: string[] = [];
  for (const { id } of due) {
    try {
      await unwind(deps, id, 'expired', { actor: 'system:sweeper', reason: 'payment did not arrive in time' });
      expired.push(id);
    } catch (error) {
      // Paid or cancelled meanwhile: nothing to expire.
      if (!(error instanceof InvalidState)) throw error;
    }
  }
  return expired;
}
