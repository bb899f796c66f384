// Table types: Stock, wallets and their ledger, FX rates, orders with their items and events, coupons, stored answers and API failures.
import type { Generated } from 'kysely';
import type { ProductsTable } from './catalog.js';

export interface StockItemsTable {
  id: Generated<number>;
  product_id: number;
  code_enc: string;
  code_hmac: string;
  /** The code's mask, sealed apart from it (core/inventory/codes.ts); null when the code was stored without one. */
  code_mask: string | null;
  status: 'available' | 'reserved' | 'sold' | 'void';
  order_id: string | null;
  batch: string | null;
  demo: number;
  reserved_until: string | null;
  created_at: string;
  sold_at: string | null;
}

export interface WalletsTable {
  id: Generated<number>;
  account_id: number;
  currency: string;
  balance_minor: number;
  credit_limit_minor: number;
  updated_at: string;
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  wallet_id: number;
  amount_minor: number;
  balance_after_minor: number;
  kind: 'topup' | 'adjustment' | 'order' | 'refund' | 'trade_in';
  reference: string | null;
  memo: string | null;
  actor: string | null;
  /** `<account id>:<Idempotency-Key>` of the request that made a top-up or adjustment; unique. */
  request_key: string | null;
  created_at: string;
}

export interface FxRatesTable {
  base: string;
  quote: string;
  rate: string;
  updated_at: string;
}

/** Where an order can stand; core/orders/status.ts holds the moves between them. */
export const ORDER_STATUSES = ['awaiting_payment', 'queued', 'processing', 'review', 'fulfilled', 'rejected', 'cancelled', 'expired', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Whether the order's money has come in, and whether it went back. */
export type PaymentStatus = 'pending' | 'paid' | 'refunded';

/** How an order gets its goods: the product's `fulfillment` when it was placed (core/fulfillment). */
export type FulfillmentKind = ProductsTable['fulfillment'];

/** Where an order was placed: the canonical API, seed 000's /v1, seed 004's shop, or a connected Zid store. */
export const ORDER_CHANNELS = ['api', 'partner', 'shop', 'zid'] as const;
export type OrderChannel = (typeof ORDER_CHANNELS)[number];

export type DeliveryChannel = 'api' | 'email';

export interface OrdersTable {
  id: string;
  number: string;
  account_id: number;
  channel: OrderChannel;
  client_order_id: string | null;
  /** The Idempotency-Key the order was placed with, unique per account. */
  idempotency_key: string | null;
  request_hash: string | null;
  product_id: number;
  quantity: number;
  unit_price_minor: number;
  currency: string;
  total_minor: number;
  charged_minor: number;
  charged_currency: string;
  fx_rate: string | null;
  status: OrderStatus;
  payment_status: PaymentStatus;
  /** How the order is paid: 'wallet' (charged at placement) or 'deferred' (paid later, outside the wallets). */
  payment_provider: string;
  fulfillment: FulfillmentKind;
  wallet_id: number | null;
  buyer_name: string | null;
  buyer_email: string | null;
  delivery_channel: DeliveryChannel;
  callback_url: string | null;
  fields: string;
  reason: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  coupon_id: number | null;
  /** Taken off total_minor by the coupon, in the product's currency. */
  discount_minor: number;
  /** The risk score at placement (core/risk); null when it was not scored. */
  risk_score: number | null;
  /** 'review': the order waits for a person once paid; 'allow' or null: it goes on. */
  risk_verdict: 'allow' | 'review' | null;
  /** JSON [{rule, points, reason}]: the rules that fired, in words. */
  risk_reasons: string | null;
  /** While it waits in review: when it is rejected and refunded if nobody decided. */
  review_until: string | null;
  /** The IP the order was placed from, when it came through the API. */
  client_ip: string | null;
}

/**
 * The orders table's columns, each once, in the order the writers insert them: a statement that
 * writes a whole order lists these (`insert into orders (${ORDER_COLUMNS})`), never its own copy.
 */
export const ORDER_COLUMNS = [
  'id', 'number', 'account_id', 'channel', 'client_order_id', 'idempotency_key', 'request_hash', 'product_id', 'quantity', 'unit_price_minor', 'currency',
  'total_minor', 'charged_minor', 'charged_currency', 'fx_rate', 'status', 'payment_status', 'payment_provider', 'fulfillment', 'wallet_id', 'buyer_name',
  'buyer_email', 'delivery_channel', 'callback_url', 'fields', 'reason', 'expires_at', 'created_at', 'updated_at', 'coupon_id', 'discount_minor',
  'risk_score', 'risk_verdict', 'risk_reasons', 'review_until', 'client_ip',
] as const satisfies ReadonlyArray<keyof OrdersTable>;
export type OrderColumn = (typeof ORDER_COLUMNS)[number];

// Compile-time proof that ORDER_COLUMNS names every column of OrdersTable (`satisfies` above
// proves it names nothing else): a column added to the type and not to the list fails here.
const _everyColumnListed: Record<Exclude<keyof OrdersTable, OrderColumn>, never> = {};

export interface OrderItemsTable {
  id: Generated<number>;
  order_id: string;
  stock_item_id: number;
  created_at: string;
}

/** An order paid outside Souk that waits for stock (core/orders/waiting-stock.ts): present exactly while it waits. */
export interface OrderStockWaitsTable {
  /** The order of arrival: the lowest is served first. */
  id: Generated<number>;
  order_id: string;
  product_id: number;
  quantity: number;
  /** When it started waiting (its order's created_at). */
  since: string;
}

export interface OrderEventsTable {
  id: Generated<number>;
  order_id: string;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  reason: string | null;
  actor: string;
  created_at: string;
}

export interface CouponsTable {
  id: Generated<number>;
  code: string;
  kind: 'percent' | 'amount';
  percent_bp: number | null;
  amount_minor: number | null;
  currency: string | null;
  product_id: number | null;
  usage_limit: number | null;
  per_customer_limit: number | null;
  used_count: Generated<number>;
  starts_at: string | null;
  ends_at: string | null;
  status: Generated<'active' | 'disabled'>;
  created_at: string;
  updated_at: string;
}

export interface CouponRedemptionsTable {
  id: Generated<number>;
  coupon_id: number;
  order_id: string;
  customer_key: string;
  discount_minor: number;
  created_at: string;
  released_at: string | null;
}

export interface IdempotencyAnswersTable {
  id: Generated<number>;
  account_id: number;
  key: string;
  request_hash: string;
  status_code: number | null;
  /** The answer, sealed (SecretBox): it may hold codes or other secrets. */
  response: string | null;
  /** While the first request runs: until when its claim holds. */
  locked_until: string | null;
  created_at: string;
  expires_at: string;
}

export interface ApiFailuresTable {
  id: Generated<number>;
  account_id: number | null;
  key_id: string | null;
  method: string;
  route: string;
  status: number;
  error_code: string;
  message: string;
  request_excerpt: string;
  request_id: string;
  /** For a call Souk made to an upstream provider: which, how, and for which local order (null for a request Souk answered). */
  provider_id: number | null;
  dialect: string | null;
  operation: string | null;
  order_id: string | null;
  created_at: string;
}
