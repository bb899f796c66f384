// Opening a charge at a gateway, for an order just written or a wallet top-up, as two named steps
// with their compensations: record it (a `payments` row, waiting, its id the gateway's merchant
// reference), then open it at the gateway and keep what the buyer is shown. A gateway that cannot
// be reached or refuses undoes the record (the row ends `expired`, and the caller cancels the
// order), and the gateway is withdrawn from the methods offered until it answers again.
import type { PaymentsTable } from '../../../db/schema.js';
import { nowIso } from '../../clock.js';
import { paymentRow } from '../payment-rows.js';
import type { Coin } from '../methods.js';
import type { GatewayContext } from './context.js';
import { GatewayUnavailable } from './errors.js';
import type { OpenedCharge, PaymentGateway } from './gateway.js';
import { recordGatewayHealth } from './health.js';

/** What a charge pays for: an order, or a top-up of a wallet (credited `creditMinor` in the wallet's currency). */
export type ChargeTarget =
  | { purpose: 'order'; orderId: string; orderNumber: string }
  | { purpose: 'topup'; walletId: number; creditMinor: number; actor: string };

export interface ChargeRequest {
  target: ChargeTarget;
  /** In minor units of the gateway's currency. */
  amountMinor: number;
  expiresAt: string;
  coin?: Coin;
}

/** The order's charge at this gateway, if it has one. */
export async function findOrderCharge(ctx: Pick<GatewayContext, 'db'>, provider: string, orderId: string): Promise<PaymentsTable | undefined> {
  return ctx.db.selectFrom('payments').selectAll().where('provider', '=', provider).where('order_id', '=', orderId).executeTakeFirst();
}

/** Step 1: the charge is recorded, waiting, before anything is asked of the gateway. */
async function recordCharge(ctx: GatewayContext, gateway: PaymentGateway, request: ChargeRequest): Promise<PaymentsTable> {
  const { target } = request;
  const row = paymentRow({
    provider: gateway.name,
    order_id: target.purpose === 'order' ? target.orderId : null,
    asset: gateway.currency,
    expected_units: String(request.amountMinor),
    expires_at: request.expiresAt,
    purpose: target.purpose,
    wallet_id: target.purpose === 'topup' ? target.walletId : null,
    credit_minor: target.purpose === 'topup' ? target.creditMinor : null,
    actor: target.purpose === 'topup' ? target.actor : null,
  });
  await ctx.db.insertInto('payments').values(row).execute();
  return row;
}

/** Step 1's compensation: the charge never opened, so it ends without waiting for anything. */
async function forgetCharge(ctx: GatewayContext, paymentId: string): Promise<void> {
  await ctx.db.updateTable('payments').set({ status: 'expired', waiting: null, updated_at: nowIso() }).where('id', '=', paymentId).where('received_units', '=', '0').execute();
}

/** Step 2: the charge is opened at the gateway; what the buyer is shown is kept with it. */
async function openAtGateway(ctx: GatewayContext, gateway: PaymentGateway, row: PaymentsTable, request: ChargeRequest): Promise<PaymentsTable> {
  const subject = request.target.purpose === 'order' ? `Order ${request.target.orderNumber}` : 'Wallet top-up';
  let opened: OpenedCharge;
  try {
    opened = await gateway.open({
      reference: row.id,
      amountMinor: request.amountMinor,
      currency: gateway.currency,
      subject,
      expiresAt: request.expiresAt,
      notifyUrl: `${ctx.baseUrl}/hooks/payments/${gateway.name}`,
      ...(request.coin ? { coin: request.coin } : {}),
    });
  } catch (error) {
    const problem = error instanceof GatewayUnavailable ? error.message : 'the gateway refused the charge';
    await recordGatewayHealth(ctx.db, gateway.name, { ok: false, problem });
    ctx.log?.('payment gateway could not open a charge', { gateway: gateway.name, payment: row.id, problem });
    throw error instanceof GatewayUnavailable ? error : new GatewayUnavailable(gateway.name, 'it refused the charge');
  }
  const checkout = JSON.stringify({ ...opened, ...(request.coin ? { coin: request.coin } : {}) });
  await ctx.db.updateTable('payments').set({ external_id: opened.externalId, checkout, updated_at: nowIso() }).where('id', '=', row.id).execute();
  return { ...row, external_id: opened.externalId, checkout };
}

/**
 * Opens a charge at `gateway` and records it; an order's charge is opened once (a retried order
 * finds the one it has). Throws GatewayUnavailable, with nothing left waiting, when the gateway
 * cannot open it.
 */
export async function openCharge(ctx: GatewayContext, gateway: PaymentGateway, request: ChargeRequest): Promise<PaymentsTable> {
  const existing = request.target.purpose === 'order' ? await findOrderCharge(ctx, gateway.name, request.target.orderId) : undefined;
  if (existing?.external_id) return existing;
  // A charge recorded but not opened (a crash between the steps) is opened with its own reference:
  // the gateway finds a charge it already has by that reference instead of making a second.
  const row = existing ?? (await recordCharge(ctx, gateway, request));
  try {
    return await openAtGateway(ctx, gateway, row, request);
  } catch (error) {
    await forgetCharge(ctx, row.id);
    throw error;
  }
}
