// Upstream providers (core/upstream): the providers Souk buys from, with their credentials sealed;
// the local products imported from them, with the upstream price they were priced from; and one
// row per forwarded order, unique by the local order, written before the upstream is called, so a
// crash or a timeout is followed by a lookup, never by a second purchase. Failed calls to an
// upstream are logged in api_failures beside the failed requests Souk answered.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../index.js';
import type { Migration } from '../migrate.js';
import { notNull, time, withId } from './columns.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  const schema = tx.schema;
  await withId(schema.createTable('providers'), dialect)
    .addColumn('name', 'varchar(120)', notNull)
    .addColumn('base_url', 'varchar(500)', notNull)
    .addColumn('dialect', 'varchar(20)', notNull)
    .addColumn('credentials', 'text', notNull)
    .addColumn('currency', 'varchar(3)', notNull)
    .addColumn('sell_currency', 'varchar(3)', notNull)
    .addColumn('markup_bp', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('markup_fixed_minor', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rounding_minor', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sync_interval_seconds', 'integer', (c) => c.notNull().defaultTo(300))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('reachability', 'varchar(10)', (c) => c.notNull().defaultTo('unknown'))
    .addColumn('latency_ms', 'integer')
    .addColumn('balance_minor', 'bigint')
    .addColumn('last_ping_at', time)
    .addColumn('last_sync_at', time)
    .addColumn('last_error', 'varchar(500)')
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addUniqueConstraint('providers_name', ['name'])
    .execute();

  await schema
    .createTable('upstream_products')
    .addColumn('product_id', 'integer', (c) => c.primaryKey().references('products.id'))
    .addColumn('provider_id', 'integer', (c) => c.notNull().references('providers.id'))
    .addColumn('upstream_ref', 'varchar(200)', notNull)
    .addColumn('upstream_price_minor', 'bigint', notNull)
    .addColumn('upstream_stock', 'integer')
    .addColumn('upstream_status', 'varchar(10)', notNull)
    .addColumn('priced_minor', 'bigint', notNull)
    // Why sync took the product off sale (gone upstream, inactive there, priced above ours); null when it did not.
    .addColumn('paused', 'varchar(200)')
    .addColumn('synced_at', time, notNull)
    // One local product per upstream product: importing twice finds the first.
    .addUniqueConstraint('upstream_products_ref', ['provider_id', 'upstream_ref'])
    .execute();

  await schema
    .createTable('upstream_orders')
    .addColumn('order_id', 'varchar(40)', (c) => c.primaryKey().references('orders.id'))
    .addColumn('provider_id', 'integer', (c) => c.notNull().references('providers.id'))
    .addColumn('upstream_ref', 'varchar(200)', notNull)
    .addColumn('state', 'varchar(12)', notNull)
    // 'codes', or 'service' for an upstream that performs a service and delivers no code (an SMM panel).
    .addColumn('goods', 'varchar(10)', notNull)
    .addColumn('upstream_order_id', 'varchar(200)')
    .addColumn('wholesale_minor', 'bigint')
    .addColumn('last_error', 'varchar(1000)')
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .execute();
  await schema.createIndex('upstream_orders_state').on('upstream_orders').columns(['state', 'updated_at']).execute();

  await schema.alterTable('api_failures').addColumn('provider_id', 'integer').execute();
  await schema.alterTable('api_failures').addColumn('dialect', 'varchar(20)').execute();
  await schema.alterTable('api_failures').addColumn('operation', 'varchar(40)').execute();
  await schema.alterTable('api_failures').addColumn('order_id', 'varchar(40)').execute();
  await schema.createIndex('api_failures_provider').on('api_failures').columns(['provider_id', 'created_at']).execute();
}

export const upstream: Migration = { name: '0013-upstream', up };
