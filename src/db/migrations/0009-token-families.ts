// Refresh token families: one per login (POST /api/v1/auth/token), followed through every refresh.
// The row names the family's one current refresh token by its id (jti), never the token itself;
// a refresh swaps it with a conditional UPDATE, and a used one presented again revokes the family.
import type { Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';
import { notNull, time } from './columns.js';

async function up(tx: Transaction<Database>): Promise<void> {
  await tx.schema
    .createTable('token_families')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    // Whose tokens: "key:<key id>" or "user:<user id>", for the operator reading the table.
    .addColumn('subject', 'varchar(60)', notNull)
    .addColumn('current_jti', 'varchar(40)', notNull)
    .addColumn('created_at', time, notNull)
    .addColumn('refreshed_at', time)
    // When the last token of the family (access or refresh) expires: the row can go after that.
    .addColumn('expires_at', time, notNull)
    .addColumn('revoked_at', time)
    .execute();
  await tx.schema.createIndex('token_families_expires_at').on('token_families').column('expires_at').execute();
}

export const tokenFamilies: Migration = { name: '0009-token-families', up };
