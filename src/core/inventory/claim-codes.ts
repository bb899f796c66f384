// Never oversell: how an order takes codes from stock. Everything that guarantees it is in this
// file, for both databases:
// - a batch reads each product's next available codes (on PostgreSQL locked FOR UPDATE SKIP
//   LOCKED, so another process's batch takes the codes after them instead of waiting);
// - CodeHandout gives them out in order, each order seeing what the ones before it took, and
//   refuses an order the codes left cannot cover;
// - the claim is a conditional UPDATE (`where status = 'available'`) whose count must equal the
//   codes handed out, or the whole batch is undone;
// - the product's stock counter goes down by as much, and its CHECK (stock_available >= 0) holds.
// Placement (core/orders/placement-*.ts) composes these parts into its one transaction.
import type SQLite from 'better-sqlite3';
import { sql, type RawBuilder } from 'kysely';
import type { AllocatedItem } from './allocate.js';

/** How an order takes its goods: nothing, unique codes sold now, unique codes held until it is paid, or the product's one shared code. */
export type StockClaim = 'none' | 'sell' | 'hold' | 'shared';

/** What a batch of orders could take from stock: the most codes of each unique-mode product, and the shared-mode products. */
export interface StockDemand {
  /** Ascending by product, so two batches lock codes in the same order. */
  codes: Array<{ productId: number; quantity: number }>;
  sharedProductIds: number[];
}

/** The stock a batch found, read in its transaction. */
export interface StockOnHand {
  /** Per unique-mode product: its next available codes, as many as the batch could take at most. */
  pools: Map<number, AllocatedItem[]>;
  /** Per shared-mode product: the code every buyer gets, if there is one. */
  shared: Map<number, AllocatedItem | undefined>;
}

/** One code taken by an order: sold at once, or held until `until`. */
export interface CodeClaim {
  id: number;
  orderId: string;
  hold: boolean;
  at: string;
  until: string | null;
}

/** The stock a batch's orders ask for, from each order's product, quantity and claim. */
export function stockDemand(orders: Iterable<{ productId: number; quantity: number; claim: StockClaim }>): StockDemand {
  const codes = new Map<number, number>();
  const shared = new Set<number>();
  for (const { productId, quantity, claim } of orders) {
    if (claim === 'sell' || claim === 'hold') codes.set(productId, (codes.get(productId) ?? 0) + quantity);
    else if (claim === 'shared') shared.add(productId);
  }
  return { codes: [...codes].sort(([a], [b]) => a - b).map(([productId, quantity]) => ({ productId, quantity })), sharedProductIds: [...shared] };
}

/**
 * Hands a batch's codes out, order after order, exactly as if each order had its own
 * transaction. `offer` decides without taking; `take` records a placed order's codes.
 */
export class CodeHandout {
  readonly claims: CodeClaim[] = [];
  /** Unique-mode products and how many codes the batch took of each: their counters go down by as much. */
  readonly counted = new Map<number, number>();
  private readonly handedOut = new Map<number, number>();

  constructor(private readonly stock: StockOnHand) {}

  /** The codes an order would get, or how many are left for it when that is not enough. */
  offer(productId: number, quantity: number, claim: StockClaim): { items: AllocatedItem[] } | { available: number } {
    if (claim === 'none') return { items: [] };
    if (claim === 'shared') {
      const code = this.stock.shared.get(productId);
      return code ? { items: Array.from({ length: quantity }, () => code) } : { available: 0 };
    }
    const pool = this.stock.pools.get(productId) ?? [];
    const from = this.handedOut.get(productId) ?? 0;
    if (pool.length - from < quantity) return { available: pool.length - from };
    return { items: pool.slice(from, from + quantity) };
  }

  /** Takes the codes `offer` gave a placed order. */
  take(order: { id: string; productId: number; at: string; until: string | null }, claim: StockClaim, items: AllocatedItem[]): void {
    if (claim !== 'sell' && claim !== 'hold') return;
    this.handedOut.set(order.productId, (this.handedOut.get(order.productId) ?? 0) + items.length);
    this.counted.set(order.productId, (this.counted.get(order.productId) ?? 0) + items.length);
    for (const item of items) this.claims.push({ id: item.id, orderId: order.id, hold: claim === 'hold', at: order.at, until: order.until });
  }
}

/** The claim on SQLite: statements prepared once, run inside placement's BEGIN IMMEDIATE (which is the lock). */
export function sqliteStockClaims(sqlite: SQLite.Database) {
  const pool = sqlite.prepare<[number, number], AllocatedItem>("select id, code_enc from stock_items where product_id = ? and status = 'available' order by id limit ?");
  const shared = sqlite.prepare<[number], AllocatedItem>("select id, code_enc from stock_items where product_id = ? and status = 'available' order by id desc limit 1");
  const sell = sqlite.prepare("update stock_items set status = 'sold', order_id = ?, sold_at = ? where id = ? and status = 'available'");
  const hold = sqlite.prepare("update stock_items set status = 'reserved', order_id = ?, reserved_until = ? where id = ? and status = 'available'");
  const countDown = sqlite.prepare('update products set stock_available = stock_available - ? where id = ?');
  return {
    /** The stock the demand could take, as it is now. */
    read(demand: StockDemand): StockOnHand {
      return {
        pools: new Map(demand.codes.map(({ productId, quantity }) => [productId, pool.all(productId, quantity)])),
        shared: new Map(demand.sharedProductIds.map((id) => [id, shared.get(id)])),
      };
    },
    /** Claims what was handed out; a code no longer available throws, undoing the batch. */
    write(handout: CodeHandout): void {
      for (const code of handout.claims) {
        const { changes } = code.hold ? hold.run(code.orderId, code.until, code.id) : sell.run(code.orderId, code.at, code.id);
        if (changes !== 1) throw new Error(`stock item ${code.id} was no longer available`);
      }
      // The products' CHECK (stock_available >= 0) refuses a counter below zero, whatever was decided.
      for (const [productId, quantity] of handout.counted) countDown.run(quantity, productId);
    },
  };
}

/**
 * How PostgreSQL locks the codes it reads: `skip` (FOR UPDATE SKIP LOCKED), so batches of other
 * processes take the codes after them; `wait` (FOR UPDATE), for an order that found every code it
 * needed locked by another batch, which may yet leave them unsold.
 */
export type CodeLocking = 'skip' | 'wait';

/** Rows of pgStockOnHand's two columns. */
export interface StockRows {
  pools: Array<{ product_id: number; id: number; code_enc: string }>;
  shared: Array<{ product_id: number; id: number; code_enc: string }>;
}

/**
 * The two jsonb columns (`pools`, `shared`) of a batch's state query that read, and lock, the
 * demand's codes. Placed after the wallets in that query: every placement locks wallets first.
 */
export function pgStockOnHand(demand: StockDemand, locking: CodeLocking): RawBuilder<unknown> {
  const lock = locking === 'skip' ? sql`for update skip locked` : sql`for update`;
  // `nulls first`: an order only stock_items_pick gives, so the planner never walks the primary key
  // past every code sold so far (migration 0022). A shared product's newest code is that index read
  // backwards, one product at a time: placement plans this once for any products (db/index.ts), and
  // such a plan for `product_id = any(...)` read the whole table.
  return sql`
      (select coalesce(jsonb_agg(c order by c.product_id, c.id), '[]') from (
         select w.product_id, s.id, s.code_enc
         from unnest(${demand.codes.map((c) => c.productId)}::int[], ${demand.codes.map((c) => c.quantity)}::int[]) as w(product_id, quantity)
         cross join lateral (
           select s.id, s.code_enc from stock_items s where s.product_id = w.product_id and s.status = 'available' order by s.id nulls first limit w.quantity ${lock}) s) c) as pools,
      (select coalesce(jsonb_agg(c), '[]') from (
         select p.product_id, s.id, s.code_enc
         from unnest(${demand.sharedProductIds}::int[]) as p(product_id)
         cross join lateral (
           select s.id, s.code_enc from stock_items s where s.product_id = p.product_id and s.status = 'available' order by s.id desc nulls last limit 1) s) c) as shared`;
}

/** The stock read by pgStockOnHand. */
export function stockFromRows(rows: StockRows): StockOnHand {
  const pools = new Map<number, AllocatedItem[]>();
  for (const code of rows.pools) {
    const pool = pools.get(code.product_id) ?? [];
    pool.push({ id: Number(code.id), code_enc: code.code_enc });
    pools.set(code.product_id, pool);
  }
  return { pools, shared: new Map(rows.shared.map((c) => [c.product_id, { id: Number(c.id), code_enc: c.code_enc }])) };
}

/** The CTE bodies of placement's one write statement: `claimed` (returning 1 per code taken) and the counters. */
export function pgClaimCodes(handout: CodeHandout): { claimed: RawBuilder<unknown>; counted: RawBuilder<unknown> } {
  const counted = [...handout.counted].map(([id, quantity]) => ({ id, quantity }));
  return {
    claimed: sql`
        update stock_items s set
          status = case when x.hold then 'reserved' else 'sold' end,
          order_id = x."orderId",
          sold_at = case when x.hold then null else x.at end,
          reserved_until = case when x.hold then x.until else null end
        from jsonb_to_recordset(${JSON.stringify(handout.claims)}::jsonb) as x(id bigint, "orderId" text, hold boolean, at text, until text)
        -- By key as well as by the join: planned once for any values, the join alone could read every code.
        where s.id = x.id and s.id = any(${handout.claims.map((c) => c.id)}::bigint[]) and s.status = 'available'
        returning 1`,
    counted: sql`
        update products p set stock_available = p.stock_available - x.quantity
        from jsonb_to_recordset(${JSON.stringify(counted)}::jsonb) as x(id int, quantity int) where p.id = x.id and p.id = any(${counted.map((c) => c.id)}::int[])`,
  };
}

/** The codes were locked when read: every one handed out must have been claimed, or the batch is undone. */
export function checkAllClaimed(claimed: number, handout: CodeHandout): void {
  if (claimed !== handout.claims.length) throw new Error(`claimed ${claimed} of ${handout.claims.length} locked codes`);
}

/**
 * Whether a refusal for want of codes is not the last word on PostgreSQL: the product's counter
 * (committed available codes, locked ones included) says enough codes exist that other batches
 * held locked, and those batches may yet leave them unsold.
 */
export function lockedByOthers(counter: number | undefined, stock: StockOnHand, productId: number, quantity: number): boolean {
  return (counter ?? 0) - (stock.pools.get(productId)?.length ?? 0) >= quantity;
}
