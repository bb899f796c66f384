// Coupons: a percentage or fixed amount off an order, optionally for one product, with a usage
// limit, a per-customer limit and a validity window. Every use is a redemption row written in the
// order's transaction; `used_count` counts the redemptions that stand (released ones do not).
import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../index.js';
import type { Migration } from '../migrate.js';
import { notNull, time, withId } from './columns.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  const schema = tx.schema;

  await withId(schema.createTable('coupons'), dialect)
    // Stored upper-case: codes are matched without regard to case.
    .addColumn('code', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('kind', 'varchar(10)', notNull)
    .addColumn('percent_bp', 'integer')
    .addColumn('amount_minor', 'bigint')
    .addColumn('currency', 'varchar(3)')
    .addColumn('product_id', 'integer', (c) => c.references('products.id'))
    .addColumn('usage_limit', 'integer')
    .addColumn('per_customer_limit', 'integer')
    .addColumn('used_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('starts_at', time)
    .addColumn('ends_at', time)
    .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addCheckConstraint('coupons_kind', sql`(kind = 'percent' and percent_bp between 1 and 10000 and amount_minor is null) or (kind = 'amount' and amount_minor > 0 and currency is not null and percent_bp is null)`)
    .addCheckConstraint('coupons_used', sql`used_count >= 0 and (usage_limit is null or used_count <= usage_limit)`)
    .execute();

  await withId(schema.createTable('coupon_redemptions'), dialect)
    .addColumn('coupon_id', 'integer', (c) => c.notNull().references('coupons.id'))
    .addColumn('order_id', 'varchar(26)', (c) => c.notNull().unique().references('orders.id'))
    .addColumn('customer_key', 'varchar(120)', notNull)
    .addColumn('discount_minor', 'bigint', notNull)
    .addColumn('created_at', time, notNull)
    .addColumn('released_at', time)
    .execute();
  await schema.createIndex('coupon_redemptions_customer').on('coupon_redemptions').columns(['coupon_id', 'customer_key']).execute();

  await schema.alterTable('orders').addColumn('coupon_id', 'integer', (c) => c.references('coupons.id')).execute();
  await schema.alterTable('orders').addColumn('discount_minor', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}

export const coupons: Migration = { name: '0004-coupons', up };
