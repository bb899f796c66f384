// Payments through gateways (BTCPay Server, Alipay, WeChat Pay) and wallet top-ups, in the
// `payments` table 0016 made: a row now pays an order or tops up a wallet (`purpose`), keeps
// what the buyer is shown to pay it (`checkout`: a checkout URL, a QR code's content; no secret)
// and where a refund through the gateway stands. A gateway charge asks an ordinary amount (two
// orders of 10.00 CNY are normal), so the one-amount-per-open-invoice rule is now the own-address
// provider's only, a partial index on both databases.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';

async function up(tx: Transaction<Database>): Promise<void> {
  await tx.schema.alterTable('payments').addColumn('purpose', 'varchar(10)', (c) => c.notNull().defaultTo('order')).execute();
  // A top-up's wallet, and what it credits there (in the wallet's currency, which the charge may not be in).
  await tx.schema.alterTable('payments').addColumn('wallet_id', 'integer', (c) => c.references('wallets.id')).execute();
  await tx.schema.alterTable('payments').addColumn('credit_minor', 'integer').execute();
  await tx.schema.alterTable('payments').addColumn('checkout', 'text').execute();
  // null: nothing to give back · owed: recorded, not sent · pending: asked of the gateway · refunded: given back there.
  await tx.schema.alterTable('payments').addColumn('refund_status', 'varchar(10)').execute();
  await tx.schema.alterTable('payments').addColumn('actor', 'varchar(200)').execute();
  await tx.schema.dropIndex('payments_open_amount').execute();
  await tx.schema
    .createIndex('payments_open_amount')
    .unique()
    .on('payments')
    .columns(['asset', 'expected_units', 'waiting'])
    .where(sql.ref('provider'), '=', 'crypto')
    .execute();
  await tx.schema.createIndex('payments_wallet').on('payments').columns(['wallet_id', 'created_at']).execute();
}

export const paymentGateways: Migration = { name: '0017-payment-gateways', up };
