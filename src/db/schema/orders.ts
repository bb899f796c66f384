// Table types: Stock, wallets and their ledger, FX rates, orders with their items and events, coupons, stored answers and API failures.
import type { Generated } from 'kysely';

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
  kind: 'topup' | 'adjustment' | 'order' | 'refund';
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

export interface OrdersTable {
  id: string;
  number: string;
  account_id: number;
  channel: string;
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
  status: string;
  payment_status: string;
  fulfillment: string;
  wallet_id: number | null;
  buyer_name: string | null;
  buyer_email: string | null;
  delivery_channel: string;
  callback_url: string | null;
  fields: string;
  reason: string | null;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  coupon_id: number | null;
  /** Taken off total_minor by the coupon, in the product's currency. */
  discount_minor: number;
}

export interface OrderItemsTable {
  id: Generated<number>;
  order_id: string;
  stock_item_id: number;
  created_at: string;
}

export interface OrderEventsTable {
  id: Generated<number>;
  order_id: string;
  from_status: string | null;
  to_status: string;
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
  created_at: string;
}
