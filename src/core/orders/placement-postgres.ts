// Writing a batch of placements on PostgreSQL, in one transaction and four round trips whatever
// its size: begin, read and lock what the batch needs (one query), decide in memory
// (placement-decide.ts), write everything in one statement, commit. An order refused only because
// another process's batch held the codes is tried again alone, waiting for them (writeLockedOut). The statements
// are named (prepared once per connection): parsing and planning these large queries on every
// batch cost more than running them.
import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { onPooledConnection, preparedRunner, type Db, type PlacementConnections, type PreparedRunner } from '../../db/index.js';
import { nowIso } from '../clock.js';
import type { AllocatedItem } from '../inventory/index.js';
import { batchNeeds, decideBatch, referenceKey, type BatchState, type OrderReference, type BatchWrites, type BuyerNow, type CouponNow, type ProductNow, type WalletFunds } from './placement-decide.js';
import { WALLET_CHECKOUT_SETTING } from './settings.js';
import type { PlacementOutcome, PlacementPlan, PlacementWriter } from './placement-batch.js';

/** One connection inside the batch's transaction, running named statements built with `compiler`. */
class Session {
  private readonly run: PreparedRunner;

  constructor(
    private readonly compiler: Db,
    client: pg.PoolClient,
  ) {
    this.run = preparedRunner(client);
  }

  rows<R>(name: string, query: RawBuilder<R>): Promise<R[]> {
    return this.run.rows(`placement_${name}`, { compile: () => query.compile(this.compiler) });
  }
}

interface StateRow {
  wallets: Array<WalletFunds & { id: number }>;
  products: Array<ProductNow & { id: number; stock_available: number }>;
  buyers: Array<BuyerNow & { id: number }>;
  rates: Array<{ base: string; quote: string; rate: string }>;
  taken: Array<{ account_id: number; kind: OrderReference['kind']; value: string }>;
  pools: Array<{ product_id: number; id: number; code_enc: string }>;
  shared: Array<{ product_id: number; id: number; code_enc: string }>;
}

/**
 * How codes are locked: `skip`, FOR UPDATE SKIP LOCKED, so batches of other processes take the
 * codes after them instead of waiting; `wait`, FOR UPDATE, for an order that found every code it
 * needed locked by another process's batch (which may yet leave them unsold).
 */
type CodeLocking = 'skip' | 'wait';

interface ReadState {
  state: BatchState;
  /** Each product's stock counter as read: committed available codes, locked ones included. */
  counters: Map<number, number>;
}

/**
 * One query for the whole state. Wallets are locked FOR UPDATE in id order (two processes' batches
 * then cannot deadlock on them), before any code; each product's next codes are locked as
 * `locking` says.
 */
async function readState(tx: Session, plans: PlacementPlan[], locking: CodeLocking): Promise<ReadState> {
  const needs = batchNeeds(plans);
  // One arm per unique index, each probing its own (a single join with an OR could not).
  const clientOrderIds = needs.references.filter((r) => r.kind === 'client_order_id');
  const idempotencyKeys = needs.references.filter((r) => r.kind === 'idempotency_key');
  const lockCodes = locking === 'skip' ? sql`for update skip locked` : sql`for update`;
  const [row] = await tx.rows(locking === 'skip' ? 'read_state' : 'read_state_waiting', sql<StateRow>`
    select
      (select coalesce(jsonb_agg(w order by w.id), '[]') from (
         select id, balance_minor, credit_limit_minor, currency from wallets where id = any(${needs.walletIds}::bigint[]) order by id for update) w) as wallets,
      (select coalesce(jsonb_agg(p), '[]') from (
         select id, updated_at, price_minor, currency, status, fulfillment, stock_mode, stock_available from products where id = any(${needs.productIds}::int[])) p) as products,
      (select coalesce(jsonb_agg(b), '[]') from (
         select a.id, a.currency, coalesce((select t.discount_bp from price_tiers t where t.name = a.tier), 0) as discount_bp,
                coalesce((select value from settings where key = ${WALLET_CHECKOUT_SETTING}), 'on') <> 'off' as wallet_checkout
         from accounts a where a.id = any(${needs.accountIds}::int[])) b) as buyers,
      (select coalesce(jsonb_agg(r), '[]') from (
         select base, quote, rate from fx_rates
         where (base, quote) in (select * from unnest(${needs.fxPairs.map((f) => f.base)}::text[], ${needs.fxPairs.map((f) => f.quote)}::text[]))) r) as rates,
      (select coalesce(jsonb_agg(t), '[]') from (
         select account_id, 'client_order_id' as kind, client_order_id as value from orders
         where (account_id, client_order_id) in (select * from unnest(${clientOrderIds.map((r) => r.accountId)}::int[], ${clientOrderIds.map((r) => r.value)}::text[]))
         union all
         select account_id, 'idempotency_key', idempotency_key from orders
         where (account_id, idempotency_key) in (select * from unnest(${idempotencyKeys.map((r) => r.accountId)}::int[], ${idempotencyKeys.map((r) => r.value)}::text[]))) t) as taken,
      (select coalesce(jsonb_agg(c order by c.product_id, c.id), '[]') from (
         select w.product_id, s.id, s.code_enc
         from unnest(${needs.codes.map((c) => c.productId)}::int[], ${needs.codes.map((c) => c.quantity)}::int[]) as w(product_id, quantity)
         cross join lateral (
           select s.id, s.code_enc from stock_items s where s.product_id = w.product_id and s.status = 'available' order by s.id limit w.quantity ${lockCodes}) s) c) as pools,
      (select coalesce(jsonb_agg(c), '[]') from (
         select distinct on (product_id) product_id, id, code_enc from stock_items
         where product_id = any(${needs.sharedProductIds}::int[]) and status = 'available' order by product_id, id desc) c) as shared
  `);
  if (!row) throw new Error('the batch state query returned no row');
  const pools = new Map<number, AllocatedItem[]>();
  for (const code of row.pools) {
    const pool = pools.get(code.product_id) ?? [];
    pool.push({ id: Number(code.id), code_enc: code.code_enc });
    pools.set(code.product_id, pool);
  }
  const { coupons, couponUses } = await readCoupons(tx, needs.couponIds, needs.couponCustomers);
  const counters = new Map(row.products.map((p) => [p.id, Number(p.stock_available)]));
  const state: BatchState = {
    coupons,
    couponUses,
    wallets: new Map(row.wallets.map((w) => [Number(w.id), { balance_minor: Number(w.balance_minor), credit_limit_minor: Number(w.credit_limit_minor), currency: w.currency }])),
    products: new Map(row.products.map((p) => [p.id, { ...p, price_minor: Number(p.price_minor) }])),
    buyers: new Map(row.buyers.map((b) => [b.id, { currency: b.currency, discount_bp: Number(b.discount_bp), wallet_checkout: b.wallet_checkout }])),
    fxRates: new Map(row.rates.map((r) => [`${r.base}:${r.quote}`, r.rate])),
    takenReferences: new Set(row.taken.map((t) => referenceKey({ accountId: t.account_id, kind: t.kind, value: t.value }))),
    pools,
    sharedCodes: new Map(row.shared.map((c) => [c.product_id, { id: Number(c.id), code_enc: c.code_enc }])),
  };
  return { state, counters };
}

/**
 * The batch's coupons, locked FOR UPDATE in id order after the wallets (every writer of coupon
 * uses locks in that order), with each customer's standing uses. Only batches with coupons pay
 * for this round trip.
 */
async function readCoupons(tx: Session, ids: number[], customers: Array<{ couponId: number; customerKey: string }>): Promise<Pick<BatchState, 'coupons' | 'couponUses'>> {
  if (ids.length === 0) return { coupons: new Map(), couponUses: new Map() };
  const rows = await tx.rows('read_coupons', sql<CouponNow & { id: number }>`
    select id, updated_at, status, used_count, usage_limit, per_customer_limit, starts_at, ends_at from coupons where id = any(${ids}::int[]) order by id for update
  `);
  const uses = await tx.rows('read_coupon_uses', sql<{ coupon_id: number; customer_key: string; uses: number }>`
    select r.coupon_id, r.customer_key, count(*)::int as uses from coupon_redemptions r
    where (r.coupon_id, r.customer_key) in (select * from unnest(${customers.map((c) => c.couponId)}::int[], ${customers.map((c) => c.customerKey)}::text[]))
      and r.released_at is null
    group by r.coupon_id, r.customer_key
  `);
  return {
    coupons: new Map(rows.map((c) => [Number(c.id), c])),
    couponUses: new Map(uses.map((u) => [`${u.coupon_id}:${u.customer_key}`, u.uses])),
  };
}

/** Records the batch's coupon uses; the coupons' CHECK constraint refuses a count past a usage limit. */
async function writeRedemptions(tx: Session, writes: BatchWrites): Promise<void> {
  if (writes.redemptions.length === 0) return;
  const uses = [...writes.couponUses].map(([id, count]) => ({ id, count }));
  await tx.rows('write_redemptions', sql`
    with
      redeemed as (
        insert into coupon_redemptions (coupon_id, order_id, customer_key, discount_minor, created_at)
        select x.coupon_id, x.order_id, x.customer_key, x.discount_minor, x.created_at
        from jsonb_to_recordset(${JSON.stringify(writes.redemptions)}::jsonb) as x(coupon_id int, order_id text, customer_key text, discount_minor bigint, created_at text))
    update coupons c set used_count = c.used_count + x.count
    from jsonb_to_recordset(${JSON.stringify(uses)}::jsonb) as x(id int, count int) where c.id = x.id
  `);
}

/** A reference (client_order_id, Idempotency-Key) of the batch was taken by a transaction that committed after the batch read. */
class ConcurrentDuplicate extends Error {}

/**
 * The whole batch's writes in one statement (one round trip); the foreign keys are checked at its
 * end. A reference (client_order_id, Idempotency-Key) taken by a transaction that committed after the batch read makes its
 * order's insert do nothing: what hangs on that order is left out too (so no foreign key fails
 * first), the counts show it, and the batch is rolled back and retried order by order.
 */
async function writeOrders(tx: Session, writes: BatchWrites, at: string): Promise<void> {
  const debits = [...writes.debits].map(([id, amount]) => ({ id, amount }));
  const counted = [...writes.counted].map(([id, quantity]) => ({ id, quantity }));
  const [written] = await tx.rows('write_orders', sql<{ inserted: number; claimed: number }>`
    with
      inserted as (
        insert into orders (id, number, account_id, channel, client_order_id, idempotency_key, request_hash, product_id, quantity, unit_price_minor, currency,
          total_minor, charged_minor, charged_currency, fx_rate, status, payment_status, fulfillment, wallet_id, buyer_name, buyer_email,
          delivery_channel, callback_url, fields, reason, expires_at, created_at, updated_at, coupon_id, discount_minor)
        select x.id, x.number, x.account_id, x.channel, x.client_order_id, x.idempotency_key, x.request_hash, x.product_id, x.quantity, x.unit_price_minor, x.currency,
          x.total_minor, x.charged_minor, x.charged_currency, x.fx_rate, x.status, x.payment_status, x.fulfillment, x.wallet_id, x.buyer_name,
          x.buyer_email, x.delivery_channel, x.callback_url, x.fields, x.reason, x.expires_at, x.created_at, x.updated_at, x.coupon_id, x.discount_minor
        from jsonb_to_recordset(${JSON.stringify(writes.orders)}::jsonb) as x(id text, number text, account_id int, channel text, client_order_id text,
          idempotency_key text, request_hash text, product_id int, quantity int, unit_price_minor bigint, currency text, total_minor bigint, charged_minor bigint,
          charged_currency text, fx_rate text, status text, payment_status text, fulfillment text, wallet_id bigint, buyer_name text, buyer_email text,
          delivery_channel text, callback_url text, fields text, reason text, expires_at text, created_at text, updated_at text,
          coupon_id int, discount_minor bigint)
        -- Either reference (client_order_id, idempotency_key) taken meanwhile: the insert comes up short.
        on conflict do nothing
        returning id),
      claimed as (
        update stock_items s set
          status = case when x.hold then 'reserved' else 'sold' end,
          order_id = x."orderId",
          sold_at = case when x.hold then null else x.at end,
          reserved_until = case when x.hold then x.until else null end
        from jsonb_to_recordset(${JSON.stringify(writes.claimedCodes)}::jsonb) as x(id bigint, "orderId" text, hold boolean, at text, until text)
        where s.id = x.id and s.status = 'available'
        returning 1),
      items as (
        insert into order_items (order_id, stock_item_id, created_at)
        select x.order_id, x.stock_item_id, x.created_at from jsonb_to_recordset(${JSON.stringify(writes.items)}::jsonb) as x(order_id text, stock_item_id bigint, created_at text)
        where x.order_id in (select id from inserted)),
      events as (
        insert into order_events (order_id, from_status, to_status, reason, actor, created_at)
        select x.order_id, x.from_status, x.to_status, x.reason, x.actor, x.created_at
        from jsonb_to_recordset(${JSON.stringify(writes.events)}::jsonb) as x(order_id text, from_status text, to_status text, reason text, actor text, created_at text)
        where x.order_id in (select id from inserted)),
      debited as (
        update wallets w set balance_minor = w.balance_minor - x.amount, updated_at = ${at}
        from jsonb_to_recordset(${JSON.stringify(debits)}::jsonb) as x(id bigint, amount bigint) where w.id = x.id),
      ledger as (
        insert into ledger_entries (wallet_id, amount_minor, balance_after_minor, kind, reference, memo, actor, created_at)
        select x.wallet_id, x.amount_minor, x.balance_after_minor, 'order', x.reference, null, x.actor, x.created_at
        from jsonb_to_recordset(${JSON.stringify(writes.ledger)}::jsonb) as x(wallet_id bigint, amount_minor bigint, balance_after_minor bigint, reference text, actor text, created_at text)),
      counted as (
        update products p set stock_available = p.stock_available - x.quantity
        from jsonb_to_recordset(${JSON.stringify(counted)}::jsonb) as x(id int, quantity int) where p.id = x.id),
      outbox as (
        insert into outbox_events (event_id, type, account_id, order_id, endpoint_id, callback_url, payload, created_at)
        select x.event_id, x.type, x.account_id, x.order_id, x.endpoint_id, x.callback_url, x.payload, x.created_at
        from jsonb_to_recordset(${JSON.stringify(writes.outbox)}::jsonb)
          as x(event_id text, type text, account_id int, order_id text, endpoint_id text, callback_url text, payload text, created_at text))
    select (select count(*)::int from inserted) as inserted, (select count(*)::int from claimed) as claimed
  `);
  if (written?.inserted !== writes.orders.length) throw new ConcurrentDuplicate();
  // The codes were locked when read; all of them must have been taken.
  if (written.claimed !== writes.claimedCodes.length) throw new Error(`claimed ${written.claimed} of ${writes.claimedCodes.length} locked codes`);
}

interface WrittenBatch {
  outcomes: PlacementOutcome[];
  /**
   * Orders refused out_of_stock while enough committed codes were left that other batches held
   * locked: those batches may yet leave them unsold, so the refusal is not the last word.
   */
  lockedOut: number[];
}

async function writeBatch({ db, pool }: PlacementConnections, plans: PlacementPlan[], locking: CodeLocking): Promise<WrittenBatch> {
  return onPooledConnection(pool, async (client) => {
    const tx = new Session(db, client);
    const { state, counters } = await readState(tx, plans, locking);
    const { outcomes, writes } = decideBatch(plans, state, nowIso());
    if (writes.orders.length > 0) {
      await writeOrders(tx, writes, writes.orders[0]!.created_at);
      await writeRedemptions(tx, writes);
    }
    const lockedOut = outcomes.flatMap((outcome, i) => {
      if (outcome.kind !== 'out_of_stock') return [];
      const order = plans[i]!.order;
      const unseen = (counters.get(order.product_id) ?? 0) - (state.pools.get(order.product_id)?.length ?? 0);
      return unseen >= order.quantity ? [i] : [];
    });
    return { outcomes, lockedOut };
  });
}

/** Waiting rounds for an order that found the codes it needed locked by other batches. */
const LOCKED_OUT_ROUNDS = 3;

/**
 * An order refused only because other processes' batches held the codes: tried again alone,
 * waiting for those locks this time (a batch holds them for one transaction, and may release
 * codes it locked for orders it then refused). Never throws: the batch it came from is committed.
 */
async function writeLockedOut(connections: PlacementConnections, plan: PlacementPlan, refused: PlacementOutcome): Promise<PlacementOutcome> {
  let outcome = refused;
  for (let round = 0; round < LOCKED_OUT_ROUNDS; round++) {
    try {
      const again = await writeBatch(connections, [plan], 'wait');
      outcome = again.outcomes[0]!;
      if (again.lockedOut.length === 0) return outcome;
    } catch (error) {
      return error instanceof ConcurrentDuplicate ? { kind: 'duplicate' } : { kind: 'failed', error };
    }
  }
  return outcome;
}

export function postgresPlacementWriter(connections: PlacementConnections): PlacementWriter {
  const write: PlacementWriter = async (plans) => {
    let written: WrittenBatch;
    try {
      written = await writeBatch(connections, plans, 'skip');
    } catch (error) {
      // Nothing of the batch was written. A lone order whose client_order_id was just taken is a
      // duplicate; otherwise (a concurrent duplicate, or an unexpected failure of one order) each
      // order is tried again alone, so only one that fails by itself answers with an error.
      if (plans.length === 1) {
        if (error instanceof ConcurrentDuplicate) return [{ kind: 'duplicate' }];
        throw error;
      }
      const outcomes: PlacementOutcome[] = [];
      for (const plan of plans) {
        try {
          outcomes.push(...(await write([plan])));
        } catch (single) {
          outcomes.push({ kind: 'failed', error: single });
        }
      }
      return outcomes;
    }
    const { outcomes, lockedOut } = written;
    for (const i of lockedOut) outcomes[i] = await writeLockedOut(connections, plans[i]!, outcomes[i]!);
    return outcomes;
  };
  return write;
}
