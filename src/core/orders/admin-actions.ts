// What an admin may still do with an order, from where it stands: the console offers these and no
// others, and each is refused by the core all the same when the order moved on meanwhile.
import type { FulfillmentKind } from '../../db/schema.js';
import { CANCELLABLE, canTransition, type OrderStatus } from './status.js';

export const ADMIN_ORDER_ACTIONS = ['cancel', 'reject', 'fulfil', 'refund', 'approve_review', 'reject_review'] as const;
export type AdminOrderAction = (typeof ADMIN_ORDER_ACTIONS)[number];

/** The admin acts open to an order in `status` fulfilled by `fulfillment` (pure: the same rules the change functions enforce). */
export function adminOrderActions(order: { status: OrderStatus; fulfillment: FulfillmentKind }): AdminOrderAction[] {
  const actions: AdminOrderAction[] = [];
  if (order.status === 'review') actions.push('approve_review', 'reject_review');
  // Fulfilled by hand: a manual product's order once paid, waiting in processing.
  if (order.status === 'processing' && order.fulfillment === 'manual') actions.push('fulfil');
  if (CANCELLABLE.includes(order.status)) actions.push('cancel');
  // A review is turned down with its own act (audited as a review decision); an unpaid order is cancelled, not rejected.
  if (canTransition(order.status, 'rejected') && order.status !== 'review') actions.push('reject');
  if (canTransition(order.status, 'refunded')) actions.push('refund');
  return actions;
}
