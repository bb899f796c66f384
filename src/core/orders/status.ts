// The order status machine: one table, and the one function that moves an order along it,
// recording every move in order_events in the same transaction.
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { ORDER_STATUSES, type OrderStatus } from '../../db/schema.js';
import { InvalidState } from '../errors.js';

export { ORDER_STATUSES, type OrderStatus };

/** Where each status may go next. Anything not listed is refused. */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  awaiting_payment: ['queued', 'cancelled', 'expired'],
  queued: ['processing', 'review', 'fulfilled', 'rejected', 'cancelled'],
  processing: ['fulfilled', 'rejected', 'cancelled'],
  review: ['queued', 'processing', 'fulfilled', 'rejected', 'cancelled'],
  fulfilled: ['refunded'],
  rejected: [],
  cancelled: [],
  // A payment that arrives after the hold ran out revives the order if its goods can still be had (late-payment.ts).
  expired: ['queued'],
  refunded: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses an order can still be cancelled in (everything before fulfilment). */
export const CANCELLABLE: readonly OrderStatus[] = ORDER_STATUSES.filter((s) => canTransition(s, 'cancelled'));

export interface Transition {
  reason?: string | null;
  actor: string;
}

/**
 * Moves an order from `from` to `to`: refused with InvalidState when the table forbids it or when
 * the order is no longer in `from` (someone else moved it first: the UPDATE is conditional).
 * Returns the time of the move (the order's updated_at and its event's).
 */
export async function transitionOrder(tx: Db, orderId: string, from: OrderStatus, to: OrderStatus, change: Transition): Promise<string> {
  if (!canTransition(from, to)) throw new InvalidState(`An order cannot go from ${from} to ${to}.`);
  const now = nowIso();
  const result = await tx
    .updateTable('orders')
    .set({ status: to, updated_at: now, ...(change.reason ? { reason: change.reason } : {}) })
    .where('id', '=', orderId)
    .where('status', '=', from)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new InvalidState(`The order is no longer ${from}.`);
  await recordEvent(tx, orderId, from, to, change, now);
  return now;
}

export async function recordEvent(tx: Db, orderId: string, from: OrderStatus | null, to: OrderStatus, change: Transition, at = nowIso()): Promise<void> {
  await tx
    .insertInto('order_events')
    .values({ order_id: orderId, from_status: from, to_status: to, reason: change.reason ?? null, actor: change.actor, created_at: at })
    .execute();
}
