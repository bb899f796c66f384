// Seed 000 speaks of four lifecycle states; Souk's order machine has nine. This table is the one
// place they meet: every internal status maps to exactly one partner status (the type makes a
// missing or extra entry a compile error). docs/partner-api.md explains each row.
import type { FulfillmentKind } from '../../db/schema.js';
import type { OrderStatus } from './status.js';

export const PARTNER_STATUSES = ['queued', 'verifying', 'fulfilled', 'rejected'] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

export const PARTNER_STATUS: Readonly<Record<OrderStatus, PartnerStatus>> = {
  // Accepted, nothing delivered yet, nobody working on it.
  awaiting_payment: 'queued',
  queued: 'queued',
  // Someone (an upstream provider, a person, the risk review) is working on it.
  processing: 'verifying',
  review: 'verifying',
  // Delivered: the codes are in the answer.
  fulfilled: 'fulfilled',
  // Ended without standing: the wallet was refunded in every case. A refunded order was delivered
  // first, so its codes stay visible, but the partner was not charged for it.
  rejected: 'rejected',
  cancelled: 'rejected',
  expired: 'rejected',
  refunded: 'rejected',
};

/**
 * The partner status of an order: the table above, except that an order whose fulfilment is
 * still running by itself (being bought from an upstream provider, or waiting for stock to
 * arrive) is `queued`, accepted and not yet decided, with no person verifying it; its final state
 * arrives by callback. `verifying` is a person's: the risk review, or a product delivered by hand.
 */
export function partnerStatusOf(order: { status: OrderStatus; fulfillment: FulfillmentKind }): PartnerStatus {
  if (order.status === 'processing' && order.fulfillment !== 'manual') return 'queued';
  return PARTNER_STATUS[order.status];
}
