// A hybrid's purchase: placed only once its trade-in is verified and credited, as an ordinary order
// paid from the wallet the credit went to (so the credit pays first and the wallet any difference).
// Nothing is held while the trade-in waits, so stock is never held for ever, and placement's own
// rules keep it from overselling; the order's partner reference makes a retry find the same order,
// so the purchase is never charged twice. The payout callback is written with the purchase's
// outcome, in the same transaction that records it.
import { nowIso } from '../clock.js';
import { DomainError } from '../errors.js';
import { insertOutboxEvents, payoutEvent, wakeDispatchers } from '../events/index.js';
import { placeOrder, type PlacementDeps } from '../orders/index.js';
import { findTradeInRow, tradeInView, type PurchaseRequest, type TradeInRow } from './read-trade-ins.js';
import type { TradeInDeps } from './submit-trade-in.js';

export interface PurchaseDeps {
  orders: PlacementDeps;
}

/** The order's own partner reference: the trade-in's, so both are found by what the partner sent. */
function purchaseReference(trade: TradeInRow): string {
  return trade.client_reference ?? trade.id;
}

/**
 * Places the purchase of a verified hybrid and records the outcome once (a conditional UPDATE on
 * `waiting`). A purchase that cannot be placed (out of stock, not enough in the wallet) is `failed`
 * with the reason; the credit stays in the wallet. Safe to run again after a crash.
 */
export async function completePurchase(deps: TradeInDeps & PurchaseDeps, id: string): Promise<TradeInRow> {
  const trade = await findTradeInRow(deps.db, id);
  if (trade.status !== 'completed' || trade.purchase_status !== 'waiting' || !trade.purchase) return trade;
  const purchase = JSON.parse(trade.purchase) as PurchaseRequest;
  let outcome: { status: 'placed'; orderId: string } | { status: 'failed'; reason: string };
  try {
    const placed = await placeOrder(
      deps.orders,
      trade.account_id,
      {
        product: purchase.product,
        quantity: purchase.quantity,
        clientOrderId: purchaseReference(trade),
        buyer: purchase.buyer,
        deliveryChannel: purchase.deliveryChannel,
        fields: purchase.fields,
        callbackUrl: trade.callback_url ?? undefined,
        channel: purchase.channel ?? 'api',
        payment: { kind: 'wallet', currency: trade.currency },
        requestVariant: `hybrid:${trade.id}`,
      },
      trade.placed_by,
    );
    outcome = { status: 'placed', orderId: placed.order.id };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    outcome = { status: 'failed', reason: error.message };
  }
  const recorded = await deps.db.transaction().execute(async (tx) => {
    const now = nowIso();
    const done = await tx
      .updateTable('trade_ins')
      .set(outcome.status === 'placed' ? { purchase_status: 'placed', purchase_order_id: outcome.orderId, updated_at: now } : { purchase_status: 'failed', purchase_reason: outcome.reason, updated_at: now })
      .where('id', '=', id)
      .where('purchase_status', '=', 'waiting')
      .executeTakeFirst();
    const row = await findTradeInRow(tx, id);
    if (done.numUpdatedRows > 0n) {
      await insertOutboxEvents(tx, [payoutEvent('payout.completed', { account_id: row.account_id, callback_url: row.callback_url, trade_in: await tradeInView(tx, deps.vault, row), at: now })]);
    }
    return row;
  });
  wakeDispatchers(deps.db);
  return recorded;
}

/** Completes every verified hybrid whose purchase still waits (after a crash between credit and order). */
export async function resumeWaitingPurchases(deps: TradeInDeps & PurchaseDeps): Promise<number> {
  const waiting = await deps.db.selectFrom('trade_ins').select('id').where('status', '=', 'completed').where('purchase_status', '=', 'waiting').limit(100).execute();
  for (const { id } of waiting) await completePurchase(deps, id);
  return waiting.length;
}
