// Stock, wallets and their ledger, orders with their events and delivered items, idempotency,
// the API failures log, FX rates, price tiers and the audit log.
import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../index.js';
import type { Migration } from '../migrate.js';

type Table = CreateTableBuilder<string, never>;
const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
const time = 'varchar(40)';

function withId(table: Table, dialect: Dialect): Table {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  const schema = tx.schema;

  await schema.alterTable('products').addColumn('stock_mode', 'varchar(10)', (c) => c.notNull().defaultTo('unique')).execute();

  await withId(schema.createTable('stock_items'), dialect)
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
    .addColumn('code_enc', 'text', notNull)
    .addColumn('code_hmac', 'varchar(64)', notNull)
    .addColumn('status', 'varchar(12)', (c) => c.notNull().defaultTo('available'))
    .addColumn('order_id', 'varchar(26)')
    .addColumn('batch', 'varchar(80)')
    .addColumn('demo', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reserved_until', time)
    .addColumn('created_at', time, notNull)
    .addColumn('sold_at', time)
    .addUniqueConstraint('stock_items_code_unique', ['product_id', 'code_hmac'])
    .execute();
  await schema.createIndex('stock_items_pick').on('stock_items').columns(['product_id', 'status', 'id']).execute();
  await schema.createIndex('stock_items_order').on('stock_items').column('order_id').execute();

  await withId(schema.createTable('wallets'), dialect)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('currency', 'varchar(3)', notNull)
    .addColumn('balance_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('credit_limit_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', time, notNull)
    .addUniqueConstraint('wallets_account_currency', ['account_id', 'currency'])
    .addCheckConstraint('wallets_within_credit', sql.raw('balance_minor + credit_limit_minor >= 0'))
    .execute();

  await withId(schema.createTable('ledger_entries'), dialect)
    .addColumn('wallet_id', 'bigint', (c) => c.notNull().references('wallets.id'))
    .addColumn('amount_minor', 'bigint', notNull)
    .addColumn('balance_after_minor', 'bigint', notNull)
    .addColumn('kind', 'varchar(20)', notNull)
    .addColumn('reference', 'varchar(120)')
    .addColumn('memo', 'varchar(500)')
    .addColumn('actor', 'varchar(120)')
    .addColumn('created_at', time, notNull)
    .execute();
  await schema.createIndex('ledger_entries_wallet').on('ledger_entries').columns(['wallet_id', 'id']).execute();

  await schema
    .createTable('orders')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('number', 'varchar(20)', (c) => c.notNull().unique())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('channel', 'varchar(20)', notNull)
    .addColumn('client_order_id', 'varchar(120)')
    .addColumn('request_hash', 'varchar(64)')
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
    .addColumn('quantity', 'integer', notNull)
    .addColumn('unit_price_minor', 'bigint', notNull)
    .addColumn('currency', 'varchar(3)', notNull)
    .addColumn('total_minor', 'bigint', notNull)
    .addColumn('charged_minor', 'bigint', notNull)
    .addColumn('charged_currency', 'varchar(3)', notNull)
    .addColumn('fx_rate', 'varchar(40)')
    .addColumn('status', 'varchar(20)', notNull)
    .addColumn('payment_status', 'varchar(20)', notNull)
    .addColumn('fulfillment', 'varchar(20)', notNull)
    .addColumn('wallet_id', 'bigint')
    .addColumn('buyer_name', 'varchar(200)')
    .addColumn('buyer_email', 'varchar(320)')
    .addColumn('delivery_channel', 'varchar(20)', notNull)
    .addColumn('callback_url', 'varchar(2000)')
    .addColumn('fields', 'text', notNull)
    .addColumn('reason', 'varchar(500)')
    .addColumn('expires_at', time)
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addUniqueConstraint('orders_client_order_id', ['account_id', 'client_order_id'])
    .execute();
  await schema.createIndex('orders_account_created').on('orders').columns(['account_id', 'id']).execute();
  await schema.createIndex('orders_status').on('orders').columns(['status', 'expires_at']).execute();

  await withId(schema.createTable('order_items'), dialect)
    .addColumn('order_id', 'varchar(26)', (c) => c.notNull().references('orders.id'))
    .addColumn('stock_item_id', 'bigint', (c) => c.notNull().references('stock_items.id'))
    .addColumn('created_at', time, notNull)
    .execute();
  await schema.createIndex('order_items_order').on('order_items').column('order_id').execute();
  await schema.createIndex('order_items_stock_item').on('order_items').column('stock_item_id').execute();

  await withId(schema.createTable('order_events'), dialect)
    .addColumn('order_id', 'varchar(26)', (c) => c.notNull().references('orders.id'))
    .addColumn('from_status', 'varchar(20)')
    .addColumn('to_status', 'varchar(20)', notNull)
    .addColumn('reason', 'varchar(500)')
    .addColumn('actor', 'varchar(120)', notNull)
    .addColumn('created_at', time, notNull)
    .execute();
  await schema.createIndex('order_events_order').on('order_events').columns(['order_id', 'id']).execute();

  await schema
    .createTable('idempotency_keys')
    .addColumn('account_id', 'integer', notNull)
    .addColumn('key', 'varchar(200)', notNull)
    .addColumn('request_hash', 'varchar(64)', notNull)
    .addColumn('status_code', 'integer')
    .addColumn('response', 'text')
    .addColumn('created_at', time, notNull)
    .addColumn('expires_at', time, notNull)
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'key'])
    .execute();

  await withId(schema.createTable('api_failures'), dialect)
    .addColumn('account_id', 'integer')
    .addColumn('key_id', 'varchar(40)')
    .addColumn('method', 'varchar(10)', notNull)
    .addColumn('route', 'varchar(200)', notNull)
    .addColumn('status', 'integer', notNull)
    .addColumn('error_code', 'varchar(60)', notNull)
    .addColumn('message', 'varchar(500)', notNull)
    .addColumn('request_excerpt', 'text', notNull)
    .addColumn('request_id', 'varchar(100)', notNull)
    .addColumn('created_at', time, notNull)
    .execute();
  await schema.createIndex('api_failures_created').on('api_failures').columns(['created_at']).execute();

  await schema
    .createTable('fx_rates')
    .addColumn('base', 'varchar(3)', notNull)
    .addColumn('quote', 'varchar(3)', notNull)
    .addColumn('rate', 'varchar(40)', notNull)
    .addColumn('updated_at', time, notNull)
    .addPrimaryKeyConstraint('fx_rates_pk', ['base', 'quote'])
    .execute();

  await schema
    .createTable('price_tiers')
    .addColumn('name', 'varchar(50)', (c) => c.primaryKey())
    .addColumn('discount_bp', 'integer', notNull)
    .addColumn('updated_at', time, notNull)
    .execute();

  await withId(schema.createTable('audit_log'), dialect)
    .addColumn('actor', 'varchar(120)', notNull)
    .addColumn('action', 'varchar(60)', notNull)
    .addColumn('subject', 'varchar(120)', notNull)
    .addColumn('detail', 'text')
    .addColumn('created_at', time, notNull)
    .execute();
}

export const orders: Migration = { name: '0002-orders', up };
