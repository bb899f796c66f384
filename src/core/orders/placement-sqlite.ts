// Writing a batch of placements on SQLite: one BEGIN IMMEDIATE … COMMIT, each order in a
// savepoint, every statement prepared once and run synchronously. Synchronous matters: the batch
// holds the only connection, so nothing else waits on a promise chain between its statements.
import type SQLite from 'better-sqlite3';
import type { Db } from '../../db/index.js';
import type { AllocatedItem } from '../inventory/index.js';
import { isUniqueViolation } from './unique-violation.js';
import type { PlacementOutcome, PlacementPlan, PlacementWriter } from './placement-batch.js';

/** Thrown inside an order's savepoint to roll back just that order. */
class OrderRefused extends Error {
  constructor(readonly outcome: PlacementOutcome) {
    super(outcome.kind);
  }
}

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
    insertOrder: sqlite.prepare(`insert into orders (${ORDER_COLUMNS.join(', ')}) values (${ORDER_COLUMNS.map((c) => '@' + c).join(', ')})`),
    sell: sqlite.prepare<[string, string, number, number], AllocatedItem>(
      "update stock_items set status = 'sold', order_id = ?, sold_at = ? where id in (select id from stock_items where product_id = ? and status = 'available' order by id limit ?) returning id, code_enc",
    ),
    hold: sqlite.prepare<[string, string | null, number, number], AllocatedItem>(
      "update stock_items set status = 'reserved', order_id = ?, reserved_until = ? where id in (select id from stock_items where product_id = ? and status = 'available' order by id limit ?) returning id, code_enc",
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

  function writeOne(plan: PlacementPlan): AllocatedItem[] {
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
      throw new OrderRefused({ kind: 'stale' });
    }
    try {
      s.insertOrder.run(order);
    } catch (error) {
      if (order.client_order_id !== null && isUniqueViolation(error, 'client_order_id')) throw new OrderRefused({ kind: 'duplicate' });
      throw error;
    }
    let items: AllocatedItem[] = [];
    if (plan.claim === 'sell' || plan.claim === 'hold') {
      items = plan.claim === 'sell' ? s.sell.all(order.id, order.created_at, order.product_id, order.quantity) : s.hold.all(order.id, order.expires_at, order.product_id, order.quantity);
      if (items.length < order.quantity) throw new OrderRefused({ kind: 'out_of_stock', available: items.length });
      items.sort((a, b) => a.id - b.id);
    } else if (plan.claim === 'shared') {
      const code = s.shared.get(order.product_id);
      if (!code) throw new OrderRefused({ kind: 'out_of_stock', available: 0 });
      items = Array.from({ length: order.quantity }, () => code);
    }
    for (const item of items) s.item.run(order.id, item.id, order.created_at);
    for (const event of plan.events) s.event.run(order.id, event.from, event.to, event.reason, event.actor, event.at);
    if (plan.debit) {
      const after = s.debit.get(plan.debit.amountMinor, order.created_at, plan.debit.walletId, plan.debit.amountMinor);
      if (!after) {
        const funds = s.funds.get(plan.debit.walletId);
        throw new OrderRefused({ kind: 'insufficient_balance', available: funds?.available ?? 0, currency: funds?.currency ?? order.charged_currency });
      }
      s.ledger.run(plan.debit.walletId, -plan.debit.amountMinor, after.balance_minor, `order:${order.id}`, plan.actor, order.created_at);
    }
    if (plan.claim === 'sell' || plan.claim === 'hold') s.countDown.run(order.quantity, order.product_id);
    return items;
  }

  // better-sqlite3 runs a transaction function called inside another as a savepoint.
  const inSavepoint = sqlite.transaction(writeOne);
  const writeBatch = sqlite.transaction((plans: PlacementPlan[]): PlacementOutcome[] =>
    plans.map((plan) => {
      try {
        return { kind: 'placed', items: inSavepoint(plan) };
      } catch (error) {
        return error instanceof OrderRefused ? error.outcome : { kind: 'failed', error };
      }
    }),
  );

  // The Kysely connection is held for the batch, so no Kysely query of this process can slip
  // between its statements; other processes wait on the write lock (busy_timeout).
  return (plans) => db.connection().execute(async () => writeBatch.immediate(plans));
}
