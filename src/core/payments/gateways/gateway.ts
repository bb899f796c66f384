// A payment gateway: a payment service outside Souk that takes the buyer's money on its own page
// or app (BTCPay Server, Alipay, WeChat Pay), one folder each beside this file. Souk opens a
// charge there for an order or a wallet top-up, and believes it paid only when the gateway says so
// in a notification whose signature checks, or when Souk asks the gateway itself (a lookup): never
// because a browser came back from the checkout. Everything about one service's wire (its
// signatures, its amounts as decimal strings or fen, its answers) stays inside its folder; core
// sees only these types, in minor units of the charge's currency.
import type { Coin } from '../methods.js';

export type GatewayName = 'btcpay' | 'alipay' | 'wechat';
export const GATEWAY_NAMES: readonly GatewayName[] = ['btcpay', 'alipay', 'wechat'];

/** Seed 004's paymentMethod a gateway serves: BTCPay takes crypto, the others their own name. */
export type GatewayMethod = 'crypto' | 'alipay' | 'wechat';

/** What Souk asks a gateway to charge. */
export interface GatewayCharge {
  /**
   * Souk's reference for the charge (a ULID, the `payments` row id): the gateway's merchant
   * order number (Alipay/WeChat `out_trade_no`, BTCPay `metadata.orderId`). Unique per charge, so
   * opening it again after a timeout finds the same charge instead of a second one.
   */
  reference: string;
  /** What is asked, in minor units of `currency` (fen, cents). */
  amountMinor: number;
  /** ISO 4217: the gateway's currency (see PaymentGateway.currency). */
  currency: string;
  /** A short text the buyer sees on the gateway's page ("Souk order SK-…", "Wallet top-up"). */
  subject: string;
  /** Until when it may be paid (UTC ISO): the gateway closes it then, where it can. */
  expiresAt: string;
  /** Where the gateway posts its notifications: `<SOUK_PUBLIC_URL>/hooks/payments/<name>`. */
  notifyUrl: string;
  /** Where the buyer's browser goes back to afterwards (informational only: it credits nothing). */
  returnUrl?: string;
  /** For BTCPay: the coin the buyer chose. */
  coin?: Coin;
}

/** What the buyer is shown to pay an opened charge; at least one of checkoutUrl and qrCode. */
export interface OpenedCharge {
  /** The gateway's own id for the charge (BTCPay invoice id); the reference again where the gateway has none before payment (Alipay, WeChat). */
  externalId: string;
  /** A page to send the buyer to (BTCPay checkout, Alipay page pay). */
  checkoutUrl?: string;
  /** What a QR code shows (WeChat Native `code_url`, Alipay precreate `qr_code`). */
  qrCode?: string;
  /** BTCPay crypto: where to pay and how much, in the coin. */
  address?: string;
  amount?: string;
  uri?: string;
}

/** A notification as it reached Souk: its headers (lower-case names) and raw body. */
export interface GatewayNotice {
  headers: Readonly<Record<string, string | undefined>>;
  /** The raw body, exactly as sent (signatures are over these bytes). */
  body: string;
  contentType: string;
}

/** What a gateway says of a charge, from a verified notification or a lookup. */
export interface ChargeState {
  /** Which charge: the externalId opened (or, where the gateway reports our reference, that reference). */
  externalId: string;
  /**
   * paid: the money is the merchant's · waiting: not (yet) paid · closed: it will not be paid
   * (expired, closed, invalid) · refunded: given back at the gateway.
   */
  outcome: 'paid' | 'waiting' | 'closed' | 'refunded';
  /**
   * For `paid`: the gateway's own id of the payment (Alipay trade_no, WeChat transaction_id,
   * BTCPay invoice id): a payment is credited once per (gateway, paymentId), whoever reports it.
   */
  paymentId?: string;
  /**
   * For `paid`: what this payment paid, minor units of `currency`. For `waiting` and `closed`: what
   * has been paid short so far, in all (a BTCPay invoice paid in part), recorded as a partial payment
   * for the admin and never credited; a later `paid` of the same charge reports the whole again.
   */
  paidMinor?: number;
  currency?: string;
}

/** A verified notification: what it says, or null when it speaks of no payment (BTCPay's InvoiceCreated). */
export type VerifiedNotice = ChargeState | null;

/** The answer a gateway expects to a notification (Alipay the text `success`, WeChat JSON, BTCPay any 2xx). */
export interface NoticeAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** A refund asked of the gateway. */
export interface GatewayRefund {
  /** Souk's reference for the refund (unique: asking again with it does not refund twice). */
  reference: string;
  amountMinor: number;
  /** What the charge took in all (WeChat asks for both). */
  totalMinor: number;
  currency: string;
  reason: string;
}

/** refunded: done · pending: the gateway accepted it and will finish later · owed: the gateway cannot refund it (BTCPay on chain): recorded as owed. */
export type RefundOutcome = 'refunded' | 'pending' | 'owed';

/** A refund's outcome with where the buyer claims it, when the gateway makes a claim page (BTCPay's pull payment). */
export interface RefundResult {
  outcome: RefundOutcome;
  /** A public page where the buyer claims the money (never a secret in it). */
  claimUrl?: string;
}

export interface PaymentGateway {
  readonly name: GatewayName;
  readonly method: GatewayMethod;
  /** The currency its charges are in (Alipay and WeChat Pay: CNY; BTCPay: its store's). */
  readonly currency: string;
  /** For a crypto gateway: the coins it takes. */
  readonly coins: readonly Coin[];
  /** Opens a charge (or finds the one already opened with this reference). Throws GatewayUnavailable when the gateway cannot be reached or refuses. */
  open(charge: GatewayCharge): Promise<OpenedCharge>;
  /** Checks the notification's signature (and opens what it seals); throws NotificationRefused when it does not check. */
  verify(notice: GatewayNotice): Promise<VerifiedNotice>;
  /** What to answer the gateway: accepted (credited, or known and changing nothing) or not (it will send again). */
  answer(accepted: boolean): NoticeAnswer;
  /** Asks the gateway where a charge stands. Throws GatewayUnavailable when it cannot be reached. */
  lookUp(externalId: string): Promise<ChargeState>;
  /** Gives money back for a paid charge, at most once per refund reference. */
  refund(externalId: string, refund: GatewayRefund): Promise<RefundOutcome | RefundResult>;
  /** A cheap authenticated call: resolves when the gateway is reachable and takes Souk's credentials. */
  ping(): Promise<void>;
}
