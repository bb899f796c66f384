// A batch whose orders take nothing from stock and use no coupon (upstream and manual fulfilment),
// written on PostgreSQL in one statement, run alone, without reading first. The locked batch
// (placement-postgres.ts) reads and locks what it needs, decides, writes and commits: four round
// trips. These orders need no codes chosen, so the statement writes them as planned and checks, in
// its own snapshot, everything that batch would have read: each product and buyer still as
// priced, each rate unchanged, wallet checkout on, every reference free, every wallet covering
// its orders (the debit is conditional, and each ledger entry's balance is computed where it is
// written). When one does not hold, souk_check makes the statement fail having written nothing,
// and the batch goes the locked way, which decides each order exactly (so does one that
// PostgreSQL refuses as a deadlock: the debits are not taken in id order, as the locked batch's
// are, so a batch charging several wallets may meet another in a cycle). An upstream order pays
// for two batches of its own around the call to its provider; this makes the first one a single
// round trip.
import { sql } from 'kysely';
import pg from 'pg';
import type { PlacementConnections } from '../../db/index.js';
import { pgBuyersAsPriced, type BuyerTerms } from '../accounts/index.js';
import { pgProductsAsPriced, type ProductNow } from '../catalog/index.js';
import { nowIso } from '../clock.js';
import { pgChargeWalletsUnread, pgRatesAsPriced, type RatePair, type UnreadCharge } from '../wallets/index.js';
import { recordOwnRows, type OwnRows } from './placement-decide.js';
import { pgInsertOrders, pgOutboxAndExtensions, Session } from './placement-postgres-rows.js';
import { WALLET_CHECKOUT_SETTING } from './settings.js';
import type { PlacementExtension, PlacementOutcome, PlacementPlan } from './placement-batch.js';

/** Whether a batch can be written unread: no order takes stock or a coupon, and each was priced with the rate its currencies need, and only then. */
export function writableUnread(plans: readonly PlacementPlan[]): boolean {
  return plans.every(({ claim, coupon, order, priced }) => claim === 'none' && coupon === null && (order.currency === order.charged_currency) === (priced.fxRate === null));
}

/** Each distinct value once, by its JSON. */
function distinct<T>(values: T[]): T[] {
  return [...new Map(values.map((v) => [JSON.stringify(v), v])).values()];
}

/** What the batch's orders were priced from, as the checks compare it with the database. */
function pricedFrom(plans: readonly PlacementPlan[]) {
  const products: Array<Omit<ProductNow, 'status'> & { id: number }> = [];
  const buyers: Array<BuyerTerms & { id: number }> = [];
  const rates: Array<RatePair & { rate: string }> = [];
  for (const { order, priced } of plans) {
    products.push({ id: order.product_id, updated_at: priced.updatedAt, price_minor: priced.priceMinor, currency: priced.currency, fulfillment: priced.fulfillment, stock_mode: priced.stockMode });
    const { risk } = priced.buyer;
    buyers.push({ id: order.account_id, currency: priced.buyer.currency, discount_bp: priced.buyer.discountBp, risk_review_score: risk.risk_review_score, risk_reject_score: risk.risk_reject_score, review_above_minor: risk.review_above_minor });
    if (priced.fxRate !== null) rates.push({ base: order.currency, quote: order.charged_currency, rate: priced.fxRate });
    if (priced.unitFx) rates.push({ base: priced.unitFx.base, quote: priced.unitFx.quote, rate: priced.unitFx.rate });
  }
  return { products: distinct(products), buyers: distinct(buyers), rates: distinct(rates) };
}

/**
 * Writes a batch that writableUnread() allows in one statement, every order placed; undefined when
 * the server refused the statement (a check that did not hold, or anything else: run alone, it
 * wrote nothing, and the caller decides the batch the locked way, order by order if need be).
 * Throws when the outcome is unknown (the connection failed, say).
 */
export async function writeUnread(connections: PlacementConnections, extensions: readonly PlacementExtension[], plans: PlacementPlan[]): Promise<PlacementOutcome[] | undefined> {
  const recordedAt = nowIso();
  const writes: OwnRows = { orders: [], events: [], outbox: [], writtenWith: new Map() };
  const charges: UnreadCharge[] = [];
  for (const plan of plans) {
    recordOwnRows(writes, plan, recordedAt);
    if (plan.debit) charges.push({ walletId: plan.debit.walletId, amountMinor: plan.debit.amountMinor, orderId: plan.order.id, actor: plan.actor, at: plan.order.created_at });
  }
  const priced = pricedFrom(plans);
  const charge = pgChargeWalletsUnread(charges, writes.orders[0]!.created_at);
  const client = await connections.pool.connect();
  let healthy = true;
  try {
    await new Session(connections.db, client).rows(
      'write_unread',
      sql`
      with
        ${pgInsertOrders(writes)}
        ${charge.ctes}
        ${pgOutboxAndExtensions(writes, extensions)}
      select
        souk_check((select count(*) from inserted) = ${writes.orders.length}, 'an order reference of the batch is taken') as references_free,
        souk_check(${pgProductsAsPriced(priced.products)}, 'a product changed since its order was priced') as products_as_priced,
        souk_check(${pgBuyersAsPriced(priced.buyers)}, 'a buyer''s terms changed since the order was priced') as buyers_as_priced,
        souk_check(${pgRatesAsPriced(priced.rates)}, 'an exchange rate changed since the order was priced') as rates_as_priced,
        souk_check(${charges.length === 0} or coalesce((select value from settings where key = ${WALLET_CHECKOUT_SETTING}), 'on') <> 'off', 'wallet checkout is off') as wallet_checkout,
        souk_check(${charge.covered}, 'a wallet does not cover its orders') as covered`,
    );
    return plans.map(() => ({ kind: 'placed', items: [] }));
  } catch (error) {
    if (error instanceof pg.DatabaseError) return undefined;
    healthy = false;
    throw error;
  } finally {
    client.release(!healthy);
  }
}
