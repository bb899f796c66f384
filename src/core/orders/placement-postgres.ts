// Writing a batch of placements on PostgreSQL, in one transaction and four round trips whatever
// its size (a batch of orders that take no stock is first tried in one, placement-unread.ts):
// begin, read and lock what the batch needs (one query), decide in memory
// (placement-decide.ts), write everything in one statement, commit. An order refused only because
// another process's batch held the codes is tried again alone, waiting for them (writeLockedOut). The statements
// are named (prepared once per connection): parsing and planning these large queries on every
// batch cost more than running them.
import { sql, type RawBuilder } from 'kysely';
import { onPooledConnection, type PlacementConnections } from '../../db/index.js';
import { pgBuyersNow } from '../accounts/index.js';
import { pgProductsNow, productsFromRows, type ProductNow } from '../catalog/index.js';
import { nowIso } from '../clock.js';
import { couponsFromRows, pgLockCoupons, pgRedeemCoupons, pgStandingUses, type CouponDemand, type CouponsNow } from '../coupons/index.js';
import { checkAllClaimed, lockedByOthers, pgClaimCodes, pgStockOnHand, stockFromRows, type CodeLocking, type StockRows } from '../inventory/index.js';
import { fundsFromRows, pgChargeWallets, pgRatesNow, pgWalletFunds, ratesFromRows, type WalletFunds } from '../wallets/index.js';
import { batchNeeds, decideBatch, referenceKey, type BatchState, type BatchWrites, type BuyerNow, type OrderReference } from './placement-decide.js';
import { pgInsertOrders, pgOutboxAndExtensions, Session } from './placement-postgres-rows.js';
import { WALLET_CHECKOUT_SETTING } from './settings.js';
import type { PlacementExtension, PlacementOutcome, PlacementPlan, PlacementWriter } from './placement-batch.js';
import { writableUnread, writeUnread } from './placement-unread.js';

interface StateRow extends StockRows {
  wallets: Array<WalletFunds & { id: number }>;
  products: Array<ProductNow & { id: number; stock_available: number }>;
  buyers: Array<BuyerNow & { id: number }>;
  rates: Array<{ base: string; quote: string; rate: string }>;
  taken: Array<{ account_id: number; kind: OrderReference['kind']; value: string }>;
}

interface ReadState {
  state: BatchState;
  /** Each product's stock counter as read: committed available codes, locked ones included. */
  counters: Map<number, number>;
}

/**
 * The batch's references (client_order_id, Idempotency-Key) that orders already hold, as a jsonb
 * array: one arm per unique index, each probing its own (a single join with an OR could not). The
 * planner needs statistics for orders to choose those indexes (db/statistics.ts).
 */
export function pgTakenReferences(references: readonly OrderReference[]): RawBuilder<unknown> {
  const clientOrderIds = references.filter((r) => r.kind === 'client_order_id');
  const idempotencyKeys = references.filter((r) => r.kind === 'idempotency_key');
  return sql`(select coalesce(jsonb_agg(t), '[]') from (
         select account_id, 'client_order_id' as kind, client_order_id as value from orders
         where (account_id, client_order_id) in (select * from unnest(${clientOrderIds.map((r) => r.accountId)}::int[], ${clientOrderIds.map((r) => r.value)}::text[]))
         union all
         select account_id, 'idempotency_key', idempotency_key from orders
         where (account_id, idempotency_key) in (select * from unnest(${idempotencyKeys.map((r) => r.accountId)}::int[], ${idempotencyKeys.map((r) => r.value)}::text[]))) t)`;
}

/**
 * One query for the whole state, each module contributing its columns. Wallets are locked FOR
 * UPDATE in id order (two processes' batches then cannot deadlock on them), before any code; each
 * product's next codes are locked as `locking` says.
 */
async function readState(tx: Session, plans: PlacementPlan[], locking: CodeLocking): Promise<ReadState> {
  const needs = batchNeeds(plans);
  const walletCheckout = sql`coalesce((select value from settings where key = ${WALLET_CHECKOUT_SETTING}), 'on') <> 'off' as wallet_checkout`;
  const [row] = await tx.rows(locking === 'skip' ? 'read_state' : 'read_state_waiting', sql<StateRow>`
    select
      ${pgWalletFunds(needs.walletIds)},
      ${pgProductsNow(needs.productIds)},
      ${pgBuyersNow(needs.accountIds, walletCheckout)},
      ${pgRatesNow(needs.fxPairs)},
      ${pgTakenReferences(needs.references)} as taken,
      ${pgStockOnHand(needs.stock, locking)}
  `);
  if (!row) throw new Error('the batch state query returned no row');
  const stock = stockFromRows(row);
  const { products, counters } = productsFromRows(row.products);
  const coupons = await readCoupons(tx, needs.coupons);
  const state: BatchState = {
    wallets: fundsFromRows(row.wallets),
    products,
    buyers: new Map(row.buyers.map(({ id, ...b }) => [id, { ...b, discount_bp: Number(b.discount_bp) }])),
    fxRates: ratesFromRows(row.rates),
    takenReferences: new Set(row.taken.map((t) => referenceKey({ accountId: t.account_id, kind: t.kind, value: t.value }))),
    pools: stock.pools,
    sharedCodes: stock.shared,
    coupons: coupons.coupons,
    couponUses: coupons.uses,
  };
  return { state, counters };
}

/** The batch's coupons, locked after the wallets, with each customer's standing uses. Only batches with coupons pay for these round trips. */
async function readCoupons(tx: Session, demand: CouponDemand): Promise<CouponsNow> {
  if (demand.couponIds.length === 0) return { coupons: new Map(), uses: new Map() };
  const coupons = await tx.statement(pgLockCoupons(demand));
  const uses = await tx.statement(pgStandingUses(demand));
  return couponsFromRows(coupons, uses);
}

/** A reference (client_order_id, Idempotency-Key) of the batch was taken by a transaction that committed after the batch read. */
class ConcurrentDuplicate extends Error {}

/**
 * The whole batch's writes in one statement (one round trip), each module contributing its CTEs;
 * the foreign keys are checked at its end. A reference (client_order_id, Idempotency-Key) taken by
 * a transaction that committed after the batch read makes its order's insert do nothing: what
 * hangs on that order is left out too (so no foreign key fails first), the counts show it, and
 * the batch is rolled back and retried order by order.
 */
async function writeOrders(tx: Session, writes: BatchWrites, at: string, extensions: readonly PlacementExtension[]): Promise<void> {
  const claim = pgClaimCodes(writes.stock);
  const charge = pgChargeWallets(writes.charges, at);
  const [written] = await tx.rows('write_orders', sql<{ inserted: number; claimed: number }>`
    with
      ${pgInsertOrders(writes)},
      claimed as (${claim.claimed}),
      items as (
        insert into order_items (order_id, stock_item_id, created_at)
        select x.order_id, x.stock_item_id, x.created_at from jsonb_to_recordset(${JSON.stringify(writes.items)}::jsonb) as x(order_id text, stock_item_id bigint, created_at text)
        where x.order_id in (select id from inserted)),
      debited as (${charge.debited}),
      ledger as (${charge.ledger}),
      counted as (${claim.counted})
      ${pgOutboxAndExtensions(writes, extensions)}
    select (select count(*)::int from inserted) as inserted, (select count(*)::int from claimed) as claimed
  `);
  if (written?.inserted !== writes.orders.length) throw new ConcurrentDuplicate();
  checkAllClaimed(written.claimed, writes.stock);
}

interface WrittenBatch {
  outcomes: PlacementOutcome[];
  /**
   * Orders refused out_of_stock while enough committed codes were left that other batches held
   * locked: those batches may yet leave them unsold, so the refusal is not the last word.
   */
  lockedOut: number[];
}

async function writeBatch({ db, pool }: PlacementConnections, extensions: readonly PlacementExtension[], plans: PlacementPlan[], locking: CodeLocking): Promise<WrittenBatch> {
  return onPooledConnection(pool, async (client) => {
    const tx = new Session(db, client);
    const { state, counters } = await readState(tx, plans, locking);
    const { outcomes, writes } = decideBatch(plans, state, nowIso());
    if (writes.orders.length > 0) {
      await writeOrders(tx, writes, writes.orders[0]!.created_at, extensions);
      if (writes.coupons.redemptions.length > 0) await tx.statement(pgRedeemCoupons(writes.coupons));
    }
    const lockedOut = outcomes.flatMap((outcome, i) => {
      if (outcome.kind !== 'out_of_stock') return [];
      const order = plans[i]!.order;
      return lockedByOthers(counters.get(order.product_id), { pools: state.pools, shared: state.sharedCodes }, order.product_id, order.quantity) ? [i] : [];
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
async function writeLockedOut(connections: PlacementConnections, extensions: readonly PlacementExtension[], plan: PlacementPlan, refused: PlacementOutcome): Promise<PlacementOutcome> {
  let outcome = refused;
  for (let round = 0; round < LOCKED_OUT_ROUNDS; round++) {
    try {
      const again = await writeBatch(connections, extensions, [plan], 'wait');
      outcome = again.outcomes[0]!;
      if (again.lockedOut.length === 0) return outcome;
    } catch (error) {
      return error instanceof ConcurrentDuplicate ? { kind: 'duplicate' } : { kind: 'failed', error };
    }
  }
  return outcome;
}

export function postgresPlacementWriter(connections: PlacementConnections, extensions: readonly PlacementExtension[] = []): PlacementWriter {
  const write: PlacementWriter = async (plans) => {
    if (writableUnread(plans)) {
      const placed = await writeUnread(connections, extensions, plans);
      if (placed) return placed;
    }
    let written: WrittenBatch;
    try {
      written = await writeBatch(connections, extensions, plans, 'skip');
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
    for (const i of lockedOut) outcomes[i] = await writeLockedOut(connections, extensions, plans[i]!, outcomes[i]!);
    return outcomes;
  };
  return write;
}
