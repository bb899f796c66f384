// Codes from Souk's own stock, claimed in the placement transaction: a paid order is delivered
// at once. Unique codes are sold (or held until a pending payment arrives); a shared-mode product
// hands every buyer its one code, held or not.
import { confirmReservedStock, releaseStock } from '../inventory/index.js';
import type { FulfillmentStrategy } from './strategy.js';

export const stockFulfillment: FulfillmentStrategy = {
  kind: 'stock',
  claim: (product, timing) => (product.stock_mode === 'shared' ? 'shared' : timing === 'pending' ? 'hold' : 'sell'),
  whenPaid: { status: 'fulfilled', reason: 'delivered from stock' },
  admit: async () => {},
  afterPlacement: async () => false,
  /** The held codes are sold to the order. */
  paymentArrived: async (tx, order) => {
    await confirmReservedStock(tx, order.id);
  },
  /** The order's codes, sold or held, go back on sale. */
  undo: async (tx, order) => {
    await releaseStock(tx, order.id);
  },
};
