// Deciding a batch of placements: given what the database holds for it (the products as they are
// now, the wallets' funds, the client_order_ids and Idempotency-Keys already taken, each product's next available
// codes, all read and locked in the batch's transaction), which orders are placed and what must be
// written for them. Orders are decided one after the other, in the order they arrived, exactly as
// if each had its own transaction: an order sees the codes and money the ones before it took.
// Pure: the database readers and writers for each dialect sit around it.
import type { OutboxRow } from '../events/index.js';
import type { AllocatedItem } from '../inventory/index.js';
import type { OrderRow, PlacementOutcome, PlacementPlan } from './placement-batch.js';

export interface ProductNow {
  updated_at: string;
  price_minor: number;
  currency: string;
  status: string;
  fulfillment: string;
  stock_mode: string;
}

export interface WalletFunds {
  balance_minor: number;
  credit_limit_minor: number;
  currency: string;
}

export interface BuyerNow {
  currency: string;
  discount_bp: number;
  wallet_checkout: boolean;
}

export interface CouponNow {
  updated_at: string;
  status: string;
  used_count: number;
  usage_limit: number | null;
  per_customer_limit: number | null;
  starts_at: string | null;
  ends_at: string | null;
}

/** What a batch reads before deciding. */
export interface BatchState {
  products: Map<number, ProductNow>;
  buyers: Map<number, BuyerNow>;
  /** Rates by `${base}:${quote}`. */
  fxRates: Map<string, string>;
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
  fxPairs: Array<{ base: string; quote: string }>;
  walletIds: number[];
  /** The client_order_ids and Idempotency-Keys the batch's orders name. */
  references: OrderReference[];
  /** Unique-mode products and how many codes the whole batch could take of each. */
  codes: Array<{ productId: number; quantity: number }>;
  sharedProductIds: number[];
  /** Ascending, for the same reason as wallets. */
  couponIds: number[];
  couponCustomers: Array<{ couponId: number; customerKey: string }>;
}

export interface ClaimedCode {
  id: number;
  orderId: string;
  hold: boolean;
  at: string;
  until: string | null;
}

export interface LedgerRow {
  wallet_id: number;
  amount_minor: number;
  balance_after_minor: number;
  reference: string;
  actor: string;
  created_at: string;
}

/** Everything the placed orders of a batch write, table by table. */
export interface BatchWrites {
  orders: OrderRow[];
  claimedCodes: ClaimedCode[];
  items: Array<{ order_id: string; stock_item_id: number; created_at: string }>;
  events: Array<{ order_id: string; from_status: string | null; to_status: string; reason: string | null; actor: string; created_at: string }>;
  /** How much the batch takes from each wallet it debits. */
  debits: Map<number, number>;
  ledger: LedgerRow[];
  /** Unique-mode products and how many codes the batch took of each. */
  counted: Map<number, number>;
  outbox: OutboxRow[];
  redemptions: Array<{ coupon_id: number; order_id: string; customer_key: string; discount_minor: number; created_at: string }>;
  /** How many uses the batch adds to each coupon. */
  couponUses: Map<number, number>;
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
const customerUseKey = (couponId: number, customerKey: string) => `${couponId}:${customerKey}`;

export function batchNeeds(plans: PlacementPlan[]): BatchNeeds {
  const codes = new Map<number, number>();
  const shared = new Set<number>();
  for (const { order, claim } of plans) {
    if (claim === 'sell' || claim === 'hold') codes.set(order.product_id, (codes.get(order.product_id) ?? 0) + order.quantity);
    else if (claim === 'shared') shared.add(order.product_id);
  }
  const pairs = new Map<string, { base: string; quote: string }>();
  for (const { order, priced } of plans) {
    if (order.currency !== order.charged_currency) pairs.set(`${order.currency}:${order.charged_currency}`, { base: order.currency, quote: order.charged_currency });
    if (priced.unitFx) pairs.set(`${priced.unitFx.base}:${priced.unitFx.quote}`, { base: priced.unitFx.base, quote: priced.unitFx.quote });
  }
  return {
    productIds: [...new Set(plans.map((p) => p.order.product_id))],
    accountIds: [...new Set(plans.map((p) => p.order.account_id))],
    fxPairs: [...pairs.values()],
    // Ascending, so that two processes lock the wallets of their batches in the same order.
    walletIds: [...new Set(plans.flatMap((p) => (p.debit ? [p.debit.walletId] : [])))].sort((a, b) => a - b),
    references: plans.flatMap(({ order }) => referencesOf(order)),
    codes: [...codes].sort(([a], [b]) => a - b).map(([productId, quantity]) => ({ productId, quantity })),
    sharedProductIds: [...shared],
    couponIds: [...new Set(plans.flatMap((p) => (p.coupon ? [p.coupon.id] : [])))].sort((a, b) => a - b),
    couponCustomers: [...new Map(plans.flatMap((p) => (p.coupon ? [[customerUseKey(p.coupon.id, p.coupon.customerKey), { couponId: p.coupon.id, customerKey: p.coupon.customerKey }] as const] : []))).values()],
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
  const fxNow = order.currency === order.charged_currency ? null : (state.fxRates.get(`${order.currency}:${order.charged_currency}`) ?? null);
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
    // Switching wallet checkout off stops wallet-paid orders at once; orders paid later go on.
    (debit === null || buyer.wallet_checkout) &&
    fxNow === priced.fxRate &&
    (priced.unitFx === null || state.fxRates.get(`${priced.unitFx.base}:${priced.unitFx.quote}`) === priced.unitFx.rate)
  );
}

/**
 * Decides a batch against the state it read. `recordedAt` is the time inside the batch's
 * transaction: the orders' events carry it, so an event's timestamp is when it was recorded, not
 * when its order was priced (before it waited for the batch ahead of it).
 */
export function decideBatch(plans: PlacementPlan[], state: BatchState, recordedAt: string): { outcomes: PlacementOutcome[]; writes: BatchWrites } {
  const writes: BatchWrites = {
    orders: [], claimedCodes: [], items: [], events: [], debits: new Map(), ledger: [], counted: new Map(), outbox: [], redemptions: [], couponUses: new Map(),
  };
  const customerUses = new Map<string, number>();
  const taken = new Set(state.takenReferences);
  const handedOut = new Map<number, number>();
  const balances = new Map<number, number>();

  const outcomes = plans.map((plan): PlacementOutcome => {
    const { order } = plan;
    if (!isAsPriced(plan, state)) return { kind: 'stale' };
    const references = referencesOf(order).map(referenceKey);
    if (references.some((r) => taken.has(r))) return { kind: 'duplicate' };

    if (plan.coupon) {
      const coupon = state.coupons.get(plan.coupon.id)!;
      const used = coupon.used_count + (writes.couponUses.get(plan.coupon.id) ?? 0);
      if (coupon.usage_limit !== null && used >= coupon.usage_limit) return { kind: 'coupon_exhausted', perCustomer: false };
      const useKey = customerUseKey(plan.coupon.id, plan.coupon.customerKey);
      const usedByCustomer = customerUses.get(useKey) ?? state.couponUses.get(useKey) ?? 0;
      if (coupon.per_customer_limit !== null && usedByCustomer >= coupon.per_customer_limit) return { kind: 'coupon_exhausted', perCustomer: true };
    }

    let items: AllocatedItem[] = [];
    if (plan.claim === 'sell' || plan.claim === 'hold') {
      const pool = state.pools.get(order.product_id) ?? [];
      const from = handedOut.get(order.product_id) ?? 0;
      if (pool.length - from < order.quantity) return { kind: 'out_of_stock', available: pool.length - from };
      items = pool.slice(from, from + order.quantity);
    } else if (plan.claim === 'shared') {
      const code = state.sharedCodes.get(order.product_id);
      if (!code) return { kind: 'out_of_stock', available: 0 };
      items = Array.from({ length: order.quantity }, () => code);
    }

    let balanceAfter: number | undefined;
    if (plan.debit) {
      const wallet = state.wallets.get(plan.debit.walletId);
      if (!wallet) throw new Error(`wallet ${plan.debit.walletId} of order ${order.id} does not exist`);
      const balance = balances.get(plan.debit.walletId) ?? wallet.balance_minor;
      if (balance - plan.debit.amountMinor + wallet.credit_limit_minor < 0) {
        return { kind: 'insufficient_balance', available: balance + wallet.credit_limit_minor, currency: wallet.currency };
      }
      balanceAfter = balance - plan.debit.amountMinor;
    }

    // Placed: record what it takes and writes.
    for (const r of references) taken.add(r);
    if (plan.claim === 'sell' || plan.claim === 'hold') {
      handedOut.set(order.product_id, (handedOut.get(order.product_id) ?? 0) + order.quantity);
      writes.counted.set(order.product_id, (writes.counted.get(order.product_id) ?? 0) + order.quantity);
      for (const item of items) writes.claimedCodes.push({ id: item.id, orderId: order.id, hold: plan.claim === 'hold', at: order.created_at, until: order.expires_at });
    }
    writes.orders.push(order);
    for (const event of plan.outbox) writes.outbox.push({ ...event, created_at: recordedAt });
    if (plan.coupon) {
      const useKey = customerUseKey(plan.coupon.id, plan.coupon.customerKey);
      customerUses.set(useKey, (customerUses.get(useKey) ?? state.couponUses.get(useKey) ?? 0) + 1);
      writes.couponUses.set(plan.coupon.id, (writes.couponUses.get(plan.coupon.id) ?? 0) + 1);
      writes.redemptions.push({ coupon_id: plan.coupon.id, order_id: order.id, customer_key: plan.coupon.customerKey, discount_minor: plan.coupon.discountMinor, created_at: order.created_at });
    }
    for (const item of items) writes.items.push({ order_id: order.id, stock_item_id: item.id, created_at: order.created_at });
    for (const event of plan.events) {
      writes.events.push({ order_id: order.id, from_status: event.from, to_status: event.to, reason: event.reason, actor: event.actor, created_at: event.at });
    }
    if (plan.debit && balanceAfter !== undefined) {
      balances.set(plan.debit.walletId, balanceAfter);
      writes.debits.set(plan.debit.walletId, (writes.debits.get(plan.debit.walletId) ?? 0) + plan.debit.amountMinor);
      writes.ledger.push({
        wallet_id: plan.debit.walletId,
        amount_minor: -plan.debit.amountMinor,
        balance_after_minor: balanceAfter,
        reference: `order:${order.id}`,
        actor: plan.actor,
        created_at: order.created_at,
      });
    }
    return { kind: 'placed', items };
  });
  return { outcomes, writes };
}
