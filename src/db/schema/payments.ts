// Table types: payments Souk waits for, the transfers credited to them, and the owner's receiving addresses (core/payments).
import type { Generated } from 'kysely';

/**
 * open: waiting, nothing yet · partial: less than asked (waiting, or ended so) · paid · overpaid · expired: ended unpaid ·
 * late: arrived after the order ended · unmatched: a transfer a chain watcher saw that pays no invoice (no order; for the admin).
 */
export const PAYMENT_STATUSES = ['open', 'partial', 'paid', 'overpaid', 'expired', 'late', 'unmatched'] as const;
export type PaymentRecordStatus = (typeof PAYMENT_STATUSES)[number];

export interface PaymentsTable {
  id: string;
  /** The provider that opened it ('crypto' …). */
  provider: string;
  /** The provider's own reference (a BTCPay invoice id …); unique per provider. */
  external_id: string | null;
  order_id: string | null;
  /** A coin (trc20_usdt …) or a currency code: what the amounts count. */
  asset: string;
  address: string | null;
  /** Integers in the asset's smallest unit, as decimal text. */
  expected_units: string;
  received_units: string;
  status: PaymentRecordStatus;
  /** 1 while the payment waits, null once it has ended. */
  waiting: number | null;
  /** 1 when money came that no goods answer: owed back to the buyer. */
  refund_due: number;
  expires_at: string;
  created_at: string;
  updated_at: string;
  /** order: pays `order_id` · topup: credits `credit_minor` to `wallet_id`. */
  purpose: PaymentPurpose;
  wallet_id: number | null;
  credit_minor: number | null;
  /** JSON: what the buyer is shown to pay (checkout URL, QR code content, address); never a secret. */
  checkout: string | null;
  refund_status: PaymentRefundStatus | null;
  /** Who asked for it (a top-up's customer or key). */
  actor: string | null;
}

export type PaymentPurpose = 'order' | 'topup';
/** owed: recorded, not sent · pending: asked of the gateway · refunded: given back there. */
export type PaymentRefundStatus = 'owed' | 'pending' | 'refunded';

export interface PaymentReceiptsTable {
  id: Generated<number>;
  payment_id: string;
  asset: string;
  txid: string;
  units: string;
  actor: string;
  created_at: string;
}

export interface PaymentAddressesTable {
  coin: string;
  address: string;
  updated_by: string;
  updated_at: string;
}
