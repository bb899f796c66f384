// Table types as Kysely sees them. Times are ISO-8601 UTC text, money is integer minor units,
// JSON columns are text, booleans are 0/1: the same on SQLite and PostgreSQL.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface AccountsTable {
  id: Generated<number>;
  kind: 'admin' | 'reseller' | 'partner' | 'customer';
  name: string;
  currency: string;
  /** `closed`: the account no longer exists for its keys and logins; its rows stay for the books. */
  status: 'active' | 'suspended' | 'closed';
  rate_limit_per_minute: number | null;
  credit_limit_minor: Generated<number>;
  tier: string | null;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  account_id: number;
  username: string;
  password_hash: string;
  disabled_at: string | null;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  account_id: number;
  /** The first characters of the key, shown in lists so an owner can tell keys apart. */
  prefix: string;
  key_hash: string;
  scopes: string;
  label: string | null;
  signing_secret_enc: string | null;
  require_signature: number;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A login's chain of refresh tokens; only the current one's id is kept (core/accounts/token-families.ts). */
export interface TokenFamiliesTable {
  id: string;
  subject: string;
  current_jti: string;
  created_at: string;
  refreshed_at: string | null;
  expires_at: string;
  revoked_at: string | null;
}

export interface SeenSignaturesTable {
  key_id: string;
  signature: string;
  timestamp: number;
  seen_at: number;
  /** The request's own reference that a repeat must carry to count as a retry; null: none may repeat. */
  binding: string | null;
}

export interface CategoriesTable {
  id: Generated<number>;
  parent_id: number | null;
  slug: string;
  name: string;
  position: number;
  created_at: string;
  updated_at: string;
}

export interface CategoryTypesTable {
  id: Generated<number>;
  category_id: number;
  slug: string;
  name: string;
  position: number;
  created_at: string;
}

export interface ProductsTable {
  id: Generated<number>;
  code: string;
  slug: string;
  category_id: number | null;
  type_id: number | null;
  name: string;
  description: string;
  price_minor: number;
  currency: string;
  min_quantity: number;
  max_quantity: number;
  status: 'active' | 'inactive' | 'archived';
  fulfillment: 'stock' | 'upstream' | 'manual';
  fields: string;
  stock_available: number;
  stock_mode: Generated<'unique' | 'shared'>;
  created_at: string;
  updated_at: string;
}

export interface StockItemsTable {
  id: Generated<number>;
  product_id: number;
  code_enc: string;
  code_hmac: string;
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

export interface FxRatesTable {
  base: string;
  quote: string;
  rate: string;
  updated_at: string;
}

export interface PriceTiersTable {
  name: string;
  discount_bp: number;
  updated_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor: string;
  action: string;
  subject: string;
  detail: string | null;
  created_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface MigrationsTable {
  name: string;
  applied_at: string;
}

export interface OutboxEventsTable {
  id: Generated<number>;
  /** The public id (`evt_…`): the `webhook-id` of every delivery and what an ack names. */
  event_id: string;
  type: string;
  /** The owner; null for events every account may see (product updates). */
  account_id: number | null;
  order_id: string | null;
  /** Only this endpoint receives it (test events). */
  endpoint_id: string | null;
  /** The order's own callback URL, which receives the order's events too. */
  callback_url: string | null;
  payload: string;
  /** Set when the worker publishes the event; the polling cursor. */
  position: number | null;
  created_at: string;
}

export interface WebhookEndpointsTable {
  id: string;
  account_id: number;
  url: string;
  /** JSON array of event types; empty means every type. */
  events: string;
  include_items: number;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_until: string | null;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  failure_streak: number;
  /** Set while the circuit breaker is open; left in the past once the pause is over, until a success closes it. */
  paused_until: string | null;
  /** While in the future, the one probe to this paused endpoint is in flight and nothing else is sent to it. */
  probe_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface CallbackSecretsTable {
  account_id: number;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  event_id: number;
  account_id: number;
  endpoint_id: string | null;
  callback_url: string | null;
  chain: string | null;
  status: 'pending' | 'sending' | 'delivered' | 'acked' | 'dead';
  attempts: number;
  next_attempt_at: string;
  claim_token: string | null;
  locked_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  attempted_at: string;
}

export interface ProductUpdateMarksTable {
  product_id: number;
  stock_available: number;
  published_at: string;
}

export interface CustomersTable {
  id: Generated<number>;
  account_id: number;
  /** Lower-cased. */
  email: string;
  password_hash: string;
  disabled_at: string | null;
  created_at: string;
}

export interface OrderMailsTable {
  id: Generated<number>;
  order_id: string;
  event_id: string;
  recipient: string;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: string;
  claim_token: string | null;
  locked_until: string | null;
  last_error: string | null;
  message_id: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

export interface OutboxCursorsTable {
  consumer: string;
  position: number;
  updated_at: string;
}

export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  seen_signatures: SeenSignaturesTable;
  categories: CategoriesTable;
  category_types: CategoryTypesTable;
  products: ProductsTable;
  settings: SettingsTable;
  souk_migrations: MigrationsTable;
  stock_items: StockItemsTable;
  wallets: WalletsTable;
  ledger_entries: LedgerEntriesTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_events: OrderEventsTable;
  idempotency_answers: IdempotencyAnswersTable;
  api_failures: ApiFailuresTable;
  fx_rates: FxRatesTable;
  price_tiers: PriceTiersTable;
  audit_log: AuditLogTable;
  outbox_events: OutboxEventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  callback_secrets: CallbackSecretsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  product_update_marks: ProductUpdateMarksTable;
  customers: CustomersTable;
  coupons: CouponsTable;
  coupon_redemptions: CouponRedemptionsTable;
  order_mails: OrderMailsTable;
  outbox_cursors: OutboxCursorsTable;
  token_families: TokenFamiliesTable;
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

export type AccountRow = Selectable<AccountsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type CategoryRow = Selectable<CategoriesTable>;
export type CategoryTypeRow = Selectable<CategoryTypesTable>;
export type ProductRow = Selectable<ProductsTable>;
export type NewProduct = Insertable<ProductsTable>;
export type ProductUpdate = Updateable<ProductsTable>;
