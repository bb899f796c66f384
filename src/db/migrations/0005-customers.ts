// Shop customers: the public shop's logins (seed 004's users). A customer is an account of kind
// `customer` (its wallets hold `balance` in CNY and `balance_crypto` in USD) plus one e-mail and
// password hash here. They are kept apart from `users` so a customer's password never opens the
// console or the API's token endpoint.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../index.js';
import type { Migration } from '../migrate.js';
import { notNull, time } from './columns.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  const table = tx.schema.createTable('customers');
  await (dialect === 'postgres' ? table.addColumn('id', 'serial', (c) => c.primaryKey()) : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
    .addColumn('account_id', 'integer', (c) => c.notNull().unique().references('accounts.id'))
    // Stored lower-cased, so the unique index is case-insensitive on both databases.
    .addColumn('email', 'varchar(320)', (c) => c.notNull().unique())
    .addColumn('password_hash', 'varchar(300)', notNull)
    .addColumn('disabled_at', time)
    .addColumn('created_at', time, notNull)
    .execute();
}

export const customers: Migration = { name: '0005-customers', up };
