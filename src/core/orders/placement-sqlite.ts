// Writing a batch of placements on SQLite: one BEGIN IMMEDIATE … COMMIT, every statement
// prepared once and run synchronously. Synchronous matters: the batch holds the only connection,
// so nothing else waits on a promise chain between its statements.
import type SQLite from 'better-sqlite3';
import type { Db } from '../../db/index.js';
import type { AllocatedItem } from '../inventory/index.js';
import type { PlacementOutcome, PlacementPlan, PlacementWriter } from './placement-batch.js';

const ORDER_COLUMNS = [
  'id', 'number', 'account_id', 'channel', 'client_order_id', 'request_hash', 'product_id', 'quantity', 'unit_price_minor', 'currency',
  'total_minor', 'charged_minor', 'charged_currency', 'fx_rate', 'status', 'payment_status', 'fulfillment', 'wallet_id', 'buyer_name',
  'buyer_email', 'delivery_channel', 'callback_url', 'fields', 'reason', 'expires_at', 'created_at', 'updated_at',
] as const;

function prepareStatements(sqlite: SQLite.Database) {
  return {
    product: sqlite.prepare<[number], { price_minor: number; currency: string; status: string; fulfillment: string; stock_mode: string }>(
      'select price_minor, currency, status, fulfillment, stock_mode from products where id = ?',
    ),
    existing: sqlite.prepare<[number, string], { id: string }>('select id from orders where account_id = ? and client_order_id = ?'),
    available: sqlite.prepare<[number, number], { available: number }>(
      "select count(*) as available from (select 1 from stock_items where product_id = ? and status = 'available' limit ?)",
    ),
    insertOrder: sqlite.prepare(`insert into orders (${ORDER_COLUMNS.join(', ')}) values (${ORDER_COLUMNS.map((c) => '@' + c).join(', ')})`),
    // One code per run: `id = (select … limit 1)` stays a few µs however many codes were sold
    // before, where `id in (select … limit n)` grew slower with every sold row.
    sell: sqlite.prepare<[string, string, number], AllocatedItem>(
      "update stock_items set status = 'sold', order_id = ?, sold_at = ? where id = (select id from stock_items where product_id = ? and status = 'available' order by id limit 1) returning id, code_enc",
    ),
    hold: sqlite.prepare<[string, string | null, number], AllocatedItem>(
      "update stock_items set status = 'reserved', order_id = ?, reserved_until = ? where id = (select id from stock_items where product_id = ? and status = 'available' order by id limit 1) returning id, code_enc",
    ),
    shared: sqlite.prepare<[number], AllocatedItem>("select id, code_enc from stock_items where product_id = ? and status = 'available' order by id desc limit 1"),
    item: sqlite.prepare('insert into order_items (order_id, stock_item_id, created_at) values (?, ?, ?)'),
    event: sqlite.prepare('insert into order_events (order_id, from_status, to_status, reason, actor, created_at) values (?, ?, ?, ?, ?, ?)'),
    debit: sqlite.prepare<[number, string, number, number], { balance_minor: number }>(
      'update wallets set balance_minor = balance_minor - ?, updated_at = ? where id = ? and balance_minor - ? + credit_limit_minor >= 0 returning balance_minor',
    ),
    funds: sqlite.prepare<[number], { available: number; currency: string }>('select balance_minor + credit_limit_minor as available, currency from wallets where id = ?'),
    ledger: sqlite.prepare("insert into ledger_entries (wallet_id, amount_minor, balance_after_minor, kind, reference, memo, actor, created_at) values (?, ?, ?, 'order', ?, null, ?, ?)"),
    countDown: sqlite.prepare('update products set stock_available = stock_available - ? where id = ?'),
  };
}

export function sqlitePlacementWriter(db: Db, sqlite: SQLite.Database): PlacementWriter {
  const s = prepareStatements(sqlite);

  /** Why the order cannot be placed, checked before anything is written; undefined when it can. */
  function refusal(plan: PlacementPlan): PlacementOutcome | undefined {
    const { order } = plan;
    const product = s.product.get(order.product_id);
    if (
      !product ||
      product.status !== 'active' ||
      product.price_minor !== plan.priced.priceMinor ||
      product.currency !== plan.priced.currency ||
      product.fulfillment !== plan.priced.fulfillment ||
      product.stock_mode !== plan.priced.stockMode
    ) {
      return { kind: 'stale' };
    }
    if (order.client_order_id !== null && s.existing.get(order.account_id, order.client_order_id)) return { kind: 'duplicate' };
    if (plan.claim === 'sell' || plan.claim === 'hold') {
      const available = s.available.get(order.product_id, order.quantity)!.available;
      if (available < order.quantity) return { kind: 'out_of_stock', available };
    } else if (plan.claim === 'shared' && !s.shared.get(order.product_id)) {
      return { kind: 'out_of_stock', available: 0 };
    }
    if (plan.debit) {
      const funds = s.funds.get(plan.debit.walletId);
      if (!funds || funds.available < plan.debit.amountMinor) return { kind: 'insufficient_balance', available: funds?.available ?? 0, currency: funds?.currency ?? order.charged_currency };
    }
    return undefined;
  }

  /** The writes of an order that passed its checks. They cannot be refused; a failure is unexpected and undoes the batch. */
  function write(plan: PlacementPlan): AllocatedItem[] {
    const { order } = plan;
    let items: AllocatedItem[] = [];
    if (plan.claim === 'sell' || plan.claim === 'hold') {
      for (let i = 0; i < order.quantity; i++) {
        const item = plan.claim === 'sell' ? s.sell.get(order.id, order.created_at, order.product_id) : s.hold.get(order.id, order.expires_at, order.product_id);
        if (!item) throw new Error(`stock of product ${order.product_id} ran out after it was counted`);
        items.push(item);
      }
    } else if (plan.claim === 'shared') {
      const code = s.shared.get(order.product_id)!;
      items = Array.from({ length: order.quantity }, () => code);
    }
    s.insertOrder.run(order);
    for (const item of items) s.item.run(order.id, item.id, order.created_at);
    for (const event of plan.events) s.event.run(order.id, event.from, event.to, event.reason, event.actor, event.at);
    if (plan.debit) {
      const after = s.debit.get(plan.debit.amountMinor, order.created_at, plan.debit.walletId, plan.debit.amountMinor);
      if (!after) throw new Error(`wallet ${plan.debit.walletId} could not be debited after its funds were checked`);
      s.ledger.run(plan.debit.walletId, -plan.debit.amountMinor, after.balance_minor, `order:${order.id}`, plan.actor, order.created_at);
    }
    if (plan.claim === 'sell' || plan.claim === 'hold') s.countDown.run(order.quantity, order.product_id);
    return items;
  }

  // Checks and writes run in one synchronous pass, so an order's checks see every order of the
  // batch before it and nothing else can write in between: no savepoints needed.
  const writeBatch = sqlite.transaction((plans: PlacementPlan[]): PlacementOutcome[] => plans.map((plan) => refusal(plan) ?? { kind: 'placed', items: write(plan) }));

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
        // only the one that fails answers with an error. A database that stays locked fails all.
        if (plans.length === 1 || (error as { code?: unknown }).code === 'SQLITE_BUSY') throw error;
        return plans.map(writeAlone);
      }
    });
}
