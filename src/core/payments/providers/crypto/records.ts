// Reading invoices back: for the buyer (where to pay, how much, until when) and for the admin
// (every invoice with what came in, filtered by status), and closing an unpaid order's invoice.
import type { Db } from '../../../../db/index.js';
import { PAYMENT_STATUSES, type PaymentRecordStatus, type PaymentsTable } from '../../../../db/schema.js';
import { nowIso, wireTime } from '../../../clock.js';
import { ValidationFailed } from '../../../errors.js';
import type { Coin } from '../../methods.js';
import { unitsToDecimal } from './amounts.js';
import { formatMinor } from '../../../money.js';
import { gatewayPaymentView } from '../../gateways/views.js';
import { COIN_SPECS, paymentUri } from './coins.js';
import { CRYPTO_PROVIDER } from './invoices.js';

/** Where and how much a buyer pays, as the shop shows it. */
export interface CryptoPaymentView {
  method: 'crypto';
  coin: Coin;
  address: string;
  /** Decimal, in the coin's units: exactly this much identifies the order. */
  amount: string;
  /** Received so far, decimal in the coin's units. */
  received: string;
  status: PaymentRecordStatus;
  expiresAt: string;
  uri: string;
}

/** An invoice as the admin sees it (the admin API's snake_case, times to the second). */
export interface PaymentRecordView {
  id: string;
  provider: string;
  order_id: string | null;
  /** crypto, alipay or wechat. */
  method: string;
  /** What it pays for: an order, or a wallet top-up. */
  purpose: 'order' | 'topup';
  /** The coin; for a gateway's crypto charge, the coin asked; "" for Alipay and WeChat Pay. */
  coin: string;
  address: string;
  /** For a gateway charge: the currency its amounts are in (null for own-address crypto, counted in the coin). */
  currency: string | null;
  /** The gateway's own id for it (null for own-address crypto). */
  external_id: string | null;
  amount: string;
  received: string;
  /** What came in above the amount asked (decimal, "0" when none). */
  surplus: string;
  status: PaymentRecordStatus;
  /** The transfer of an `unmatched` record (what `souk payment confirm --txid` takes); null for an invoice. */
  txid: string | null;
  refund_due: boolean;
  /** Where a refund through the gateway stands: owed, pending, refunded; null when none was asked. */
  refund_status: string | null;
  expires_at: string;
  uri: string;
  created_at: string;
  updated_at: string;
}

function amountOf(payment: PaymentsTable, units: bigint): string {
  const spec = COIN_SPECS[payment.asset as Coin];
  return unitsToDecimal(units, spec.decimals, spec.shown);
}

function exactAmountOf(payment: PaymentsTable, units: bigint): string {
  const spec = COIN_SPECS[payment.asset as Coin];
  // Received amounts are whatever was sent: all decimals, trailing zeros past the shown ones trimmed.
  const text = unitsToDecimal(units, spec.decimals);
  const [whole, fraction = ''] = text.split('.');
  const kept = fraction.replace(/0+$/, '').padEnd(spec.shown, '0');
  return kept ? `${whole}.${kept}` : whole!;
}

/** The buyer's view of an invoice (times in the wire format). */
export function cryptoPaymentView(payment: PaymentsTable): CryptoPaymentView {
  const spec = COIN_SPECS[payment.asset as Coin];
  const expected = BigInt(payment.expected_units);
  const amount = amountOf(payment, expected);
  return {
    method: 'crypto',
    coin: spec.coin,
    address: payment.address ?? '',
    amount,
    received: exactAmountOf(payment, BigInt(payment.received_units)),
    status: payment.status,
    expiresAt: wireTime(payment.expires_at),
    uri: paymentUri(spec, payment.address ?? '', expected, amount),
  };
}

/** The admin's view of an invoice, or of a gateway's charge. */
export function paymentRecordView(payment: PaymentsTable): PaymentRecordView {
  const surplus = BigInt(payment.received_units) - BigInt(payment.expected_units);
  if (payment.provider !== CRYPTO_PROVIDER) {
    const charge = gatewayPaymentView(payment);
    return {
      id: payment.id,
      provider: payment.provider,
      order_id: payment.order_id,
      method: charge.method,
      purpose: payment.purpose,
      coin: charge.coin ?? '',
      address: charge.address ?? '',
      currency: payment.asset,
      external_id: payment.external_id,
      amount: charge.amount,
      received: formatMinor(Number(payment.received_units), payment.asset),
      surplus: formatMinor(surplus > 0n ? Number(surplus) : 0, payment.asset),
      status: payment.status,
      txid: null,
      refund_due: payment.refund_due === 1,
      refund_status: payment.refund_status,
      expires_at: charge.expiresAt,
      uri: charge.uri ?? charge.checkoutUrl ?? charge.qrCode ?? '',
      created_at: wireTime(payment.created_at),
      updated_at: wireTime(payment.updated_at),
    };
  }
  const buyer = cryptoPaymentView(payment);
  return {
    id: payment.id,
    provider: payment.provider,
    order_id: payment.order_id,
    method: buyer.method,
    purpose: payment.purpose,
    coin: buyer.coin,
    address: buyer.address,
    currency: null,
    external_id: null,
    amount: buyer.amount,
    received: buyer.received,
    surplus: exactAmountOf(payment, surplus > 0n ? surplus : 0n),
    status: buyer.status,
    txid: payment.status === 'unmatched' && payment.external_id ? payment.external_id.slice(payment.external_id.indexOf(':') + 1) : null,
    refund_due: payment.refund_due === 1,
    refund_status: payment.refund_status,
    expires_at: buyer.expiresAt,
    uri: buyer.uri,
    created_at: wireTime(payment.created_at),
    updated_at: wireTime(payment.updated_at),
  };
}

/** The crypto invoices of these orders, by order id (what the shop shows with an order). */
export async function cryptoPaymentsOf(db: Db, orderIds: readonly string[]): Promise<Map<string, CryptoPaymentView>> {
  if (orderIds.length === 0) return new Map();
  const rows = await db.selectFrom('payments').selectAll().where('provider', '=', CRYPTO_PROVIDER).where('order_id', 'in', [...orderIds]).execute();
  return new Map(rows.map((row) => [row.order_id!, cryptoPaymentView(row)]));
}

export interface PaymentListFilter {
  status?: string;
  limit?: number;
}

/** Invoices, newest first, optionally of one status. */
export async function listPayments(db: Db, filter: PaymentListFilter = {}): Promise<PaymentRecordView[]> {
  if (filter.status !== undefined && !(PAYMENT_STATUSES as readonly string[]).includes(filter.status)) {
    throw new ValidationFailed(`No payment status "${filter.status.slice(0, 40)}"; one of ${PAYMENT_STATUSES.join(', ')}.`, [{ field: 'status', message: `one of ${PAYMENT_STATUSES.join(', ')}` }]);
  }
  let query = db.selectFrom('payments').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit ?? 100);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status as PaymentRecordStatus);
  return (await query.execute()).map(paymentRecordView);
}

/** The order ended unpaid: its waiting invoice ends too (expired, or partial if something came), and its amount is free again. */
export async function closeOrderInvoice(tx: Db, orderId: string): Promise<void> {
  const now = nowIso();
  const waiting = tx.updateTable('payments').where('provider', '=', CRYPTO_PROVIDER).where('order_id', '=', orderId).where('waiting', '=', 1);
  await waiting.set({ status: 'expired', waiting: null, updated_at: now }).where('received_units', '=', '0').execute();
  await waiting.set({ status: 'partial', waiting: null, updated_at: now }).execute();
}

/** A paid order is refunded: the coins are owed back to the buyer (no provider sends them yet). */
export async function markRefundDue(tx: Db, orderId: string): Promise<void> {
  await tx.updateTable('payments').set({ refund_due: 1, updated_at: nowIso() }).where('provider', '=', CRYPTO_PROVIDER).where('order_id', '=', orderId).execute();
}
