// The review queue: orders the risk score (core/risk) sent to a person. An order in `review` is
// paid (its money taken, or its external payment credited) and holds its goods; a person approves
// it (it goes on as a paid order does: delivered from stock, bought upstream, or to the manual
// queue) or rejects it (its goods go back, its money back through its payment provider). Nobody
// deciding within the review time rejects it too (expireReviews, a schedule). Every decision is
// audited and, through the order's status change, sends its webhooks and callback.
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { InvalidState, ValidationFailed } from '../errors.js';
import { DEFAULT_RISK_SETTINGS, reasonsInWords, type RiskReason } from '../risk/index.js';
import { inTransaction, lockOrder, moveOrder, unwind, type LockedOrder } from './change-order.js';
import type { OrderDeps } from './place-order.js';
import { loadOrderDetail, type OrderDetail } from './read-orders.js';

/** An order waiting in review, as the owner decides on it. */
export interface ReviewEntry {
  order_id: string;
  number: string;
  account_id: number;
  channel: string;
  product_code: string;
  quantity: number;
  charged_minor: number;
  charged_currency: string;
  payment_provider: string;
  buyer_email: string | null;
  client_ip: string | null;
  risk_score: number | null;
  /** Each rule that fired, in words. */
  reasons: RiskReason[];
  review_until: string | null;
  created_at: string;
}

function reasonsOf(json: string | null): RiskReason[] {
  return json ? (JSON.parse(json) as RiskReason[]) : [];
}

/** Orders waiting in review, the ones due soonest first. */
export async function listReviews(db: Db, limit = 200): Promise<ReviewEntry[]> {
  const rows = await db
    .selectFrom('orders')
    .innerJoin('products', 'products.id', 'orders.product_id')
    .select([
      'orders.id', 'orders.number', 'orders.account_id', 'orders.channel', 'products.code', 'orders.quantity', 'orders.charged_minor', 'orders.charged_currency',
      'orders.payment_provider', 'orders.buyer_email', 'orders.client_ip', 'orders.risk_score', 'orders.risk_reasons', 'orders.review_until', 'orders.created_at',
    ])
    .where('orders.status', '=', 'review')
    .orderBy('orders.review_until')
    .orderBy('orders.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    order_id: r.id,
    number: r.number,
    account_id: r.account_id,
    channel: r.channel,
    product_code: r.code,
    quantity: r.quantity,
    charged_minor: Number(r.charged_minor),
    charged_currency: r.charged_currency,
    payment_provider: r.payment_provider,
    buyer_email: r.buyer_email,
    client_ip: r.client_ip,
    risk_score: r.risk_score,
    reasons: reasonsOf(r.risk_reasons),
    review_until: r.review_until,
    created_at: r.created_at,
  }));
}

async function audit(tx: Db, actor: string, action: 'review.approve' | 'review.reject' | 'review.expire', orderId: string, detail: string | null): Promise<void> {
  await tx.insertInto('audit_log').values({ actor, action, subject: `order:${orderId}`, detail, created_at: nowIso() }).execute();
}

/** In the transaction where a held order scored for review was paid: it waits in review from now, for the review time. */
export async function startReview(tx: Db, deps: OrderDeps, order: LockedOrder, actor: string): Promise<void> {
  const seconds = deps.risk?.reviewTimeoutSeconds ?? DEFAULT_RISK_SETTINGS.reviewTimeoutSeconds;
  const until = new Date(Date.now() + seconds * 1000).toISOString();
  await tx.updateTable('orders').set({ review_until: until }).where('id', '=', order.id).execute();
  const words = reasonsInWords({ score: order.risk_score ?? 0, reasons: reasonsOf(order.risk_reasons) });
  await moveOrder(tx, order, 'queued', 'review', { actor, reason: `waiting for review (${words})` });
}

/**
 * Approves an order in review: it goes where a paid order goes (its held codes sold and
 * delivered, or on to its provider or the manual queue). The move is a conditional UPDATE (status
 * still `review`), so of many approvals at once exactly one goes through; the others are 409.
 */
export async function approveReview(deps: OrderDeps, orderId: string, actor: string): Promise<OrderDetail> {
  let approved: LockedOrder | undefined;
  await inTransaction(deps, async (tx) => {
    const order = await lockOrder(tx, deps, orderId);
    if (order.status !== 'review') throw new InvalidState(`The order is ${order.status}; only an order in review can be approved.`);
    const fulfillment = deps.fulfillment.strategyFor(order.fulfillment, `Order ${order.number}`);
    const next = fulfillment.whenPaid;
    await moveOrder(tx, order, 'review', next.status, { actor, reason: `approved in review; ${next.reason}` });
    await tx.updateTable('orders').set({ review_until: null }).where('id', '=', order.id).execute();
    await fulfillment.paymentArrived(tx, order);
    await audit(tx, actor, 'review.approve', order.id, null);
    approved = { ...order, status: next.status };
  });
  // As after placement: an upstream order starts being bought now rather than at the next sweep.
  if (approved) await deps.fulfillment.strategyFor(approved.fulfillment, `Order ${approved.number}`).afterPlacement({ db: deps.db }, approved);
  return loadOrderDetail(deps.db, deps.vault, orderId);
}

/** Rejects an order in review, saying why: its goods go back on sale and its money back the way it was paid. */
export function rejectReview(deps: OrderDeps, orderId: string, actor: string, reason: string): Promise<OrderDetail> {
  const why = reason.trim();
  if (!why) throw new ValidationFailed('Say why the order is rejected.', [{ field: 'reason', message: 'is required' }]);
  return unwind(deps, orderId, 'rejected', { actor, reason: `rejected in review: ${why}`, only: 'review', also: (tx) => audit(tx, actor, 'review.reject', orderId, why) });
}

/** The review sweep: orders nobody decided on within the review time are rejected and refunded. Returns their ids. */
export async function expireReviews(deps: OrderDeps, now = nowIso()): Promise<string[]> {
  const due = await deps.db.selectFrom('orders').select('id').where('status', '=', 'review').where('review_until', '<=', now).orderBy('review_until').limit(500).execute();
  const rejected: string[] = [];
  for (const { id } of due) {
    try {
      const actor = 'system:review-sweep';
      await unwind(deps, id, 'rejected', { actor, reason: 'not reviewed in time', only: 'review', also: (tx) => audit(tx, actor, 'review.expire', id, 'not reviewed in time') });
      rejected.push(id);
    } catch (error) {
      // Decided meanwhile: nothing to do.
      if (!(error instanceof InvalidState)) throw error;
    }
  }
  return rejected;
}
