// Zid stores (core/zid): each connected store with its tokens sealed and the hash of its hook
// token; the single-use OAuth states; the store's products, categories and orders as last read;
// and one row per Zid order line Souk placed an order for, unique, so a line is never placed twice.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../index.js';
import type { Migration } from '../migrate.js';
import { notNull, time, withId } from './columns.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  const schema = tx.schema;
  await withId(schema.createTable('zid_stores'), dialect)
    // HMAC of Zid's store id: finds a store connected again without keeping the id in clear.
    .addColumn('store_key', 'varchar(64)', notNull)
    .addColumn('name', 'varchar(200)', notNull)
    .addColumn('currency', 'varchar(3)')
    .addColumn('country', 'varchar(10)')
    .addColumn('status', 'varchar(20)', notNull)
    // Sealed JSON: both tokens, the refresh token, expiry, Zid's store id and URL.
    .addColumn('credentials', 'text', notNull)
    // SHA-256 of the secret in the store's hook URL; the secret itself is kept nowhere.
    .addColumn('hook_token_hash', 'varchar(64)', notNull)
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('connected_by', 'varchar(120)', notNull)
    .addColumn('webhooks', 'integer', (c) => c.notNull().defaultTo(0))
    // Where an interrupted sync goes on from: {"phase", "next"}; null when none is under way.
    .addColumn('sync_cursor', 'text')
    .addColumn('last_sync_at', time)
    .addColumn('last_order_sync_at', time)
    .addColumn('last_error', 'varchar(500)')
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addUniqueConstraint('zid_stores_store_key', ['store_key'])
    .addUniqueConstraint('zid_stores_hook_token', ['hook_token_hash'])
    .execute();

  await schema
    .createTable('zid_oauth_states')
    .addColumn('state_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('actor', 'varchar(120)', notNull)
    .addColumn('expires_at', time, notNull)
    .addColumn('used_at', time)
    .addColumn('created_at', time, notNull)
    .execute();

  await schema
    .createTable('zid_products')
    .addColumn('store_id', 'integer', (c) => c.notNull().references('zid_stores.id'))
    .addColumn('zid_product_id', 'varchar(60)', notNull)
    .addColumn('sku', 'varchar(200)')
    .addColumn('name_en', 'varchar(500)', notNull)
    .addColumn('name_ar', 'varchar(500)')
    .addColumn('price_minor', 'bigint', notNull)
    .addColumn('currency', 'varchar(3)', notNull)
    // Null: unlimited (is_infinite).
    .addColumn('stock', 'integer')
    .addColumn('active', 'integer', notNull)
    .addColumn('gone', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('zid_updated_at', time)
    // The Souk product a line of this product is fulfilled from; null: not a digital good here, ignored.
    .addColumn('product_id', 'integer', (c) => c.references('products.id'))
    .addColumn('synced_at', time, notNull)
    .addPrimaryKeyConstraint('zid_products_pk', ['store_id', 'zid_product_id'])
    .execute();

  await schema
    .createTable('zid_categories')
    .addColumn('store_id', 'integer', (c) => c.notNull().references('zid_stores.id'))
    .addColumn('zid_category_id', 'varchar(60)', notNull)
    .addColumn('name_en', 'varchar(500)', notNull)
    .addColumn('name_ar', 'varchar(500)')
    .addColumn('slug', 'varchar(200)')
    .addColumn('parent_id', 'varchar(60)')
    .addColumn('synced_at', time, notNull)
    .addPrimaryKeyConstraint('zid_categories_pk', ['store_id', 'zid_category_id'])
    .execute();

  await schema
    .createTable('zid_orders')
    .addColumn('store_id', 'integer', (c) => c.notNull().references('zid_stores.id'))
    .addColumn('zid_order_id', 'varchar(60)', notNull)
    .addColumn('order_number', 'varchar(100)')
    .addColumn('status', 'varchar(40)')
    .addColumn('payment_status', 'varchar(40)')
    .addColumn('total_minor', 'bigint')
    .addColumn('currency', 'varchar(3)')
    .addColumn('zid_created_at', time)
    .addColumn('zid_updated_at', time)
    .addColumn('synced_at', time, notNull)
    .addPrimaryKeyConstraint('zid_orders_pk', ['store_id', 'zid_order_id'])
    .execute();

  await schema
    .createTable('zid_fulfilments')
    .addColumn('store_id', 'integer', (c) => c.notNull().references('zid_stores.id'))
    .addColumn('zid_order_id', 'varchar(60)', notNull)
    .addColumn('zid_product_id', 'varchar(60)', notNull)
    .addColumn('order_number', 'varchar(100)')
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
    .addColumn('quantity', 'integer', notNull)
    .addColumn('order_id', 'varchar(40)', (c) => c.notNull().references('orders.id'))
    .addColumn('created_at', time, notNull)
    .addPrimaryKeyConstraint('zid_fulfilments_pk', ['store_id', 'zid_order_id', 'zid_product_id'])
    .addUniqueConstraint('zid_fulfilments_order', ['order_id'])
    .execute();
  await schema.createIndex('zid_fulfilments_recent').on('zid_fulfilments').columns(['store_id', 'created_at']).execute();
}

export const zid: Migration = { name: '0014-zid', up };
