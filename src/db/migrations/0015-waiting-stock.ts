// Orders that wait for stock (core/orders/waiting-stock.ts): an order paid outside Souk whose
// stock ran short is recorded `processing` with no items, and a row here says it waits. The row
// goes when the order leaves processing (fulfilled from new stock, by hand, or cancelled), so the
// table holds only the orders that wait: the sweep's "any waiting?" is one index probe, and the
// placement path and the orders row are left as they were.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';
import { notNull, time } from './columns.js';

async function up(tx: Transaction<Database>): Promise<void> {
  await tx.schema
    .createTable('order_stock_waits')
    .addColumn('order_id', 'varchar(26)', (c) => c.primaryKey().references('orders.id'))
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
    .addColumn('quantity', 'integer', notNull)
    // When the order started waiting (its created_at): the sweep serves the oldest first.
    .addColumn('since', time, notNull)
    .execute();
  await tx.schema.createIndex('order_stock_waits_product').on('order_stock_waits').columns(['product_id', 'since', 'order_id']).execute();
}

export const waitingStock: Migration = { name: '0015-waiting-stock', up };
