// Refunds through the gateway (issue 18 part 5). The order's refund transaction only records that
// the money is to go back (refund_status pending) and queues a job, which commits with it; the job
// asks the gateway, with a refund reference fixed by the charge (so asking twice refunds once), and
// records what came of it: refunded there, still pending there, or owed (the gateway cannot send
// it, as BTCPay's on-chain payments): the admin's payment list and the order's timeline say which.
import type { Db } from '../../../db/index.js';
import type { PaymentsTable } from '../../../db/schema.js';
import { nowIso } from '../../clock.js';
import { defineJob, enqueueJob } from '../../jobs/index.js';
import type { GatewayContext } from './context.js';
import { GatewayUnavailable } from './errors.js';
import type { GatewayName } from './gateway.js';

export const refundChargeJob = defineJob<{ paymentId: string }, { gatewayPayments: { refundCharge(paymentId: string): Promise<void> } }>({
  kind: 'payments.refund',
  run: (payload, context) => context.gatewayPayments.refundCharge(payload.paymentId),
});

/** In the refunding transaction: the order's paid charge is to be given back, by the job this queues. */
export async function requestRefund(tx: Db, provider: GatewayName, orderId: string): Promise<void> {
  const charge = await tx.selectFrom('payments').select(['id', 'received_units']).where('provider', '=', provider).where('order_id', '=', orderId).executeTakeFirst();
  if (!charge || charge.received_units === '0') return;
  await tx.updateTable('payments').set({ refund_status: 'pending', refund_due: 1, updated_at: nowIso() }).where('id', '=', charge.id).execute();
  await enqueueJob(tx, refundChargeJob, { paymentId: charge.id }, { uniqueKey: `payments.refund:${charge.id}` });
}

/** Asks the gateway to give a charge's money back and records the outcome; GatewayUnavailable makes the job try again later. */
export async function refundCharge(ctx: GatewayContext, paymentId: string): Promise<void> {
  const charge = await ctx.db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
  if (!charge || charge.refund_status !== 'pending' || !charge.external_id) return;
  const gateway = ctx.gateways.get(charge.provider as GatewayName);
  if (!gateway) throw new GatewayUnavailable(charge.provider, 'it is no longer configured');
  const paid = Number(charge.received_units);
  const answered = await gateway.refund(charge.external_id, { reference: `${charge.id}R`, amountMinor: paid, totalMinor: paid, currency: charge.asset, reason: 'order refunded' });
  const { outcome, claimUrl } = typeof answered === 'string' ? { outcome: answered, claimUrl: undefined } : answered;
  const now = nowIso();
  const status = outcome === 'refunded' ? 'refunded' : outcome === 'owed' ? 'owed' : 'pending';
  const claim = claimUrl ? `; the buyer claims it at ${claimUrl}` : '';
  await ctx.db.transaction().execute(async (tx) => {
    await tx.updateTable('payments').set({ refund_status: status, refund_due: status === 'refunded' ? 0 : 1, updated_at: now }).where('id', '=', charge.id).execute();
    const order = charge.order_id ? await tx.selectFrom('orders').select(['id', 'status']).where('id', '=', charge.order_id).executeTakeFirst() : undefined;
    if (order) {
      const words = status === 'refunded' ? `money given back through ${gateway.name}` : status === 'owed' ? `${gateway.name} cannot send it back: the refund is owed${claim}` : `refund asked of ${gateway.name}, not finished there yet${claim}`;
      await tx.insertInto('order_events').values({ order_id: order.id, from_status: order.status, to_status: order.status, reason: words, actor: `gateway:${gateway.name}`, created_at: now }).execute();
    }
    await tx.insertInto('audit_log').values({ actor: `gateway:${gateway.name}`, action: 'payment.refund', subject: `payment:${charge.id}`, detail: JSON.stringify({ outcome: status, amount_minor: paid, currency: charge.asset, ...(claimUrl ? { claim_url: claimUrl } : {}) }), created_at: now }).execute();
  });
}

/** A refund the gateway reports finished: marks the charge's pending refund refunded once, on the order's timeline too. */
export async function settlePendingRefund(ctx: GatewayContext, charge: PaymentsTable, actor: string): Promise<void> {
  const now = nowIso();
  await ctx.db.transaction().execute(async (tx) => {
    const settled = await tx.updateTable('payments').set({ refund_status: 'refunded', refund_due: 0, updated_at: now }).where('id', '=', charge.id).where('refund_status', '=', 'pending').executeTakeFirst();
    if (Number(settled.numUpdatedRows) === 0) return;
    const order = charge.order_id ? await tx.selectFrom('orders').select(['id', 'status']).where('id', '=', charge.order_id).executeTakeFirst() : undefined;
    if (order) {
      await tx.insertInto('order_events').values({ order_id: order.id, from_status: order.status, to_status: order.status, reason: `money given back through ${charge.provider}`, actor, created_at: now }).execute();
    }
    await tx.insertInto('audit_log').values({ actor, action: 'payment.refund', subject: `payment:${charge.id}`, detail: JSON.stringify({ outcome: 'refunded', amount_minor: Number(charge.received_units), currency: charge.asset }), created_at: now }).execute();
  });
}
