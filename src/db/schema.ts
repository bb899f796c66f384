// Table types as Kysely sees them. Times are ISO-8601 UTC text, money is integer minor units,
// JSON columns are text, booleans are 0/1: the same on SQLite and PostgreSQL.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { AccountsTable, ApiKeysTable, CustomersTable, SeenSignaturesTable, TokenFamiliesTable, UsersTable, ConsoleSessionsTable } from './schema/accounts.js';
import type { CategoriesTable, CategoryTypesTable, PriceTiersTable, ProductsTable } from './schema/catalog.js';
import type { ApiFailuresTable, CouponRedemptionsTable, CouponsTable, FxRatesTable, IdempotencyAnswersTable, LedgerEntriesTable, OrderEventsTable, OrderItemsTable, OrdersTable, OrderStockWaitsTable, StockItemsTable, WalletsTable } from './schema/orders.js';
import type { StepRunsTable, StepRunStepsTable } from './schema/steps.js';
import type { CallbackSecretsTable, OrderMailsTable, OutboxCursorsTable, OutboxEventsTable, ProductUpdateMarksTable, WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from './schema/events.js';
import type { JobSchedulesTable, JobsTable } from './schema/jobs.js';
import type { ProvidersTable, UpstreamOrdersTable, UpstreamProductsTable } from './schema/upstream.js';
import type { PaymentAddressesTable, PaymentReceiptsTable, PaymentsTable } from './schema/payments.js';
import type { TradeInCodesTable, TradeInsTable } from './schema/trade-ins.js';
import type { ZidCategoriesTable, ZidFulfilmentsTable, ZidOauthStatesTable, ZidOrdersTable, ZidProductsTable, ZidStoresTable } from './schema/zid.js';

export type * from './schema/accounts.js';
export type * from './schema/catalog.js';
export type * from './schema/orders.js';
export { ORDER_CHANNELS, ORDER_COLUMNS, ORDER_STATUSES } from './schema/orders.js';
export type * from './schema/events.js';
export type * from './schema/steps.js';
export type * from './schema/jobs.js';
export type * from './schema/upstream.js';
export type * from './schema/zid.js';
export type * from './schema/payments.js';
export type * from './schema/trade-ins.js';
export { PAYMENT_STATUSES } from './schema/payments.js';

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

export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  console_sessions: ConsoleSessionsTable;
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
  order_stock_waits: OrderStockWaitsTable;
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
  step_runs: StepRunsTable;
  step_run_steps: StepRunStepsTable;
  jobs: JobsTable;
  payments: PaymentsTable;
  payment_receipts: PaymentReceiptsTable;
  payment_addresses: PaymentAddressesTable;
  job_schedules: JobSchedulesTable;
  providers: ProvidersTable;
  upstream_products: UpstreamProductsTable;
  upstream_orders: UpstreamOrdersTable;
  zid_stores: ZidStoresTable;
  zid_oauth_states: ZidOauthStatesTable;
  zid_products: ZidProductsTable;
  zid_categories: ZidCategoriesTable;
  zid_orders: ZidOrdersTable;
  zid_fulfilments: ZidFulfilmentsTable;
  trade_ins: TradeInsTable;
  trade_in_codes: TradeInCodesTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type CategoryRow = Selectable<CategoriesTable>;
export type CategoryTypeRow = Selectable<CategoryTypesTable>;
export type ProductRow = Selectable<ProductsTable>;
export type NewProduct = Insertable<ProductsTable>;
export type ProductUpdate = Updateable<ProductsTable>;
