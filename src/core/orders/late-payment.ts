// A payment that arrives after its order expired: the order is revived and delivered if its goods
// can still be had (a stock product whose codes are there now), else it stays expired and the
// provider records the money as owed back. In the caller's transaction, after it locked the order
// (lockOrderStatus), so expiry, a second confirmation and this never interleave.
import type { Db } from '../../db/index.js';
import { findProduct } from '../catalog/index.js';
import { nowIso } from '../clock.js';
import { insertOutboxEvents, orderChangedEvents } from '../events/index.js';
import { CodeHandout, stockDemand } from '../inventory/index.js';
import type { OrderDeps } from './place-order.js';
import { transitionOrder } from './status.js';
import { codeClaims } from './waiting-stock.js';

const REVIVED = 'payment received after the hold ran out';

/**
 * Delivers an expired stock order whose payment came late, taking its codes from stock now: true
 * when it is fulfilled, false (nothing written) when it is not expired, not a stock order, a
 * partner's (seed 000) order, one scored for review, or its codes are no longer there.
 */
export async function payExpiredOrder(tx: Db, deps: OrderDeps, orderId: string, actor: string): Promise<boolean> {
  const order = await tx
    .selectFrom('orders')
    .select(['id', 'number', 'account_id', 'channel', 'client_order_id', 'status', 'product_id', 'quantity', 'charged_minor', 'charged_currency', 'callback_url', 'created_at', 'updated_at', 'fulfillment', 'risk_verdict'])
    .where('id', '=', orderId)
    .executeTakeFirst();
  // Seed 000's partners were told `rejected` and never see an order come back: only shop orders revive.
  // An order scored for review is never delivered without a person's decision: it stays expired.
  if (!order || order.status !== 'expired' || order.fulfillment !== 'stock' || order.channel === 'partner' || order.risk_verdict === 'review') return false;
  const product = await findProduct(tx, order.product_id);
  if (product.fulfillment !== 'stock') return false;
  const stock = deps.fulfillment.strategyFor('stock', `Order ${order.number}`);
  const claim = stock.claim(product, 'paid');
  const codes = codeClaims(deps);
  const handout = new CodeHandout(await codes.read(tx, stockDemand([{ productId: order.product_id, quantity: order.quantity, claim }])));
  const offered = handout.offer(order.product_id, order.quantity, claim);
  if (!('items' in offered)) return false;
  const at = nowIso();
  handout.take({ id: order.id, productId: order.product_id, at, until: null }, claim, offered.items);
  await codes.claim(tx, handout);
  if (offered.items.length) await tx.insertInto('order_items').values(offered.items.map((item) => ({ order_id: order.id, stock_item_id: item.id, created_at: at }))).execute();
  await transitionOrder(tx, order.id, 'expired', 'queued', { actor, reason: REVIVED });
  await tx.updateTable('orders').set({ payment_status: 'paid', expires_at: null }).where('id', '=', order.id).execute();
  await insertOutboxEvents(tx, orderChangedEvents({ ...order, status: 'queued', updated_at: at }, 'expired', REVIVED));
  await transitionOrder(tx, order.id, 'queued', 'fulfilled', { actor, reason: stock.whenPaid.reason });
  await insertOutboxEvents(tx, orderChangedEvents({ ...order, status: 'fulfilled', updated_at: nowIso() }, 'queued', stock.whenPaid.reason));
  return true;
}
