// Crediting what a gateway says was paid (a verified notification, or a lookup at the gateway):
// one transaction that takes the order's lock first (as expiry does), then the charge's, and
// inserts the payment's receipt, unique per (gateway, the gateway's payment id): the same payment
// credits once however often, and however concurrently, it is reported. An order's charge follows
// the own-address rule (decideConfirmation: paid, overpaid, partial, late); a top-up credits its
// wallet once it is paid in full, whenever that is (no goods can run out meanwhile). A charge still
// waiting or closed that was paid in part (a BTCPay invoice) is recorded `partial` with what came,
// for the admin, and credits nothing: the crediting rule counts only receipts.
import type { PaymentsTable } from '../../../db/schema.js';
import { nowIso } from '../../clock.js';
import { wakeDispatchers } from '../../events/index.js';
import { lockOrderStatus, payExpiredOrder, payHeldOrder, type OrderStatus } from '../../orders/index.js';
import { creditWallet } from '../../wallets/index.js';
import { decideConfirmation } from '../providers/crypto/confirm.js';
import { decideTopUp } from '../topup-rule.js';
import type { GatewayContext } from './context.js';
import type { ChargeState, GatewayName } from './gateway.js';
import { settlePendingRefund } from './refunds.js';

/** credited: money moved now · repeat: this payment was credited before · noted: nothing to credit (waiting, closed) · unknown: no such charge · refused: it does not match the charge. */
export type CreditOutcome = 'credited' | 'repeat' | 'noted' | 'unknown' | 'refused';

async function findCharge(ctx: GatewayContext, name: GatewayName, externalId: string): Promise<PaymentsTable | undefined> {
  const byExternal = await ctx.db.selectFrom('payments').selectAll().where('provider', '=', name).where('external_id', '=', externalId).executeTakeFirst();
  // Gateways that report Souk's reference (out_trade_no) rather than their own id.
  return byExternal ?? (await ctx.db.selectFrom('payments').selectAll().where('provider', '=', name).where('id', '=', externalId).executeTakeFirst());
}

async function audit(ctx: GatewayContext, actor: string, action: string, subject: string, detail: Record<string, unknown>): Promise<void> {
  await ctx.db.insertInto('audit_log').values({ actor, action, subject, detail: JSON.stringify(detail), created_at: nowIso() }).execute();
}

/** Applies what `name` says of a charge; see the file comment. `actor` says who told (`notice:alipay`, `lookup:wechat`). */
export async function applyChargeState(ctx: GatewayContext, name: GatewayName, state: ChargeState, actor: string): Promise<CreditOutcome> {
  const charge = await findCharge(ctx, name, state.externalId);
  if (!charge) {
    await audit(ctx, actor, 'payment.unknown', `gateway:${name}`, { external_id: state.externalId.slice(0, 200), outcome: state.outcome });
    ctx.log?.('payment gateway reported a charge Souk does not have', { gateway: name, outcome: state.outcome });
    return 'unknown';
  }
  if (state.outcome === 'refunded') {
    if (charge.refund_status === 'pending') await settlePendingRefund(ctx, charge, actor);
    return 'noted';
  }
  if (state.outcome !== 'paid') return state.paidMinor === undefined ? 'noted' : recordShortPayment(ctx, name, charge, state, actor);
  const units = state.paidMinor;
  if (!state.paymentId || units === undefined || !Number.isSafeInteger(units) || units <= 0 || state.currency !== charge.asset) {
    await audit(ctx, actor, 'payment.mismatch', `payment:${charge.id}`, { currency: state.currency ?? null, paid_minor: units ?? null, expected: charge.expected_units, asset: charge.asset });
    ctx.log?.('payment gateway reported a payment that does not match its charge', { gateway: name, payment: charge.id });
    return 'refused';
  }
  const deps = ctx.orders();
  const outcome = await ctx.db.transaction().execute(async (tx): Promise<CreditOutcome> => {
    const orderStatus: OrderStatus | undefined = charge.order_id ? await lockOrderStatus(tx, deps, charge.order_id) : undefined;
    let read = tx.selectFrom('payments').selectAll().where('id', '=', charge.id);
    if (ctx.dialect === 'postgres') read = read.forUpdate();
    const current = await read.executeTakeFirstOrThrow();
    const now = nowIso();
    const receipt = await tx
      .insertInto('payment_receipts')
      .values({ payment_id: current.id, asset: name, txid: state.paymentId!.slice(0, 200), units: String(units), actor, created_at: now })
      .onConflict((c) => c.columns(['asset', 'txid']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!receipt) return 'repeat';
    // What was credited before (a part recorded short by recordShortPayment is in received_units but not here).
    const earlier = await tx.selectFrom('payment_receipts').select('units').where('payment_id', '=', current.id).where('id', '!=', receipt.id).execute();
    const credited = earlier.reduce((sum, row) => sum + BigInt(row.units), 0n);
    const invoice = { expected: BigInt(current.expected_units), received: credited, waiting: current.waiting === 1, status: current.status };
    let status: PaymentsTable['status'];
    let waiting: boolean;
    let refundDue = current.refund_due === 1;
    if (current.purpose === 'topup') {
      const decision = decideTopUp(invoice, BigInt(units));
      ({ status, waiting } = decision);
      if (decision.credit) {
        await creditWallet(tx, current.wallet_id!, current.credit_minor!, { kind: 'topup', reference: `payment:${current.id}`, memo: `top-up paid through ${name}`, actor });
      }
    } else {
      const decision = decideConfirmation(invoice, orderStatus!, BigInt(units));
      ({ status, waiting } = decision);
      refundDue = refundDue || decision.refundDue;
      if (decision.fulfil === 'held') await payHeldOrder(tx, deps, current.order_id!, actor);
      if (decision.fulfil === 'revive') refundDue = !(await payExpiredOrder(tx, deps, current.order_id!, actor)) || refundDue;
    }
    await tx
      .updateTable('payments')
      .set({ received_units: (invoice.received + BigInt(units)).toString(), status, waiting: waiting ? 1 : null, refund_due: refundDue ? 1 : 0, refund_status: refundDue ? 'owed' : current.refund_status, updated_at: now })
      .where('id', '=', current.id)
      .execute();
    await tx
      .insertInto('audit_log')
      .values({ actor, action: 'payment.credit', subject: current.order_id ? `order:${current.order_id}` : `payment:${current.id}`, detail: JSON.stringify({ payment: current.id, gateway: name, payment_id: state.paymentId, units: String(units), status, refundDue }), created_at: now })
      .execute();
    return 'credited';
  });
  if (outcome === 'credited') wakeDispatchers(ctx.db);
  return outcome;
}

/** Statuses a part paid short may be recorded over: nothing credited yet. */
const SHORT_OVER: PaymentsTable['status'][] = ['open', 'partial', 'expired'];

/**
 * A charge paid in part and still waiting or closed (issue 18 part 3: "record the partial payment
 * for the admin"): its row says `partial` with what came, whether it waits on or has ended; nothing
 * is credited or delivered. The gateway reports the whole paid so far, so the same report again, or
 * an older smaller one, changes nothing; the update is conditional on the row as read.
 */
async function recordShortPayment(ctx: GatewayContext, name: GatewayName, charge: PaymentsTable, state: ChargeState, actor: string): Promise<CreditOutcome> {
  const units = state.paidMinor!;
  if (!Number.isSafeInteger(units) || units <= 0 || state.currency !== charge.asset) {
    await audit(ctx, actor, 'payment.mismatch', `payment:${charge.id}`, { currency: state.currency ?? null, paid_minor: units, expected: charge.expected_units, asset: charge.asset, outcome: state.outcome });
    ctx.log?.('payment gateway reported a part payment that does not match its charge', { gateway: name, payment: charge.id });
    return 'refused';
  }
  if (!SHORT_OVER.includes(charge.status) || BigInt(units) <= BigInt(charge.received_units) || BigInt(units) >= BigInt(charge.expected_units)) return 'noted';
  const now = nowIso();
  const changed = await ctx.db
    .updateTable('payments')
    .set({ received_units: String(units), status: 'partial', updated_at: now })
    .where('id', '=', charge.id)
    .where('status', 'in', SHORT_OVER)
    .where('received_units', '=', charge.received_units)
    .executeTakeFirst();
  if (Number(changed.numUpdatedRows) === 0) return 'noted';
  await audit(ctx, actor, 'payment.partial', charge.order_id ? `order:${charge.order_id}` : `payment:${charge.id}`, { payment: charge.id, gateway: name, units: String(units), expected: charge.expected_units, outcome: state.outcome });
  return 'noted';
}
