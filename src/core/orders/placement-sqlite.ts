// Writing a batch of placements on SQLite: one BEGIN IMMEDIATE … COMMIT in which the batch reads
// what it needs, is decided in memory (placement-decide.ts) and written, every statement prepared
// once and run synchronously. Synchronous matters: the batch holds the only connection and the
// write lock, so nothing can change between reading and writing, and nothing waits on a promise
// chain between its statements.
import type SQLite from 'better-sqlite3';
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import type { AllocatedItem } from '../inventory/index.js';
import { batchNeeds, decideBatch, referenceKey, type BatchState, type BatchWrites, type BuyerNow, type CouponNow, type ProductNow, type WalletFunds } from './placement-decide.js';
import { WALLET_CHECKOUT_SETTING } from './settings.js';
import type { PlacementOutcome, PlacementPlan, PlacementWriter } from './placement-batch.js';

const ORDER_COLUMNS = [
  'id', 'number', 'account_id', 'channel', 'client_order_id', 'idempotency_key', 'request_hash', 'product_id', 'quantity', 'unit_price_minor', 'currency',
  'total_minor', 'charged_minor', 'charged_currency', 'fx_rate', 'status', 'payment_status', 'fulfillment', 'wallet_id', 'buyer_name',
  'buyer_email', 'delivery_channel', 'callback_url', 'fields', 'reason', 'expires_at', 'created_at', 'updated_at', 'coupon_id', 'discount_minor',
] as const;

function prepareStatements(sqlite: SQLite.Database) {
  return {
    product: sqlite.prepare<[number], ProductNow>('select updated_at, price_minor, currency, status, fulfillment, stock_mode from products where id = ?'),
    buyer: sqlite.prepare<[number], { currency: string; discount_bp: number | null }>(
      'select a.currency, (select t.discount_bp from price_tiers t where t.name = a.tier) as discount_bp from accounts a where a.id = ?',
    ),
    setting: sqlite.prepare<[string], { value: string }>('select value from settings where key = ?'),
    fxRate: sqlite.prepare<[string, string], { rate: string }>('select rate from fx_rates where base = ? and quote = ?'),
    wallet: sqlite.prepare<[number], WalletFunds>('select balance_minor, credit_limit_minor, currency from wallets where id = ?'),
    existing: {
      client_order_id: sqlite.prepare<[number, string], { id: string }>('select id from orders where account_id = ? and client_order_id = ?'),
      idempotency_key: sqlite.prepare<[number, string], { id: string }>('select id from orders where account_id = ? and idempotency_key = ?'),
    },
    pool: sqlite.prepare<[number, number], AllocatedItem>("select id, code_enc from stock_items where product_id = ? and status = 'available' order by id limit ?"),
    shared: sqlite.prepare<[number], AllocatedItem>("select id, code_enc from stock_items where product_id = ? and status = 'available' order by id desc limit 1"),
    sell: sqlite.prepare("update stock_items set status = 'sold', order_id = ?, sold_at = ? where id = ? and status = 'available'"),
    hold: sqlite.prepare("update stock_items set status = 'reserved', order_id = ?, reserved_until = ? where id = ? and status = 'available'"),
    insertOrder: sqlite.prepare(`insert into orders (${ORDER_COLUMNS.join(', ')}) values (${ORDER_COLUMNS.map((c) => '@' + c).join(', ')})`),
    item: sqlite.prepare('insert into order_items (order_id, stock_item_id, created_at) values (?, ?, ?)'),
    event: sqlite.prepare('insert into order_events (order_id, from_status, to_status, reason, actor, created_at) values (?, ?, ?, ?, ?, ?)'),
    debit: sqlite.prepare('update wallets set balance_minor = balance_minor - ?, updated_at = ? where id = ?'),
    ledger: sqlite.prepare("insert into ledger_entries (wallet_id, amount_minor, balance_after_minor, kind, reference, memo, actor, created_at) values (?, ?, ?, 'order', ?, null, ?, ?)"),
    countDown: sqlite.prepare('update products set stock_available = stock_available - ? where id = ?'),
    coupon: sqlite.prepare<[number], CouponNow>('select updated_at, status, used_count, usage_limit, per_customer_limit, starts_at, ends_at from coupons where id = ?'),
    customerUses: sqlite.prepare<[number, string], { uses: number }>(
      'select count(*) as uses from coupon_redemptions where coupon_id = ? and customer_key = ? and released_at is null',
    ),
    redemption: sqlite.prepare(
      'insert into coupon_redemptions (coupon_id, order_id, customer_key, discount_minor, created_at) values (@coupon_id, @order_id, @customer_key, @discount_minor, @created_at)',
    ),
    useCoupon: sqlite.prepare('update coupons set used_count = used_count + ? where id = ?'),
    outbox: sqlite.prepare(
      'insert into outbox_events (event_id, type, account_id, order_id, endpoint_id, callback_url, payload, created_at) values (@event_id, @type, @account_id, @order_id, @endpoint_id, @callback_url, @payload, @created_at)',
    ),
  };
}

export function sqlitePlacementWriter(db: Db, sqlite: SQLite.Database): PlacementWriter {
  const s = prepareStatements(sqlite);

  function readState(plans: PlacementPlan[]): BatchState {
    const needs = batchNeeds(plans);
    const products = new Map<number, ProductNow>();
    for (const id of needs.productIds) {
      const product = s.product.get(id);
      if (product) products.set(id, product);
    }
    const walletCheckout = s.setting.get(WALLET_CHECKOUT_SETTING)?.value !== 'off';
    const buyers = new Map<number, BuyerNow>();
    for (const id of needs.accountIds) {
      const buyer = s.buyer.get(id);
      if (buyer) buyers.set(id, { currency: buyer.currency, discount_bp: buyer.discount_bp ?? 0, wallet_checkout: walletCheckout });
    }
    const fxRates = new Map<string, string>();
    for (const { base, quote } of needs.fxPairs) {
      const rate = s.fxRate.get(base, quote);
      if (rate) fxRates.set(`${base}:${quote}`, rate.rate);
    }
    const wallets = new Map<number, WalletFunds>();
    for (const id of needs.walletIds) {
      const wallet = s.wallet.get(id);
      if (wallet) wallets.set(id, wallet);
    }
    const takenReferences = new Set<string>();
    for (const reference of needs.references) {
      if (s.existing[reference.kind].get(reference.accountId, reference.value)) takenReferences.add(referenceKey(reference));
    }
    const pools = new Map(needs.codes.map(({ productId, quantity }) => [productId, s.pool.all(productId, quantity)]));
    const sharedCodes = new Map(needs.sharedProductIds.map((id) => [id, s.shared.get(id)]));
    const coupons = new Map<number, CouponNow>();
    for (const id of needs.couponIds) {
      const coupon = s.coupon.get(id);
      if (coupon) coupons.set(id, coupon);
    }
    const couponUses = new Map(needs.couponCustomers.map(({ couponId, customerKey }) => [`${couponId}:${customerKey}`, s.customerUses.get(couponId, customerKey)?.uses ?? 0]));
    return { products, buyers, fxRates, wallets, takenReferences, pools, sharedCodes, coupons, couponUses };
  }

  function write(writes: BatchWrites): void {
    for (const order of writes.orders) s.insertOrder.run(order);
    for (const code of writes.claimedCodes) {
      const { changes } = code.hold ? s.hold.run(code.orderId, code.until, code.id) : s.sell.run(code.orderId, code.at, code.id);
      if (changes !== 1) throw new Error(`stock item ${code.id} was no longer available`);
    }
    for (const item of writes.items) s.item.run(item.order_id, item.stock_item_id, item.created_at);
    for (const e of writes.events) s.event.run(e.order_id, e.from_status, e.to_status, e.reason, e.actor, e.created_at);
    const at = writes.orders[0]?.created_at ?? new Date().toISOString();
    // The wallets' CHECK constraint refuses a balance past the credit limit, whatever was decided.
    for (const [walletId, amount] of writes.debits) s.debit.run(amount, at, walletId);
    for (const l of writes.ledger) s.ledger.run(l.wallet_id, l.amount_minor, l.balance_after_minor, l.reference, l.actor, l.created_at);
    for (const [productId, quantity] of writes.counted) s.countDown.run(quantity, productId);
    for (const event of writes.outbox) s.outbox.run(event);
    for (const redemption of writes.redemptions) s.redemption.run(redemption);
    // The coupons' CHECK constraint refuses a count past the usage limit, whatever was decided.
    for (const [couponId, uses] of writes.couponUses) s.useCoupon.run(uses, couponId);
  }

  const writeBatch = sqlite.transaction((plans: PlacementPlan[]): PlacementOutcome[] => {
    const { outcomes, writes } = decideBatch(plans, readState(plans), nowIso());
    write(writes);
    return outcomes;
  });

  const writeAlone = (plan: PlacementPlan): PlacementOutcome => {
    try {
      return writeBatch.immediate([plan])[0]!;
    } catch (error) {
      return { kind: 'failed', error };
    }
  };

  // The Kysely connection is held for the batch, so no Kysely query of this process can slip
  // between its statements; other processes wait on the write lock (busy_timeout).
  return (plans) =>
    db.connection().execute(async () => {
      try {
        return writeBatch.immediate(plans);
      } catch (error) {
        // Something unexpected undid the whole batch: each order is tried again on its own, so
        // only one that fails by itself answers with an error. A database that stays locked fails all.
        if (plans.length === 1 || (error as { code?: unknown }).code === 'SQLITE_BUSY') throw error;
        return plans.map(writeAlone);
      }
    });
}
