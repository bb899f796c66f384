// `souk doctor`: checks the invariants that money and stock rest on, straight from the tables.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { countHeldCodesByOrder } from '../inventory/index.js';

export interface Violation {
  invariant: string;
  detail: string;
}

export async function checkInvariants(db: Db): Promise<Violation[]> {
  const violations: Violation[] = [];

  const wallets = await db
    .selectFrom('wallets')
    .leftJoin('ledger_entries', 'ledger_entries.wallet_id', 'wallets.id')
    .select(['wallets.id', 'wallets.balance_minor', sql<number | null>`sum(ledger_entries.amount_minor)`.as('ledger_sum')])
    .groupBy(['wallets.id', 'wallets.balance_minor'])
    .execute();
  for (const w of wallets) {
    const sum = Number(w.ledger_sum ?? 0);
    if (sum !== Number(w.balance_minor)) violations.push({ invariant: 'wallet equals its ledger', detail: `wallet ${w.id}: balance ${w.balance_minor}, ledger sum ${sum}` });
  }
  // Every entry's balance_after is the running sum of its wallet's entries up to it: entries are
  // written under the wallet's lock, so their ids follow the order of the changes. With the sum
  // above, this also makes the last entry equal the wallet. One line per wallet, at its first
  // broken entry (an altered amount throws off every entry after it).
  const chain = await sql<{ wallet_id: number; id: number; balance_after_minor: number | string; running_minor: number | string; off: number | string }>`
    with running as (
      select wallet_id, id, balance_after_minor,
        sum(amount_minor) over (partition by wallet_id order by id rows between unbounded preceding and current row) as running_minor
      from ledger_entries),
    broken as (
      select wallet_id, id, balance_after_minor, running_minor,
        count(*) over (partition by wallet_id) as off, row_number() over (partition by wallet_id order by id) as k
      from running where running_minor <> balance_after_minor)
    select wallet_id, id, balance_after_minor, running_minor, off from broken where k = 1 order by wallet_id`.execute(db);
  for (const e of chain.rows) {
    violations.push({
      invariant: 'ledger balance_after is the running sum',
      detail: `wallet ${e.wallet_id}: entry ${e.id} says balance after ${Number(e.balance_after_minor)}, its entries up to it sum to ${Number(e.running_minor)} (${Number(e.off)} entr${Number(e.off) === 1 ? 'y' : 'ies'} off)`,
    });
  }

  // A unique code is delivered once: in one order, and once in it.
  const doubleSold = await db
    .selectFrom('order_items')
    .innerJoin('stock_items', 'stock_items.id', 'order_items.stock_item_id')
    .innerJoin('products', 'products.id', 'stock_items.product_id')
    .select(['order_items.stock_item_id', sql<number>`count(order_items.id)`.as('deliveries'), sql<number>`count(distinct order_items.order_id)`.as('orders')])
    .where('products.stock_mode', '=', 'unique')
    .groupBy('order_items.stock_item_id')
    .having(sql<number>`count(order_items.id)`, '>', 1)
    .execute();
  for (const d of doubleSold) violations.push({ invariant: 'no stock item sold twice', detail: `stock item ${d.stock_item_id} is delivered ${Number(d.deliveries)} times, in ${Number(d.orders)} order(s)` });
  const soldTwice = new Set(doubleSold.map((d) => Number(d.stock_item_id)));
  const misfiled = await db
    .selectFrom('order_items')
    .innerJoin('stock_items', 'stock_items.id', 'order_items.stock_item_id')
    .innerJoin('products', 'products.id', 'stock_items.product_id')
    .select(['order_items.order_id', 'order_items.stock_item_id', 'stock_items.order_id as claimed_by', 'stock_items.status'])
    .where('products.stock_mode', '=', 'unique')
    .where((eb) => eb.or([eb('stock_items.order_id', 'is', null), eb('stock_items.order_id', '!=', eb.ref('order_items.order_id')), eb('stock_items.status', 'not in', ['sold', 'reserved'])]))
    .execute();
  // A code in two orders belongs to at most one of them: that fault is named once, above.
  for (const m of misfiled.filter((m) => !soldTwice.has(Number(m.stock_item_id)))) {
    violations.push({ invariant: 'delivered items belong to their order', detail: `stock item ${m.stock_item_id} delivered in ${m.order_id} but is ${m.status} for ${m.claimed_by ?? 'no order'}` });
  }
  // The other way round: a code sold or held is among some order's items (one among the wrong
  // order's items is named above).
  const lost = await db
    .selectFrom('stock_items')
    .innerJoin('products', 'products.id', 'stock_items.product_id')
    .leftJoin('order_items', 'order_items.stock_item_id', 'stock_items.id')
    .select(['stock_items.id', 'stock_items.status', 'stock_items.order_id'])
    .where('products.stock_mode', '=', 'unique')
    .where('stock_items.status', 'in', ['sold', 'reserved'])
    .where('order_items.id', 'is', null)
    .execute();
  for (const l of lost) violations.push({ invariant: 'claimed codes are in an order', detail: `stock item ${l.id} is ${l.status} for ${l.order_id ?? 'no order'} but in no order's items` });

  const fulfilled = await db
    .selectFrom('orders')
    .leftJoin('order_items', 'order_items.order_id', 'orders.id')
    .leftJoin('upstream_orders', 'upstream_orders.order_id', 'orders.id')
    .select(['orders.id', 'orders.quantity', 'orders.payment_status', 'upstream_orders.goods', sql<number>`count(order_items.id)`.as('items')])
    .where('orders.status', 'in', ['fulfilled', 'refunded'])
    .groupBy(['orders.id', 'orders.quantity', 'orders.payment_status', 'upstream_orders.goods'])
    .execute();
  for (const o of fulfilled) {
    if (!['paid', 'refunded'].includes(o.payment_status)) violations.push({ invariant: 'fulfilled orders are paid', detail: `order ${o.id} is delivered but its payment is ${o.payment_status}` });
    // An upstream that performs a service (an SMM panel) delivers no code.
    const expected = o.goods === 'service' ? 0 : o.quantity;
    if (Number(o.items) !== expected) violations.push({ invariant: 'fulfilled orders have their items', detail: `order ${o.id} has ${o.items} of ${expected} items` });
  }

  const counters = await db
    .selectFrom('products')
    .leftJoin('stock_items', (join) => join.onRef('stock_items.product_id', '=', 'products.id').on('stock_items.status', '=', 'available'))
    .select(['products.id', 'products.code', 'products.stock_available', sql<number>`count(stock_items.id)`.as('rows')])
    .where('products.stock_mode', '=', 'unique')
    // An upstream product's counter is the upstream's stock, not codes held here.
    .where('products.fulfillment', '!=', 'upstream')
    .groupBy(['products.id', 'products.code', 'products.stock_available'])
    .execute();
  for (const c of counters) {
    if (Number(c.rows) !== c.stock_available) violations.push({ invariant: 'stock counters match rows', detail: `${c.code}: counter ${c.stock_available}, available codes ${c.rows}` });
  }

  const coupons = await db
    .selectFrom('coupons')
    .leftJoin('coupon_redemptions', (join) => join.onRef('coupon_redemptions.coupon_id', '=', 'coupons.id').on('coupon_redemptions.released_at', 'is', null))
    .select(['coupons.code', 'coupons.used_count', 'coupons.usage_limit', sql<number>`count(coupon_redemptions.id)`.as('standing')])
    .groupBy(['coupons.id', 'coupons.code', 'coupons.used_count', 'coupons.usage_limit'])
    .execute();
  for (const c of coupons) {
    if (Number(c.standing) !== c.used_count) violations.push({ invariant: 'coupon counters match redemptions', detail: `${c.code}: counter ${c.used_count}, standing redemptions ${c.standing}` });
    if (c.usage_limit !== null && Number(c.standing) > c.usage_limit) violations.push({ invariant: 'coupons are used within their limit', detail: `${c.code}: ${c.standing} uses, limit ${c.usage_limit}` });
  }
  const discounts = await db
    .selectFrom('orders')
    .leftJoin('coupon_redemptions', 'coupon_redemptions.order_id', 'orders.id')
    .select(['orders.id', 'orders.discount_minor', 'orders.coupon_id', 'coupon_redemptions.discount_minor as redeemed_minor'])
    .where((eb) => eb.or([eb('orders.coupon_id', 'is not', null), eb('coupon_redemptions.id', 'is not', null), eb('orders.discount_minor', '!=', 0)]))
    .execute();
  for (const d of discounts) {
    if (d.coupon_id === null || d.redeemed_minor === null || Number(d.redeemed_minor) !== Number(d.discount_minor)) {
      violations.push({ invariant: 'every discount has its coupon redemption', detail: `order ${d.id}: discount ${d.discount_minor}, redemption ${d.redeemed_minor ?? 'none'}` });
    }
  }

  violations.push(...(await checkOrderCharges(db)));
  violations.push(...(await checkUpstreamPurchases(db)));
  violations.push(...(await checkStockWaits(db)));

  // An order waits in review paid and with a deadline, so the review sweep ends it if nobody decides.
  const reviews = await db.selectFrom('orders').select(['id', 'payment_status', 'review_until']).where('status', '=', 'review').where((eb) => eb.or([eb('payment_status', '!=', 'paid'), eb('review_until', 'is', null)])).execute();
  for (const r of reviews) violations.push({ invariant: 'orders in review are paid and due a decision', detail: `order ${r.id} is in review, payment ${r.payment_status}, review until ${r.review_until ?? 'never'}` });

  const orphans = await countOrphanHolds(db);
  if (orphans > 0) violations.push({ invariant: 'held codes belong to unpaid orders', detail: `${orphans} reserved code(s) without an order waiting for payment or review` });
  return violations;
}

/**
 * A stock order is in processing only while it waits for stock (core/orders/waiting-stock.ts), and
 * then holds nothing: every processing stock order has its wait row and no items, and every wait
 * row is such an order's, for its product and quantity.
 */
async function checkStockWaits(db: Db): Promise<Violation[]> {
  const rows = await db
    .selectFrom('orders')
    .leftJoin('order_stock_waits', 'order_stock_waits.order_id', 'orders.id')
    .select([
      'orders.id', 'orders.status', 'orders.fulfillment', 'orders.product_id', 'orders.quantity', 'order_stock_waits.order_id as waits',
      'order_stock_waits.product_id as waits_product', 'order_stock_waits.quantity as waits_quantity',
      sql<number | string>`(select count(*) from order_items where order_items.order_id = orders.id)`.as('items'),
    ])
    .where((eb) => eb.or([eb.and([eb('orders.status', '=', 'processing'), eb('orders.fulfillment', '=', 'stock')]), eb('order_stock_waits.order_id', 'is not', null)]))
    .execute();
  const violations: Violation[] = [];
  for (const o of rows) {
    const waiting = o.status === 'processing' && o.fulfillment === 'stock';
    if (o.waits === null) violations.push({ invariant: 'stock orders in processing wait for stock', detail: `order ${o.id} is processing without its stock or a wait for it` });
    else if (!waiting) violations.push({ invariant: 'only waiting orders wait for stock', detail: `order ${o.id} is ${o.status} (${o.fulfillment}) but still waits for stock` });
    else if (o.waits_product !== o.product_id || o.waits_quantity !== o.quantity) {
      violations.push({ invariant: 'only waiting orders wait for stock', detail: `order ${o.id} is for ${o.quantity} of product ${o.product_id}; its wait is for ${o.waits_quantity} of ${o.waits_product}` });
    }
    if (waiting && Number(o.items) > 0) violations.push({ invariant: 'waiting orders hold nothing', detail: `order ${o.id} waits for stock but has ${Number(o.items)} item(s)` });
  }
  return violations;
}

/**
 * What was bought upstream matches what happened here: an order ended here without its goods
 * (rejected, cancelled, expired: its buyer refunded) has no purchase upstream that may have gone
 * through, and an order delivered here was not recorded as failed or cancelled upstream.
 */
async function checkUpstreamPurchases(db: Db): Promise<Violation[]> {
  const rows = await db
    .selectFrom('upstream_orders')
    .innerJoin('orders', 'orders.id', 'upstream_orders.order_id')
    .select(['orders.id', 'orders.status', 'upstream_orders.state'])
    .where((eb) =>
      eb.or([
        eb.and([eb('orders.status', 'in', ['rejected', 'cancelled', 'expired']), eb('upstream_orders.state', 'in', ['sending', 'pending', 'delivered', 'stuck'])]),
        eb.and([eb('orders.status', 'in', ['fulfilled', 'refunded']), eb('upstream_orders.state', 'in', ['failed', 'cancelled'])]),
      ]),
    )
    .execute();
  return rows.map((r) =>
    ['fulfilled', 'refunded'].includes(r.status)
      ? { invariant: 'orders delivered here were bought upstream', detail: `order ${r.id} is ${r.status}, its purchase upstream ${r.state}` }
      : { invariant: 'orders ended here are not bought upstream', detail: `order ${r.id} is ${r.status}, its purchase upstream ${r.state}` },
  );
}

/**
 * Money moved once per order: every paid (or refunded) order paid from a wallet has exactly one
 * charge, equal to what it records as charged; an order paid outside the wallets has none. A
 * refunded order with a wallet and an amount (paid from it, or paid later and refunded to it as
 * credit) has exactly one refund of as much; any other order none. The unique indexes stop a second entry; this
 * finds a missing or altered one.
 */
/** Providers whose refunds go to the buyer's wallet. */
const REFUNDED_TO_WALLET = new Set(['wallet', 'deferred']);

async function checkOrderCharges(db: Db): Promise<Violation[]> {
  // One pass: each paid order with its charge and refund entries (referenced `order:<id>`).
  const rows = await sql<{ id: string; provider: string; payment_status: string; charged_minor: number | string; wallet_id: number | null; charges: number | string; charged: number | string; refunds: number | string; refunded: number | string }>`
    select o.id, o.payment_provider as provider, o.payment_status, o.charged_minor, o.wallet_id,
      sum(case when l.kind = 'order' then 1 else 0 end) as charges,
      sum(case when l.kind = 'order' then -l.amount_minor else 0 end) as charged,
      sum(case when l.kind = 'refund' then 1 else 0 end) as refunds,
      sum(case when l.kind = 'refund' then l.amount_minor else 0 end) as refunded
    from orders o
    left join ledger_entries l on l.kind in ('order', 'refund') and l.reference = 'order:' || o.id
    where o.payment_status in ('paid', 'refunded')
    group by o.id, o.payment_provider, o.payment_status, o.charged_minor, o.wallet_id`.execute(db);
  const violations: Violation[] = [];
  for (const o of rows.rows) {
    const wallet = o.provider === 'wallet' && Number(o.charged_minor) > 0;
    const expected = wallet ? Number(o.charged_minor) : 0;
    const [charges, charged] = [Number(o.charges), Number(o.charged)];
    if (charges !== (wallet ? 1 : 0) || charged !== expected) {
      violations.push({ invariant: 'paid orders are charged once', detail: `order ${o.id} (${o.provider}) records ${expected} charged; its ledger has ${charges} charge(s) of ${charged}` });
    }
    const refund = o.payment_status === 'refunded' && o.wallet_id !== null && Number(o.charged_minor) > 0 && REFUNDED_TO_WALLET.has(o.provider);
    const [refunds, refunded] = [Number(o.refunds), Number(o.refunded)];
    if (refunds !== (refund ? 1 : 0) || refunded !== (refund ? Number(o.charged_minor) : 0)) {
      violations.push({ invariant: 'refunded orders are refunded once', detail: `order ${o.id} is ${o.payment_status}; its ledger has ${refunds} refund(s) of ${refunded}` });
    }
  }
  return violations;
}

/** Held codes whose order is gone or no longer waiting for its payment or its review (should be none). */
async function countOrphanHolds(db: Db): Promise<number> {
  const held = await countHeldCodesByOrder(db);
  const orderIds = [...held.keys()].filter((id): id is string => id !== null);
  const waiting = new Set<string>();
  // In pieces, so a shop holding codes for many orders stays within any statement's parameter limit.
  for (let at = 0; at < orderIds.length; at += 500) {
    const rows = await db.selectFrom('orders').select('id').where('id', 'in', orderIds.slice(at, at + 500)).where('status', 'in', ['awaiting_payment', 'review']).execute();
    for (const row of rows) waiting.add(row.id);
  }
  let orphans = 0;
  for (const [orderId, count] of held) if (orderId === null || !waiting.has(orderId)) orphans += count;
  return orphans;
}
