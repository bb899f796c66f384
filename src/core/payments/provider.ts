// How an order is paid. Each way is one provider in providers/ (wallet, deferred, external; the
// payment connectors add theirs): it admits a payment before the order is priced, starts it when
// the order is written, verifies the notifications its payment service sends, looks a payment up
// and refunds it. Orders call only this interface; which provider an order gets is the kind its
// request names, looked up in the app's registry (registry.ts). Money moves stay in core/wallets:
// a provider calls the wallet functions, it never writes a wallet itself.
import type { Db } from '../../db/index.js';
import type { OrdersTable, PaymentStatus } from '../../db/schema.js';
import type { Money } from '../money.js';
import type { Coin } from './methods.js';
import { GATEWAY_NAMES, type GatewayName } from './gateways/gateway.js';

/** How a buyer asks to pay for an order. */
export type PaymentRequest =
  /** From a wallet now: the account's own currency's, or the one `currency` names (priced by the FX table). */
  | { kind: 'wallet'; currency?: string }
  /** Later: the goods are held until `holdSeconds` pass, and the order expires unless its payment arrives. */
  | { kind: 'deferred'; holdSeconds: number }
  /** Paid outside Souk (the buyer paid a Zid store): no wallet is charged, and a refund moves no wallet money. */
  | { kind: 'external' }
  /**
   * To the owner's own address for `coin`, an exact amount (providers/crypto): priced in USD, the
   * goods held for `holdSeconds` like a deferred payment; the invoice is opened once the order is written.
   */
  | { kind: 'crypto'; coin: Coin; holdSeconds: number }
  /**
   * Through a payment gateway (gateways/): the goods held for `holdSeconds` while the buyer pays on
   * the gateway's page or app; the charge is opened once the order is written. `coin` for BTCPay.
   */
  | { kind: GatewayName; holdSeconds: number; coin?: Coin };

export type PaymentKind = PaymentRequest['kind'];

const PAYMENT_KINDS: ReadonlySet<string> = new Set<PaymentKind>(['wallet', 'deferred', 'external', 'crypto', ...GATEWAY_NAMES]);

/** True when `value` names a kind of payment (an order's recorded `payment_provider`). */
export function isPaymentKind(value: string): value is PaymentKind {
  return PAYMENT_KINDS.has(value);
}
export type PaymentRequestOf<K extends PaymentKind> = Extract<PaymentRequest, { kind: K }>;

/** True when `request` is of `kind`: how a provider reads the fields of its own kind's requests. */
export function isRequestOf<K extends PaymentKind>(request: PaymentRequest, kind: K): request is PaymentRequestOf<K> {
  return request.kind === kind;
}

/** The buyer as placement read it. */
export interface PayingBuyer {
  currency: string;
  /** The shop's wallet checkout switch. */
  walletCheckout: boolean;
}

/** What a payment is admitted with: the currency the order is charged in. */
export interface AdmittedPayment {
  currency: string;
}

export interface PaymentStart {
  /** The wallet the order is booked to (its `wallet_id`). */
  walletId: number;
  /** What the order costs, in the admitted currency. */
  charged: Money;
  /** The order's time of placement (`nowIso()`). */
  at: string;
}

/** A started payment: paid in the order's own transaction (with its wallet debit, if any), or pending until it arrives. */
export type StartedPayment =
  | { status: 'paid'; debit: { walletId: number; amountMinor: number } | null }
  | { status: 'pending'; holdUntil: string; reason: string };

/** A stored order, as a provider looks it up or refunds it. */
export type PaidOrder = Pick<OrdersTable, 'id' | 'channel' | 'payment_status' | 'charged_minor' | 'charged_currency' | 'wallet_id'>;

/** A notification as a payment service sent it: its headers and its raw body. */
export interface PaymentNotice {
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

/** What a verified notification says happened to an order's payment. */
export interface VerifiedPayment {
  orderId: string;
  outcome: 'paid' | 'failed';
  amount: Money;
  /** The payment service's own reference for it. */
  reference: string;
}

/** A payment as its provider knows it. */
export interface PaymentLookup {
  status: PaymentStatus;
  /** What it took from a wallet, and gave back to one (zero when no wallet money moved). */
  walletCharged: Money;
  walletRefunded: Money;
}

/** Who refunds, and why (the ledger's actor and memo). */
export interface RefundChange {
  actor: string;
  memo: string;
}

/** A way to pay. The registry hands each provider only requests of its own kind. */
export interface PaymentProvider {
  readonly kind: PaymentKind;
  /** Checks, before anything is priced, that this payment can be made, and says which currency it charges. */
  admit(request: PaymentRequest, buyer: PayingBuyer): AdmittedPayment;
  /** Starts the payment of an order about to be written: what its transaction takes, or until when it waits. */
  start(request: PaymentRequest, start: PaymentStart): Promise<StartedPayment>;
  /** Checks a notification really comes from the payment service and says what it reports; NotFound for a provider that takes none. */
  verifyNotification(notice: PaymentNotice): Promise<VerifiedPayment>;
  /** Where the order's payment stands. */
  lookUp(db: Db, order: PaidOrder): Promise<PaymentLookup>;
  /** Gives a paid order's money back, in the transaction that refunds (or ends) it. */
  refund(tx: Db, order: PaidOrder, change: RefundChange): Promise<void>;
  /** An unpaid order ended (cancelled, rejected, expired), in the transaction that ends it: closes whatever the provider still waits for. */
  abandon(tx: Db, order: PaidOrder): Promise<void>;
}
