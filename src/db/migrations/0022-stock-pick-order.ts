// PostgreSQL: placement takes a product's next codes with `order by id limit n` over the available
// ones. Once a table has statistics that say most of a product's codes are available, the planner
// finds walking the primary key in id order, filtering on product and status, as cheap as the
// smaller-looking stock_items_pick. But sold codes are not spread evenly: they are the oldest, at
// the start of the primary key, so that walk read every code sold so far on every order (10,000
// rows and 6 ms per order after 10,000 sales). The pick now orders `id nulls first`, which only
// this index gives (ids are never null, so the order is the same); the primary key would need a
// sort of every available code, and is never chosen. SQLite's planner takes the index anyway.
import { sql, type Transaction } from 'kysely';
import type { Dialect } from '../index.js';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  await tx.schema.dropIndex('stock_items_pick').execute();
  await sql`create index stock_items_pick on stock_items (product_id, status, id nulls first)`.execute(tx);
}

export const stockPickOrder: Migration = { name: '0022-stock-pick-order', up };
