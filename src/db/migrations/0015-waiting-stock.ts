// Orders that wait for stock (core/orders/waiting-stock.ts): an order paid outside Souk whose
// stock ran short is recorded `processing` with no items, and a row here says it waits. The row
// goes when the order leaves processing (fulfilled from new stock, by hand, or cancelled), so the
// table holds only the orders that wait: the sweep's "any waiting?" is one index probe, and the
// placement path and the orders row are left as they were.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';
import type { Dialect } from '../index.js';
import { notNull, time, withId } from './columns.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  // The id is the order of arrival: the sweep serves the lowest first (a creation time can tie).
  await withId(tx.schema.createTable('order_stock_waits'), dialect)
    .addColumn('order_id', 'varchar(26)', (c) => c.notNull().unique().references('orders.id'))
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
    .addColumn('quantity', 'integer', notNull)
    // When the order started waiting (its created_at): what the admin is shown.
    .addColumn('since', time, notNull)
    .execute();
  await tx.schema.createIndex('order_stock_waits_product').on('order_stock_waits').columns(['product_id', 'id']).execute();
}

export const waitingStock: Migration = { name: '0015-waiting-stock', up };
