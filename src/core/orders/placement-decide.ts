// Deciding a batch of placements: given what the database holds for it (the products as they are
// now, the wallets' funds, the client_order_ids and Idempotency-Keys already taken, each product's
// next available codes, all read and locked in the batch's transaction), which orders are placed
// and what must be written for them. Orders are decided one after the other, in the order they
// arrived, exactly as if each had its own transaction: an order sees the codes and money the ones
// before it took. Pure. Each invariant is decided by the module that owns its data (inventory's
// CodeHandout, wallets' WalletCharges, coupons' CouponRedemptions); this file composes them and
// checks what is orders' own: the order is still as it was priced, and its references are free.
import type { ProductNow } from '../catalog/index.js';
import type { BuyerTerms } from '../accounts/index.js';
import { couponDemand, CouponRedemptions, type CouponDemand, type CouponNow } from '../coupons/index.js';
import type { OutboxRow } from '../events/index.js';
import { CodeHandout, stockDemand, type AllocatedItem, type StockDemand } from '../inventory/index.js';
import { chargedWallets, rateKey, WalletCharges, type RatePair, type RatesNow, type WalletFunds } from '../wallets/index.js';
import type { OrderRow, PlacementOutcome, PlacementPlan } from './placement-batch.js';

export type { CouponNow, ProductNow, WalletFunds };

export interface BuyerNow extends BuyerTerms {
  wallet_checkout: boolean;
}

/** What a batch reads before deciding. */
export interface BatchState {
  products: Map<number, ProductNow>;
  buyers: Map<number, BuyerNow>;
  fxRates: RatesNow;
  wallets: Map<number, WalletFunds>;
  /** The batch's references that orders already hold: `referenceKey()` of each. */
  takenReferences: Set<string>;
  /** Per unique-mode product: its next available codes, as many as the batch asks for at most. */
  pools: Map<number, AllocatedItem[]>;
  /** Per shared-mode product: the code every buyer gets, if there is one. */
  sharedCodes: Map<number, AllocatedItem | undefined>;
  /** The batch's coupons (locked), and their standing uses by `${coupon_id}:${customer_key}`. */
  coupons: Map<number, CouponNow>;
  couponUses: Map<string, number>;
}

/** What a batch needs to read: derived from its plans alone. */
export interface BatchNeeds {
  productIds: number[];
  accountIds: number[];
  fxPairs: RatePair[];
  /** Ascending: the lock order of every placement. */
  walletIds: number[];
  /** The client_order_ids and Idempotency-Keys the batch's orders name. */
  references: OrderReference[];
  stock: StockDemand;
  coupons: CouponDemand;
}

/** Everything the placed orders of a batch write: orders' own rows, and each module's decided part. */
export interface BatchWrites {
  orders: OrderRow[];
  items: Array<{ order_id: string; stock_item_id: number; created_at: string }>;
  events: Array<{ order_id: string; from_status: string | null; to_status: string; reason: string | null; actor: string; created_at: string }>;
  outbox: OutboxRow[];
  stock: CodeHandout;
  charges: WalletCharges;
  /** The rows each extension writes with the placed orders, by extension name. */
  writtenWith: Map<string, unknown[]>;
  coupons: CouponRedemptions;
}

/** What makes an order idempotent: its client_order_id, or the Idempotency-Key it was placed with; each unique per account. */
export interface OrderReference {
  accountId: number;
  kind: 'client_order_id' | 'idempotency_key';
  value: string;
}

export const referenceKey = (r: OrderReference) => `${r.accountId}:${r.kind}:${r.value}`;

function referencesOf(order: OrderRow): OrderReference[] {
  const references: OrderReference[] = [];
  if (order.client_order_id !== null) references.push({ accountId: order.account_id, kind: 'client_order_id', value: order.client_order_id });
  if (order.idempotency_key !== null) references.push({ accountId: order.account_id, kind: 'idempotency_key', value: order.idempotency_key });
  return references;
}

export function batchNeeds(plans: PlacementPlan[]): BatchNeeds {
  const pairs = new Map<string, RatePair>();
  for (const { order, priced } of plans) {
    if (order.currency !== order.charged_currency) pairs.set(rateKey(order.currency, order.charged_currency), { base: order.currency, quote: order.charged_currency });
    if (priced.unitFx) pairs.set(rateKey(priced.unitFx.base, priced.unitFx.quote), { base: priced.unitFx.base, quote: priced.unitFx.quote });
  }
  return {
    productIds: [...new Set(plans.map((p) => p.order.product_id))],
    accountIds: [...new Set(plans.map((p) => p.order.account_id))],
    fxPairs: [...pairs.values()],
    walletIds: chargedWallets(plans.flatMap((p) => (p.debit ? [p.debit] : []))),
    references: plans.flatMap(({ order }) => referencesOf(order)),
    stock: stockDemand(plans.map(({ order, claim }) => ({ productId: order.product_id, quantity: order.quantity, claim }))),
    coupons: couponDemand(plans.flatMap((p) => (p.coupon ? [{ id: p.coupon.id, customerKey: p.coupon.customerKey }] : []))),
  };
}

function isAsPriced({ order, priced, debit, coupon }: PlacementPlan, state: BatchState): boolean {
  if (coupon) {
    const now = state.coupons.get(coupon.id);
    if (!now || now.updated_at !== coupon.updatedAt || now.status !== 'active') return false;
    if ((now.starts_at !== null && order.created_at < now.starts_at) || (now.ends_at !== null && order.created_at >= now.ends_at)) return false;
  }
  const product = state.products.get(order.product_id);
  const buyer = state.buyers.get(order.account_id);
  const fxNow = order.currency === order.charged_currency ? null : (state.fxRates.get(rateKey(order.currency, order.charged_currency)) ?? null);
  return (
    product !== undefined &&
    product.status === 'active' &&
    product.updated_at === priced.updatedAt &&
    product.price_minor === priced.priceMinor &&
    product.currency === priced.currency &&
    product.fulfillment === priced.fulfillment &&
    product.stock_mode === priced.stockMode &&
    buyer !== undefined &&
    buyer.currency === priced.buyer.currency &&
    buyer.discount_bp === priced.buyer.discountBp &&
    // An owner's change of the account's risk terms applies to the next order written.
    buyer.risk_review_score === priced.buyer.risk.risk_review_score &&
    buyer.risk_reject_score === priced.buyer.risk.risk_reject_score &&
    buyer.review_above_minor === priced.buyer.risk.review_above_minor &&
    // Switching wallet checkout off stops wallet-paid orders at once; orders paid later go on.
    (debit === null || buyer.wallet_checkout) &&
    fxNow === priced.fxRate &&
    (priced.unitFx === null || state.fxRates.get(rateKey(priced.unitFx.base, priced.unitFx.quote)) === priced.unitFx.rate)
  );
}

/** What a placed order writes of its own, however its batch was decided. */
export type OwnRows = Pick<BatchWrites, 'orders' | 'events' | 'outbox' | 'writtenWith'>;

/** Adds a placed order's own rows: the order, its events, its outbox events (stamped `recordedAt`), what its fulfilment writes with it. */
export function recordOwnRows(writes: OwnRows, plan: PlacementPlan, recordedAt: string): void {
  const { order } = plan;
  writes.orders.push(order);
  if (plan.writtenWith) {
    const { extension, rows } = plan.writtenWith;
    writes.writtenWith.set(extension, [...(writes.writtenWith.get(extension) ?? []), ...rows]);
  }
  for (const event of plan.outbox) writes.outbox.push({ ...event, created_at: recordedAt });
  for (const event of plan.events) {
    writes.events.push({ order_id: order.id, from_status: event.from, to_status: event.to, reason: event.reason, actor: event.actor, created_at: event.at });
  }
}

/**
 * Decides a batch against the state it read. `recordedAt` is the time inside the batch's
 * transaction: the orders' events carry it, so an event's timestamp is when it was recorded, not
 * when its order was priced (before it waited for the batch ahead of it).
 */
export function decideBatch(plans: PlacementPlan[], state: BatchState, recordedAt: string): { outcomes: PlacementOutcome[]; writes: BatchWrites } {
  const writes: BatchWrites = {
    orders: [],
    items: [],
    events: [],
    outbox: [],
    stock: new CodeHandout({ pools: state.pools, shared: state.sharedCodes }),
    charges: new WalletCharges(state.wallets),
    coupons: new CouponRedemptions({ coupons: state.coupons, uses: state.couponUses }),
    writtenWith: new Map(),
  };
  const taken = new Set(state.takenReferences);

  const outcomes = plans.map((plan): PlacementOutcome => {
    const { order } = plan;
    if (!isAsPriced(plan, state)) return { kind: 'stale' };
    const references = referencesOf(order).map(referenceKey);
    if (references.some((r) => taken.has(r))) return { kind: 'duplicate' };
    const use = plan.coupon ? { id: plan.coupon.id, customerKey: plan.coupon.customerKey } : undefined;
    if (use) {
      const refusal = writes.coupons.refusal(use);
      if (refusal) return { kind: 'coupon_exhausted', perCustomer: refusal === 'customer_exhausted' };
    }
    const offered = writes.stock.offer(order.product_id, order.quantity, plan.claim);
    if (!('items' in offered)) return { kind: 'out_of_stock', available: offered.available };
    if (plan.debit) {
      const covered = writes.charges.covers(plan.debit.walletId, plan.debit.amountMinor);
      if (!covered.ok) return { kind: 'insufficient_balance', available: covered.available, currency: covered.currency };
    }

    // Placed: each module records what it takes, and the order what it writes.
    for (const r of references) taken.add(r);
    writes.stock.take({ id: order.id, productId: order.product_id, at: order.created_at, until: order.expires_at }, plan.claim, offered.items);
    if (plan.debit) writes.charges.charge(plan.debit.walletId, plan.debit.amountMinor, { id: order.id, actor: plan.actor, at: order.created_at });
    if (use && plan.coupon) writes.coupons.redeem(use, { id: order.id, at: order.created_at }, plan.coupon.discountMinor);
    recordOwnRows(writes, plan, recordedAt);
    for (const item of offered.items) writes.items.push({ order_id: order.id, stock_item_id: item.id, created_at: order.created_at });
    return { kind: 'placed', items: offered.items };
  });
  return { outcomes, writes };
}
