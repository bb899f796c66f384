// Writing a batch of placements on SQLite: one BEGIN IMMEDIATE … COMMIT in which the batch reads
// what it needs, is decided in memory (placement-decide.ts) and written, every statement prepared
// once and run synchronously. Synchronous matters: the batch holds the only connection and the
// write lock, so nothing can change between reading and writing, and nothing waits on a promise
// chain between its statements.
import type SQLite from 'better-sqlite3';
import type { Db } from '../../db/index.js';
import { ORDER_COLUMNS } from '../../db/schema.js';
import { sqliteBuyersNow } from '../accounts/index.js';
import { sqliteProductsNow } from '../catalog/index.js';
import { nowIso } from '../clock.js';
import { sqliteCouponRedemptions } from '../coupons/index.js';
import { sqliteOutboxWriter } from '../events/index.js';
import { sqliteStockClaims } from '../inventory/index.js';
import { sqliteRatesNow, sqliteWalletCharges } from '../wallets/index.js';
import { batchNeeds, decideBatch, referenceKey, type BatchState, type BatchWrites } from './placement-decide.js';
import { WALLET_CHECKOUT_SETTING } from './settings.js';
import type { PlacementExtension, PlacementOutcome, PlacementPlan, PlacementWriter } from './placement-batch.js';

/** The order that already holds a reference (client_order_id, Idempotency-Key) of the account, by its unique index. */
export const SQLITE_REFERENCE_LOOKUPS = {
  client_order_id: 'select id from orders where account_id = ? and client_order_id = ?',
  idempotency_key: 'select id from orders where account_id = ? and idempotency_key = ?',
} as const;

/** Orders' own statements: the order, its items and events, and the references already taken. */
function prepareOrderStatements(sqlite: SQLite.Database) {
  return {
    setting: sqlite.prepare<[string], { value: string }>('select value from settings where key = ?'),
    existing: {
      client_order_id: sqlite.prepare<[number, string], { id: string }>(SQLITE_REFERENCE_LOOKUPS.client_order_id),
      idempotency_key: sqlite.prepare<[number, string], { id: string }>(SQLITE_REFERENCE_LOOKUPS.idempotency_key),
    },
    insertOrder: sqlite.prepare(`insert into orders (${ORDER_COLUMNS.join(', ')}) values (${ORDER_COLUMNS.map((c) => '@' + c).join(', ')})`),
    item: sqlite.prepare('insert into order_items (order_id, stock_item_id, created_at) values (?, ?, ?)'),
    event: sqlite.prepare('insert into order_events (order_id, from_status, to_status, reason, actor, created_at) values (?, ?, ?, ?, ?, ?)'),
  };
}

export function sqlitePlacementWriter(db: Db, sqlite: SQLite.Database, extensions: readonly PlacementExtension[] = []): PlacementWriter {
  const s = prepareOrderStatements(sqlite);
  const extensionWriters = extensions.map((extension) => ({ name: extension.name, write: extension.sqliteWriter(sqlite) }));
  const productsNow = sqliteProductsNow(sqlite);
  const buyersNow = sqliteBuyersNow(sqlite);
  const ratesNow = sqliteRatesNow(sqlite);
  const stock = sqliteStockClaims(sqlite);
  const wallets = sqliteWalletCharges(sqlite);
  const coupons = sqliteCouponRedemptions(sqlite);
  const writeOutbox = sqliteOutboxWriter(sqlite);

  function readState(plans: PlacementPlan[]): BatchState {
    const needs = batchNeeds(plans);
    const walletCheckout = s.setting.get(WALLET_CHECKOUT_SETTING)?.value !== 'off';
    const buyers = new Map([...buyersNow(needs.accountIds)].map(([id, terms]) => [id, { ...terms, wallet_checkout: walletCheckout }]));
    const takenReferences = new Set<string>();
    for (const reference of needs.references) {
      if (s.existing[reference.kind].get(reference.accountId, reference.value)) takenReferences.add(referenceKey(reference));
    }
    const onHand = stock.read(needs.stock);
    const couponsNow = coupons.read(needs.coupons);
    return {
      products: productsNow(needs.productIds),
      buyers,
      fxRates: ratesNow(needs.fxPairs),
      wallets: wallets.read(needs.walletIds),
      takenReferences,
      pools: onHand.pools,
      sharedCodes: onHand.shared,
      coupons: couponsNow.coupons,
      couponUses: couponsNow.uses,
    };
  }

  function write(writes: BatchWrites): void {
    for (const order of writes.orders) s.insertOrder.run(order);
    stock.write(writes.stock);
    for (const item of writes.items) s.item.run(item.order_id, item.stock_item_id, item.created_at);
    for (const e of writes.events) s.event.run(e.order_id, e.from_status, e.to_status, e.reason, e.actor, e.created_at);
    wallets.write(writes.charges, writes.orders[0]?.created_at ?? nowIso());
    writeOutbox(writes.outbox);
    coupons.write(writes.coupons);
    for (const extension of extensionWriters) {
      const rows = writes.writtenWith.get(extension.name);
      if (rows?.length) extension.write(rows);
    }
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
