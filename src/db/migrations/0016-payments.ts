// Payments Souk waits for (core/payments): one row per invoice, whichever provider opened it (the
// own-address crypto provider first; BTCPay invoices, Alipay and WeChat trades and wallet top-ups
// later, each under its `provider` with its own reference `external_id`, unique per provider).
// Amounts are integers in the asset's smallest unit kept as decimal text: wei do not fit a double.
// Two invariants live here, in SQL: no two waiting invoices of one asset ask the same amount (so a
// transfer names its order), and one transfer (asset, txid) is credited once, whatever races.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';
import type { Dialect } from '../index.js';
import { notNull, time, withId } from './columns.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  await tx.schema
    .createTable('payments')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('provider', 'varchar(20)', notNull)
    .addColumn('external_id', 'varchar(200)')
    .addColumn('order_id', 'varchar(26)', (c) => c.references('orders.id'))
    // A coin of seed 004 (trc20_usdt …) or a currency code: the unit the amounts are counted in.
    .addColumn('asset', 'varchar(20)', notNull)
    .addColumn('address', 'varchar(200)')
    .addColumn('expected_units', 'varchar(80)', notNull)
    .addColumn('received_units', 'varchar(80)', (c) => c.notNull().defaultTo('0'))
    .addColumn('status', 'varchar(20)', notNull)
    // Set while the invoice waits; null once it has ended (paid, expired …): what frees its amount.
    .addColumn('waiting', 'integer')
    .addColumn('refund_due', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', time, notNull)
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .execute();
  await tx.schema.createIndex('payments_external').unique().on('payments').columns(['provider', 'external_id']).execute();
  await tx.schema.createIndex('payments_order').unique().on('payments').columns(['provider', 'order_id']).execute();
  await tx.schema.createIndex('payments_status').on('payments').columns(['status', 'created_at']).execute();
  // `waiting` is 1 or null, so ended invoices drop out of this unique index on both databases.
  await tx.schema.createIndex('payments_open_amount').unique().on('payments').columns(['asset', 'expected_units', 'waiting']).execute();

  // Each transfer credited to a payment: one row per (asset, txid), so a repeat credits nothing.
  await withId(tx.schema.createTable('payment_receipts'), dialect)
    .addColumn('payment_id', 'varchar(26)', (c) => c.notNull().references('payments.id'))
    .addColumn('asset', 'varchar(20)', notNull)
    .addColumn('txid', 'varchar(200)', notNull)
    .addColumn('units', 'varchar(80)', notNull)
    .addColumn('actor', 'varchar(200)', notNull)
    .addColumn('created_at', time, notNull)
    .execute();
  await tx.schema.createIndex('payment_receipts_txid').unique().on('payment_receipts').columns(['asset', 'txid']).execute();
  await tx.schema.createIndex('payment_receipts_payment').on('payment_receipts').columns(['payment_id']).execute();

  // The owner's receiving address per coin.
  await tx.schema
    .createTable('payment_addresses')
    .addColumn('coin', 'varchar(20)', (c) => c.primaryKey())
    .addColumn('address', 'varchar(200)', notNull)
    .addColumn('updated_by', 'varchar(200)', notNull)
    .addColumn('updated_at', time, notNull)
    .execute();

  // Shop orders paid without a customer token (crypto) belong to one account of their own, so they
  // are never booked to a customer who did not place them; the settings row names it.
  const now = new Date().toISOString();
  const guests = await tx
    .insertInto('accounts')
    .values({ kind: 'customer', name: 'Shop guests', currency: 'USD', status: 'active', rate_limit_per_minute: null, tier: null, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.insertInto('settings').values({ key: 'shop_guest_account', value: String(guests.id), updated_at: now }).execute();
}

export const payments: Migration = { name: '0016-payments', up };
