// How an order gets its goods. A strategy says what placement does about the goods in its
// transaction and what status a paid order ends in; the upstream connector will be a third
// implementation (nothing claimed at placement, the order waits in processing for the provider).
import type { OrderStatus } from '../orders/status.js';

export interface FulfillmentStrategy {
  readonly kind: 'stock' | 'manual' | 'upstream';
  /** The status a paid order has right after placement. */
  readonly statusWhenPaid: OrderStatus;
  /** Whether placement takes the goods from Souk's own stock in its transaction. */
  readonly claimsStockAtPlacement: boolean;
}

/** Codes from our own stock, claimed in the placement transaction: the order is fulfilled at once. */
export const stockFulfillment: FulfillmentStrategy = { kind: 'stock', statusWhenPaid: 'fulfilled', claimsStockAtPlacement: true };

/** A person fulfils the order later (admin API or `souk order fulfil`); until then it is processing. */
export const manualFulfillment: FulfillmentStrategy = { kind: 'manual', statusWhenPaid: 'processing', claimsStockAtPlacement: false };

export function fulfillmentFor(kind: string): FulfillmentStrategy | undefined {
  return kind === 'stock' ? stockFulfillment : kind === 'manual' ? manualFulfillment : undefined;
}
