// How an order gets its goods. Each way is one strategy in a file of its own (stock.ts,
// manual.ts; the upstream connector adds upstream.ts): what placement claims in the order's
// transaction, where a paid order goes, what runs once the order has committed, what a held
// order's payment does, and what ending an order before delivery gives back. Orders call only
// this interface; which strategy an order gets is its product's `fulfillment`, looked up in the
// app's registry (registry.ts).
import type { Db } from '../../db/index.js';
import type { FulfillmentKind, OrderStatus, OrdersTable } from '../../db/schema.js';

/** What placement takes from stock in the order's transaction: nothing, unique codes sold or held until payment, or the shared code. */
export type StockClaim = 'none' | 'sell' | 'hold' | 'shared';

/** Whether the order is paid when it is placed, or waits for its payment (its goods held until then). */
export type PaymentTiming = 'paid' | 'pending';

/** The order a strategy acts on, as stored. */
export type FulfilledOrder = Pick<OrdersTable, 'id' | 'number' | 'account_id' | 'product_id' | 'quantity' | 'status' | 'fulfillment'> &
  /** Its checkout fields and the rest of what its events say, when the caller has them at hand (placement does). */
  Partial<Pick<OrdersTable, 'fields' | 'client_order_id' | 'charged_minor' | 'charged_currency' | 'callback_url' | 'created_at' | 'updated_at'>>;

/** A move of the order with the reason its events record. */
export interface StatusStep {
  status: OrderStatus;
  reason: string;
}

/** An order a strategy delivered right after placement, as written: enough to answer with it without reading it back. */
export interface DeliveredNow {
  /** When it moved to fulfilled: its updated_at, and its event's time. */
  at: string;
  reason: string;
  actor: string;
  /** The stock items delivered, in the order's order, with their codes. */
  items: Array<{ id: number; code: string }>;
}

/**
 * Rows a strategy has written in a paid order's own transaction, by the statements of the module
 * that owns them (`extension`, registered with placement): written if and only if the order is.
 */
export interface WrittenWithOrder {
  extension: string;
  rows: unknown[];
}

/** What a strategy may use outside an order's transaction. */
export interface FulfillmentContext {
  db: Db;
  /** Admission may answer from what this process read a moment ago (placement's cached reads; a refusal is asked again fresh). */
  cached?: boolean;
}

export interface FulfillmentStrategy {
  readonly kind: FulfillmentKind;
  /** What placement claims for an order of a product with this stock mode, paid now or held until paid. */
  claim(product: { stock_mode: 'unique' | 'shared' }, timing: PaymentTiming): StockClaim;
  /** Where a paid order goes from `queued`, at placement or when its payment arrives, and why. */
  readonly whenPaid: StatusStep;
  /** Before an order is priced: refuses one this strategy cannot take now (a DomainError), so nothing is written. */
  admit(context: FulfillmentContext, product: { id: number; code: string }, quantity: number): Promise<void>;
  /**
   * Runs once the placed order has committed (not for a replayed one). The order stands whatever
   * happens here, so a strategy records its own failures rather than throwing. True when it moved
   * the order on (the answer is then read again), or what it delivered when it fulfilled it.
   */
  afterPlacement(context: FulfillmentContext, order: FulfilledOrder): Promise<boolean | DeliveredNow>;
  /** For an order about to be placed paid and in `whenPaid`: what else its transaction writes (the upstream strategy: the order's forwarding run). */
  writtenWith?(order: FulfilledOrder & Pick<OrdersTable, 'fields'>): WrittenWithOrder | undefined;
  /** In the transaction where a held order's payment arrived, before it moves to `whenPaid`. */
  paymentArrived(tx: Db, order: FulfilledOrder): Promise<void>;
  /** In the transaction that cancels, rejects or expires the order before delivery: gives back what placement took. */
  undo(tx: Db, order: FulfilledOrder): Promise<void>;
}
