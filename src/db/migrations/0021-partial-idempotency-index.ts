// An order's Idempotency-Key is unique per account only where there is one: the index holds the
// few orders placed with a key, not every order. As a full index on (account_id, idempotency_key),
// mostly NULLs, it was the smallest index that starts with account_id, and PostgreSQL, before it
// has statistics for the table (a new shop, or autovacuum off), chose it to find an order by its
// client_order_id: reading every order of the account instead of one entry of
// orders_client_order_id. Uniqueness is unchanged: NULL keys never conflicted.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';

async function up(tx: Transaction<Database>): Promise<void> {
  await tx.schema.dropIndex('orders_idempotency_key').execute();
  await tx.schema.createIndex('orders_idempotency_key').on('orders').columns(['account_id', 'idempotency_key']).unique().where(sql.ref('idempotency_key'), 'is not', null).execute();
}

export const partialIdempotencyIndex: Migration = { name: '0021-partial-idempotency-index', up };
