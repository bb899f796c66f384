// How an order gets its goods. A strategy runs inside the placement transaction and says what
// status the order ends in; the upstream connector will be a third implementation.
import type { Db, Dialect } from '../../db/index.js';
import { allocateStock, type AllocatedItem } from '../inventory/index.js';
import type { OrderStatus } from '../orders/status.js';

export interface FulfillmentContext {
  tx: Db;
  dialect: Dialect;
  orderId: string;
  product: { id: number; code: string; stock_mode: 'unique' | 'shared' };
  quantity: number;
  /** Set when the order waits for payment: codes are held until then, not sold. */
  holdUntil?: string;
}

export interface FulfillmentOutcome {
  /** The status after placement, once paid. */
  status: OrderStatus;
  items: AllocatedItem[];
}

export interface FulfillmentStrategy {
  readonly kind: 'stock' | 'manual' | 'upstream';
  fulfilAtPlacement(context: FulfillmentContext): Promise<FulfillmentOutcome>;
}

/** Codes from our own stock, claimed in the placement transaction: the order is fulfilled at once. */
export const stockFulfillment: FulfillmentStrategy = {
  kind: 'stock',
  async fulfilAtPlacement({ tx, dialect, orderId, product, quantity, holdUntil }) {
    const items = await allocateStock(tx, dialect, product, quantity, orderId, holdUntil);
    return { status: 'fulfilled', items };
  },
};

/** A person fulfils the order later (admin API or `souk order fulfil`); until then it is processing. */
export const manualFulfillment: FulfillmentStrategy = {
  kind: 'manual',
  async fulfilAtPlacement() {
    return { status: 'processing', items: [] };
  },
};

export function fulfillmentFor(kind: string): FulfillmentStrategy | undefined {
  return kind === 'stock' ? stockFulfillment : kind === 'manual' ? manualFulfillment : undefined;
}
