// The order status machine: one table, and the one function that moves an order along it,
// recording every move in order_events in the same transaction.
import { sql } from 'kysely';
import { queryTemplate, type Db } from '../../db/index.js';
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
  const moved = await moveStatus.run(tx, { orderId, from, to, now, reason: change.reason || null });
  if (moved.length !== 1) throw new InvalidState(`The order is no longer ${from}.`);
  await recordEvent(tx, orderId, from, to, change, now);
  return now;
}

// Without a reason, the order keeps the one it had.
const moveStatus = queryTemplate(['orderId', 'from', 'to', 'now', 'reason'], (db, p) =>
  db
    .updateTable('orders')
    .set({ status: p.to, updated_at: p.now, reason: sql<string | null>`coalesce(${p.reason}, reason)` })
    .where('id', '=', p.orderId)
    .where('status', '=', p.from)
    .returning('id'),
);

const insertEvent = queryTemplate(['orderId', 'from', 'to', 'reason', 'actor', 'at'], (db, p) =>
  db.insertInto('order_events').values({ order_id: p.orderId, from_status: p.from, to_status: p.to, reason: p.reason, actor: p.actor, created_at: p.at }),
);

export async function recordEvent(tx: Db, orderId: string, from: OrderStatus | null, to: OrderStatus, change: Transition, at = nowIso()): Promise<void> {
  await insertEvent.run(tx, { orderId, from, to, reason: change.reason ?? null, actor: change.actor, at });
}
