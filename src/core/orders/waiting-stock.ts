// Orders that wait for stock. An order paid outside Souk (a Zid customer has already paid the
// store) whose stock cannot cover it is not refused when it asks to wait: placement writes it
// `processing` with no items and a row in order_stock_waits (placeWaitingOrder), and
// fulfilWaitingOrders delivers it once codes arrive, each order in its own transaction, all of its
// quantity or none. Two sweepers never deliver one order twice nor one code twice: each locks the
// order (FOR UPDATE SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite) and checks that it still
// waits, takes codes through inventory's claim (a conditional UPDATE whose count must match what
// was handed out), deletes the wait row (one row, or nothing happened) and moves the order with
// transitionOrder's conditional UPDATE.
import { sql } from 'kysely';
import { sqliteHandleOf, type Db } from '../../db/index.js';
import { findProduct } from '../catalog/index.js';
import { nowIso } from '../clock.js';
import { InvalidState } from '../errors.js';
import { insertOutboxEvents, orderChangedEvents, orderPlacedEvents, wakeDispatchers } from '../events/index.js';
import {
  checkAllClaimed,
  CodeHandout,
  countedStock,
  pgClaimCodes,
  pgStockOnHand,
  sqliteStockClaims,
  stockDemand,
  stockFromRows,
  type StockClaim,
  type StockDemand,
  type StockOnHand,
  type StockRows,
} from '../inventory/index.js';
import type { OrderDeps } from './place-order.js';
import type { OrderRow, PlacementOutcome, PlacementPlan } from './placement-batch.js';
import type { OrderEvent } from './read-orders.js';
import { transitionOrder } from './status.js';

/** The reason of a waiting order's move to processing (its last event while it waits). */
export const WAITING_FOR_STOCK_REASON = 'waiting for stock';
/** Who delivers a waiting order in its events. */
const SWEEPER = 'system:stock';

/**
 * Writes a paid order whose stock ran short as waiting for it, in one transaction: the order
 * `processing` with no items, its events (placed, then waiting for stock), its wait row and its
 * outbox event (order.created, as any order placed into processing). `stale` when the product
 * changed since it was priced (plan it again), `duplicate` when its client_order_id or
 * Idempotency-Key is taken. Apart from the group commit: only orders the batch refused come here.
 */
export async function placeWaitingOrder(db: Db, plan: PlacementPlan): Promise<PlacementOutcome> {
  const order: OrderRow = { ...plan.order, status: 'processing' };
  const placed = plan.events[0]!;
  const events: OrderEvent[] = [placed, { from: 'queued', to: 'processing', reason: WAITING_FOR_STOCK_REASON, actor: plan.actor, at: placed.at }];
  const outcome = await db.transaction().execute(async (tx): Promise<PlacementOutcome> => {
    // The batch found the plan as priced a moment ago; an edit since (an import too) plans it again.
    const product = await findProduct(tx, order.product_id);
    if (product.status !== 'active' || product.fulfillment !== 'stock' || product.updated_at !== plan.priced.updatedAt) return { kind: 'stale' };
    // Either reference taken (before, or by a transaction that committed meanwhile): nothing is inserted.
    const inserted = await tx.insertInto('orders').values(order).onConflict((c) => c.doNothing()).returning('id').execute();
    if (inserted.length === 0) return { kind: 'duplicate' };
    await tx
      .insertInto('order_events')
      .values(events.map((e) => ({ order_id: order.id, from_status: e.from, to_status: e.to, reason: e.reason, actor: e.actor, created_at: e.at })))
      .execute();
    await tx.insertInto('order_stock_waits').values({ order_id: order.id, product_id: order.product_id, quantity: order.quantity, since: order.created_at }).execute();
    const recordedAt = nowIso();
    await insertOutboxEvents(tx, orderPlacedEvents(order).map((e) => ({ ...e, created_at: recordedAt })));
    return { kind: 'placed', items: [] };
  });
  if (outcome.kind === 'placed') wakeDispatchers(db);
  return outcome;
}

/** The order no longer waits (it left processing): its wait row goes. Returns whether it waited. */
export async function stopWaitingForStock(tx: Db, orderId: string): Promise<boolean> {
  const result = await tx.deleteFrom('order_stock_waits').where('order_id', '=', orderId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Per product, the orders waiting for its stock. */
export interface StockWaits {
  product_id: number;
  product_code: string;
  /** Orders waiting. */
  orders: number;
  /** Units those orders wait for, together. */
  units: number;
  /** When the oldest of them started waiting. */
  since: string;
}

async function waitingPerProduct(db: Db, productId?: number): Promise<Array<Omit<StockWaits, 'product_code'>>> {
  let query = db
    .selectFrom('order_stock_waits')
    .select(['product_id', sql<number | string>`count(*)`.as('orders'), sql<number | string>`sum(quantity)`.as('units'), sql<string>`min(since)`.as('since')])
    .groupBy('product_id')
    .orderBy(sql`min(id)`);
  if (productId !== undefined) query = query.where('product_id', '=', productId);
  const rows = await query.execute();
  return rows.map((r) => ({ product_id: r.product_id, orders: Number(r.orders), units: Number(r.units), since: r.since }));
}

/** What waits for stock, per product, the longest-waiting first: for the admin, and the alert that it waits. */
export async function ordersWaitingForStock(db: Db): Promise<StockWaits[]> {
  const waits = await waitingPerProduct(db);
  return Promise.all(waits.map(async (w) => ({ ...w, product_code: (await findProduct(db, w.product_id)).code })));
}

export interface WaitingSweepOptions {
  /** Only orders of this product (stock of it just arrived). */
  productId?: number;
  /** Orders delivered in one call, at most (default 200); the next call goes on. */
  limit?: number;
}

export interface WaitingSweep {
  /** The orders delivered, in the order they were. */
  fulfilled: string[];
  /** Orders still waiting, of those the sweep found. */
  waiting: number;
}

const DEFAULT_SWEEP_LIMIT = 200;
const PAGE = 100;

type WaitRow = { id: number; order_id: string; quantity: number };
type Attempt = { kind: 'fulfilled' } | { kind: 'short'; available: number } | { kind: 'gone' };

/** How a sweep reads and claims codes: inventory's claim, in the dialect's form. */
export interface CodeClaims {
  read(tx: Db, demand: StockDemand): Promise<StockOnHand>;
  claim(tx: Db, handout: CodeHandout): Promise<void>;
}

/** Inventory's claim in the dialect's form (SQLite: on the database's one connection, inside the caller's BEGIN IMMEDIATE). */
export function codeClaims(deps: OrderDeps): CodeClaims {
  if (deps.dialect === 'postgres') {
    return {
      async read(tx, demand) {
        const { rows } = await sql<StockRows>`select ${pgStockOnHand(demand, 'skip')}`.execute(tx);
        return stockFromRows(rows[0]!);
      },
      async claim(tx, handout) {
        const codes = pgClaimCodes(handout);
        const { rows } = await sql<{ claimed: number }>`with claimed as (${codes.claimed}), counted as (${codes.counted}) select count(*)::int as claimed from claimed`.execute(tx);
        checkAllClaimed(rows[0]!.claimed, handout);
      },
    };
  }
  const sqlite = sqliteHandleOf(deps.db);
  if (!sqlite) throw new Error('fulfilWaitingOrders needs the database itself, not a transaction');
  // Run inside the sweep's own BEGIN IMMEDIATE: SQLite has one connection, which that transaction holds.
  const claims = sqliteStockClaims(sqlite);
  return { read: async (_tx, demand) => claims.read(demand), claim: async (_tx, handout) => claims.write(handout) };
}

/** The order, locked, if it still waits; on PostgreSQL an order another transaction holds is left to it. */
async function lockWaitingOrder(tx: Db, deps: OrderDeps, orderId: string) {
  let query = tx
    .selectFrom('orders')
    .innerJoin('order_stock_waits', 'order_stock_waits.order_id', 'orders.id')
    .select([
      'orders.id', 'orders.number', 'orders.account_id', 'orders.client_order_id', 'orders.status', 'orders.product_id', 'orders.quantity', 'orders.charged_minor',
      'orders.charged_currency', 'orders.callback_url', 'orders.created_at', 'orders.updated_at',
    ])
    .where('orders.id', '=', orderId)
    .where('orders.status', '=', 'processing');
  if (deps.dialect === 'postgres') query = query.forUpdate().skipLocked();
  return query.executeTakeFirst();
}

/** One waiting order, in its own transaction: all its codes and its delivery, or nothing. */
async function fulfilOne(deps: OrderDeps, codes: CodeClaims, orderId: string, claim: StockClaim, reason: string): Promise<Attempt> {
  try {
    return await deps.db.transaction().execute(async (tx): Promise<Attempt> => {
      const order = await lockWaitingOrder(tx, deps, orderId);
      if (!order) return { kind: 'gone' };
      const demand = stockDemand([{ productId: order.product_id, quantity: order.quantity, claim }]);
      const handout = new CodeHandout(await codes.read(tx, demand));
      const offered = handout.offer(order.product_id, order.quantity, claim);
      if (!('items' in offered)) return { kind: 'short', available: offered.available };
      const at = nowIso();
      handout.take({ id: order.id, productId: order.product_id, at, until: null }, claim, offered.items);
      await codes.claim(tx, handout);
      await tx.insertInto('order_items').values(offered.items.map((item) => ({ order_id: order.id, stock_item_id: item.id, created_at: at }))).execute();
      if (!(await stopWaitingForStock(tx, order.id))) throw new InvalidState('The order no longer waits for stock.');
      await transitionOrder(tx, order.id, 'processing', 'fulfilled', { actor: SWEEPER, reason });
      await insertOutboxEvents(tx, orderChangedEvents({ ...order, status: 'fulfilled', updated_at: nowIso() }, 'processing', reason));
      return { kind: 'fulfilled' };
    });
  } catch (error) {
    // Moved by someone else meanwhile (SQLite, where nothing is skipped): nothing was written.
    if (error instanceof InvalidState) return { kind: 'gone' };
    throw error;
  }
}

/** The next waiting orders of a product that `left` codes could cover, in arrival order, after `after`. */
async function nextCandidates(db: Db, productId: number, left: number, after: number): Promise<WaitRow[]> {
  return db
    .selectFrom('order_stock_waits')
    .select(['id', 'order_id', 'quantity'])
    .where('product_id', '=', productId)
    .where('id', '>', after)
    .where('quantity', '<=', left)
    .orderBy('id')
    .limit(PAGE)
    .execute();
}

/**
 * Delivers waiting orders that stock now covers: product by product (the one waited for longest
 * first), each product's orders oldest first, each in its own transaction with all of its
 * quantity or none. An order the stock cannot cover keeps waiting and does not hold up younger,
 * smaller ones behind it (so a large order can be overtaken while stock trickles in; it is served
 * as soon as its whole quantity is there when its turn comes). Safe to run in any number of
 * processes at once: no order is delivered twice, no code given twice.
 */
export async function fulfilWaitingOrders(deps: OrderDeps, options: WaitingSweepOptions = {}): Promise<WaitingSweep> {
  const limit = options.limit ?? DEFAULT_SWEEP_LIMIT;
  // The cheap look first: with nothing waiting, this is the sweep.
  const products = await waitingPerProduct(deps.db, options.productId);
  const fulfilled: string[] = [];
  if (products.length === 0) return { fulfilled, waiting: 0 };
  const codes = codeClaims(deps);
  const stock = deps.fulfillment.strategyFor('stock', 'Waiting orders');
  for (const waits of products) {
    if (fulfilled.length >= limit) break;
    const product = await findProduct(deps.db, waits.product_id);
    // A product no longer sold from stock gets no codes here: its orders wait for a person (fulfil by hand, or cancel).
    if (product.fulfillment !== 'stock') continue;
    const claim = stock.claim(product, 'paid');
    // The counter (available codes, those other transactions hold included) bounds what any order can get now; a shared code is not counted.
    let left = countedStock(product) ?? Number.MAX_SAFE_INTEGER;
    let after = 0;
    while (left > 0 && fulfilled.length < limit) {
      const page = await nextCandidates(deps.db, product.id, left, after);
      for (const wait of page) {
        after = wait.id;
        if (wait.quantity > left) continue;
        const attempt = await fulfilOne(deps, codes, wait.order_id, claim, stock.whenPaid.reason);
        if (attempt.kind === 'fulfilled') {
          fulfilled.push(wait.order_id);
          left -= wait.quantity;
        } else if (attempt.kind === 'short') {
          left = attempt.available;
        }
        if (left <= 0 || fulfilled.length >= limit) break;
      }
      if (page.length < PAGE) break;
    }
  }
  if (fulfilled.length > 0) wakeDispatchers(deps.db);
  return { fulfilled, waiting: products.reduce((n, p) => n + p.orders, 0) - fulfilled.length };
}
