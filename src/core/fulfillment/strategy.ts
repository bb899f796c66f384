// How an order gets its goods. A strategy runs inside the placement transaction and says what
// status the order ends in; the upstream connector will be a third implementation.
import type { Db, Dialect } from '../../db/index.js';
import { claimStock, countDownStock, type AllocatedItem } from '../inventory/index.js';
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
  items: AllocatedItem[];
  /**
   * Work on rows every order of the product shares (stock counters): placement runs it last,
   * just before commit, so their locks are held as briefly as possible.
   */
  settle(): Promise<void>;
}

export interface FulfillmentStrategy {
  readonly kind: 'stock' | 'manual' | 'upstream';
  /** The status a paid order has right after placement. */
  readonly statusWhenPaid: OrderStatus;
  fulfilAtPlacement(context: FulfillmentContext): Promise<FulfillmentOutcome>;
}

/** Codes from our own stock, claimed in the placement transaction: the order is fulfilled at once. */
export const stockFulfillment: FulfillmentStrategy = {
  kind: 'stock',
  statusWhenPaid: 'fulfilled',
  async fulfilAtPlacement({ tx, dialect, orderId, product, quantity, holdUntil }) {
    const items = await claimStock(tx, dialect, product, quantity, orderId, holdUntil);
    return { items, settle: () => countDownStock(tx, product, quantity) };
  },
};

/** A person fulfils the order later (admin API or `souk order fulfil`); until then it is processing. */
export const manualFulfillment: FulfillmentStrategy = {
  kind: 'manual',
  statusWhenPaid: 'processing',
  async fulfilAtPlacement() {
    return { items: [], settle: async () => undefined };
  },
};

export function fulfillmentFor(kind: string): FulfillmentStrategy | undefined {
  return kind === 'stock' ? stockFulfillment : kind === 'manual' ? manualFulfillment : undefined;
}
