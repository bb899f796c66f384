// Goods bought from an upstream provider when the order is paid (core/upstream forwards them).
// Nothing is claimed here at placement; a paid order waits in processing while it is bought, and
// the forwarder delivers or rejects it. The forwarder is given to the strategy (openSouk) so that
// this folder knows the forwarding only by the interface below.
import type { Db } from '../../db/index.js';
import type { OrdersTable } from '../../db/schema.js';
import type { DeliveredNow, FulfilledOrder, FulfillmentStrategy, WrittenWithOrder } from './strategy.js';

/** What the upstream connector does for the strategy. */
export interface UpstreamForwarder {
  /** Refuses (503 provider_unavailable) an order its provider cannot take now: disabled, or our balance there known to be short; `cached`: from a read of a moment ago. */
  admit(db: Db, product: { id: number; code: string }, quantity: number, cached: boolean): Promise<void>;
  /** What a paid order's transaction writes with it so that buying it can start as soon as it commits (its run, its purchase marked under way); undefined: nothing. */
  writtenWith(order: FulfilledOrder & Pick<OrdersTable, 'fields'>): WrittenWithOrder | undefined;
  /** Starts buying a paid order upstream and waits a little for the outcome: what it delivered, true when the order moved on otherwise, false when not yet. */
  forward(order: FulfilledOrder): Promise<boolean | DeliveredNow>;
  /** In the transaction where a held order's payment arrived: makes sure it will be bought. */
  paymentArrived(tx: Db, order: FulfilledOrder): Promise<void>;
  /** In the transaction that would end the order before delivery: refuses while a purchase upstream may be under way. */
  assertUndoable(tx: Db, order: FulfilledOrder): Promise<void>;
}

/** The upstream strategy, forwarding through `forwarder`. */
export function upstreamFulfillment(forwarder: UpstreamForwarder): FulfillmentStrategy {
  return {
    kind: 'upstream',
    claim: () => 'none',
    whenPaid: { status: 'processing', reason: 'being bought from the provider' },
    admit: ({ db, cached }, product, quantity) => forwarder.admit(db, product, quantity, cached === true),
    afterPlacement: async (_context, order) => (order.status === 'processing' ? forwarder.forward(order) : false),
    writtenWith: (order) => forwarder.writtenWith(order),
    paymentArrived: (tx, order) => forwarder.paymentArrived(tx, order),
    undo: (tx, order) => forwarder.assertUndoable(tx, order),
  };
}
