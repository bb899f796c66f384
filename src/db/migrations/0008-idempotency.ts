// Idempotency that survives a crash, and stored answers that can be sealed and re-sealed:
// - an order placed with an `Idempotency-Key` keeps the key in its own row, unique per account,
//   written in the order's transaction, so a retry after a crash finds the committed order;
// - `idempotency_keys` gets an id (so `souk rekey` can seal its answers again, chunk by chunk) and
//   a lease: a claim whose request never finished is free again once `locked_until` has passed;
// - a top-up or adjustment made with an `Idempotency-Key` keeps it in its ledger entry (unique), so
//   a retry that takes over a dead claim finds the money already moved instead of moving it again;
// - a remembered signature keeps what bound it (the request's own reference), so a byte-identical
//   retry gets the original answer while the same signature with another reference is refused.
import { sql, type Transaction } from 'kysely';
import type { Dialect } from '../index.js';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';
import { notNull, time, withId } from './columns.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  await tx.schema.alterTable('orders').addColumn('idempotency_key', 'varchar(200)').execute();
  await tx.schema.createIndex('orders_idempotency_key').on('orders').columns(['account_id', 'idempotency_key']).unique().execute();

  await withId(tx.schema.createTable('idempotency_answers'), dialect)
    .addColumn('account_id', 'integer', notNull)
    .addColumn('key', 'varchar(200)', notNull)
    .addColumn('request_hash', 'varchar(64)', notNull)
    .addColumn('status_code', 'integer')
    .addColumn('response', 'text')
    .addColumn('locked_until', time)
    .addColumn('created_at', time, notNull)
    .addColumn('expires_at', time, notNull)
    .addUniqueConstraint('idempotency_answers_key', ['account_id', 'key'])
    .execute();
  await tx.schema.createIndex('idempotency_answers_expires').on('idempotency_answers').column('expires_at').execute();
  // Answers stored before this were kept in clear; they are copied as they are and sealed when the
  // shop next opens (sealLegacyAnswers), since a migration has no key to seal with.
  await sql`insert into idempotency_answers (account_id, key, request_hash, status_code, response, locked_until, created_at, expires_at)
            select account_id, key, request_hash, status_code, response, null, created_at, expires_at from idempotency_keys`.execute(tx);
  await tx.schema.dropTable('idempotency_keys').execute();

  await tx.schema.alterTable('ledger_entries').addColumn('request_key', 'varchar(240)').execute();
  await tx.schema.createIndex('ledger_entries_request_key').on('ledger_entries').column('request_key').unique().execute();

  await tx.schema.alterTable('seen_signatures').addColumn('binding', 'varchar(240)').execute();
}

export const idempotency: Migration = { name: '0008-idempotency', up };
