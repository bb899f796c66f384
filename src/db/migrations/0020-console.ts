// The console (issue 20): a login of the shop's admin account has a role (owner, operator,
// viewer) that the admin API enforces, and a browser holds a cookie session instead of a key.
// A session is kept only as the SHA-256 of its token, so a copy of the database opens none.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';

async function up(tx: Transaction<Database>): Promise<void> {
  // Logins made before roles existed could do everything: they stay owners.
  await tx.schema.alterTable('users').addColumn('role', 'varchar(10)', (c) => c.notNull().defaultTo('owner')).execute();
  await tx.schema
    .createTable('console_sessions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('expires_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('last_seen_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('ip', 'varchar(64)')
    .addColumn('ended_at', 'varchar(40)')
    .execute();
  await tx.schema.createIndex('console_sessions_user').on('console_sessions').columns(['user_id', 'expires_at']).execute();
}

export const consoleSessions: Migration = { name: '0020-console', up };
