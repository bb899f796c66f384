// Trade-ins (core/trade-ins): partners sell codes to the shop at a product's buy-back price. The
// product carries the price; a trade-in and its codes (sealed, fingerprinted like stock codes) wait
// in `verifying` until decided. The invariants live here: a code offered to the shop is held by
// one open or accepted trade-in at a time (a partial unique index on its fingerprint), a trade-in
// is credited at most once (a unique ledger reference per kind), and a partner reference names
// one trade-in per account.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';
import type { Dialect } from '../index.js';
import { notNull, time, withId } from './columns.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  // Null: the shop does not buy the product back.
  await tx.schema.alterTable('products').addColumn('buyback_price_minor', 'integer').execute();

  await tx.schema
    .createTable('trade_ins')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('client_reference', 'varchar(120)')
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
    // verifying · completed (some codes accepted and credited) · rejected (nothing credited)
    .addColumn('status', 'varchar(20)', notNull)
    .addColumn('verifier', 'varchar(20)', notNull)
    .addColumn('unit_price_minor', 'integer', notNull)
    .addColumn('currency', 'varchar(3)', notNull)
    .addColumn('code_count', 'integer', notNull)
    .addColumn('accepted_count', 'integer')
    .addColumn('credited_minor', 'integer')
    .addColumn('callback_url', 'varchar(2000)')
    .addColumn('placed_by', 'varchar(200)', notNull)
    .addColumn('request_hash', 'varchar(64)', notNull)
    // A hybrid's purchase, as asked (JSON), and what became of it: waiting · placed · failed.
    .addColumn('purchase', 'text')
    .addColumn('purchase_status', 'varchar(20)')
    .addColumn('purchase_order_id', 'varchar(26)', (c) => c.references('orders.id'))
    .addColumn('purchase_reason', 'text')
    .addColumn('reason', 'text')
    .addColumn('decided_by', 'varchar(200)')
    .addColumn('decided_at', time)
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .execute();
  await tx.schema.createIndex('trade_ins_reference').unique().on('trade_ins').columns(['account_id', 'client_reference']).execute();
  await tx.schema.createIndex('trade_ins_status').on('trade_ins').columns(['status', 'created_at']).execute();
  await tx.schema.createIndex('trade_ins_account').on('trade_ins').columns(['account_id', 'created_at']).execute();

  await withId(tx.schema.createTable('trade_in_codes'), dialect)
    .addColumn('trade_in_id', 'varchar(26)', (c) => c.notNull().references('trade_ins.id'))
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
    .addColumn('position', 'integer', notNull)
    .addColumn('code_enc', 'text', notNull)
    .addColumn('code_hmac', 'varchar(64)', notNull)
    .addColumn('code_mask', 'text', notNull)
    // pending · accepted · rejected
    .addColumn('status', 'varchar(10)', notNull)
    .addColumn('reason', 'text')
    .execute();
  await tx.schema.createIndex('trade_in_codes_trade_in').on('trade_in_codes').columns(['trade_in_id', 'position']).execute();
  // A code rejected once may be offered again; one pending or accepted is the shop's already.
  await tx.schema
    .createIndex('trade_in_codes_once')
    .unique()
    .on('trade_in_codes')
    .columns(['product_id', 'code_hmac'])
    .where(sql.ref('status'), '<>', 'rejected')
    .execute();
  await sql`create unique index ledger_entries_trade_in_credit on ledger_entries (reference) where kind = 'trade_in'`.execute(tx);
}

export const tradeIns: Migration = { name: '0019-trade-ins', up };
