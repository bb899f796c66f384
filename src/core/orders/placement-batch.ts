// The write half of placement, done in batches (group commit). Placement reads and prices an
// order outside any transaction, then hands its writes here as a plan. Plans that arrive while a
// batch is being written wait and go together in the next one: one transaction, one commit (and
// on PostgreSQL four round trips) for all of them. Orders the batch refuses (stock, money, a stale
// price) are decided before anything is written and write nothing; if the batch fails as a whole,
// nothing of it is written and its orders are written again one by one, so one order's failure
// leaves the others untouched. Every plan re-checks what it was priced from, so the batch gives
// the same guarantees as reading and writing in one transaction.
import type SQLite from 'better-sqlite3';
import type { RawBuilder } from 'kysely';
import { BatchQueue } from '../../db/index.js';
import type { OrdersTable } from '../../db/schema.js';
import type { AccountRiskTerms } from '../accounts/index.js';
import type { OutboxRow } from '../events/index.js';
import type { AllocatedItem } from '../inventory/index.js';
import type { AppliedCoupon } from '../coupons/index.js';
import type { WrittenWithOrder } from '../fulfillment/index.js';
import type { OrderEvent } from './read-orders.js';
import type { UnitFx } from './plan-order.js';

/** The orders row, exactly as inserted: placement always knows the request hash and the wallet. */
export type OrderRow = OrdersTable & { request_hash: string; wallet_id: number };

export interface PlacementPlan {
  order: OrderRow;
  /** What the order was planned and priced from: if any of it changed since, the plan is stale and placement starts over. */
  priced: {
    /** The product's updated_at: any edit of the product changes it. */
    updatedAt: string;
    priceMinor: number;
    currency: string;
    fulfillment: string;
    stockMode: 'unique' | 'shared';
    /** `risk`: the account's own risk terms the order was assessed by. */
    buyer: { currency: string; discountBp: number; walletCheckout: boolean; risk: AccountRiskTerms };
    /** The exchange rate from the order's currency to the charged wallet's, when they differ. */
    fxRate: string | null;
    /** The rate that converted the product's unit price into the order's currency, when the order is priced in another one. */
    unitFx: UnitFx | null;
  };
  /** The coupon the order is priced by: its use is counted (limits checked) when the batch is written. */
  coupon: (AppliedCoupon & { customerKey: string }) | null;
  /** What to take from stock: nothing (manual fulfilment), unique codes (sold, or held until `expires_at`), or the shared code. */
  claim: 'none' | 'sell' | 'hold' | 'shared';
  /** The wallet debit; absent when the order is paid later. */
  debit: { walletId: number; amountMinor: number } | null;
  events: OrderEvent[];
  /** The order's outbox events (order.created, order.fulfilled), written with it. */
  outbox: OutboxRow[];
  /** What its fulfilment strategy writes with it (a forwarding run), by a registered extension's statements. */
  writtenWith?: WrittenWithOrder;
  actor: string;
}

export type PlacementOutcome =
  | { kind: 'placed'; items: AllocatedItem[] }
  /** Another order of this account already has this client_order_id. */
  | { kind: 'duplicate' }
  /** The product changed between pricing and writing. */
  | { kind: 'stale' }
  | { kind: 'out_of_stock'; available: number }
  /** `available` is balance plus credit limit, in the wallet's currency. */
  | { kind: 'insufficient_balance'; available: number; currency: string }
  /** The coupon's usage limit, or the customer's, has been reached. */
  | { kind: 'coupon_exhausted'; perCustomer: boolean }
  /** Anything unexpected: this order failed on its own and wrote nothing; the batch's others stand. */
  | { kind: 'failed'; error: unknown };

/**
 * Another module's rows written in the transaction of the orders they belong to (WrittenWithOrder),
 * by its own statements: registered with placement once, before its first order.
 */
export interface PlacementExtension {
  readonly name: string;
  /**
   * PostgreSQL: CTEs of the batch's one statement, each preceded by a comma, writing `rows` (as
   * parameters: the text must not depend on them) only for orders in the CTE `inserted` (its `id`s).
   */
  pgCtes(rows: readonly unknown[]): RawBuilder<unknown>;
  /** SQLite: a writer for the batch's transaction, synchronous, made once per connection. */
  sqliteWriter(sqlite: SQLite.Database): (rows: readonly unknown[]) => void;
}

/** Writes a batch of plans in one transaction; returns one outcome per plan, in order. */
export type PlacementWriter = (plans: PlacementPlan[]) => Promise<PlacementOutcome[]>;

/**
 * Group commit: at most one batch is being written at a time; whatever arrives meanwhile forms
 * the next one. A lone order is written at once (after the current tick), so at low load nothing
 * waits; under load, commits are shared and the rows every order touches (wallet, stock counter)
 * are locked once per batch instead of once per order. The writer tries a failed batch's orders
 * again itself; a batch it still cannot write fails as a whole.
 */
export class PlacementQueue extends BatchQueue<PlacementPlan, PlacementOutcome> {
  constructor(write: PlacementWriter, maxBatch = 200) {
    super(write, undefined, maxBatch);
  }
}
