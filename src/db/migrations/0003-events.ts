// Events and webhooks: the transactional outbox, webhook endpoints, order-callback secrets,
// deliveries with their attempts, and the marks that coalesce stock changes into product updates.
import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../index.js';
import type { Migration } from '../migrate.js';

type Table = CreateTableBuilder<string, never>;
const notNull = (c: ColumnDefinitionBuilder) => c.notNull();
const time = 'varchar(40)';

function withId(table: Table, dialect: Dialect): Table {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  const schema = tx.schema;

  // `position` is given when the worker publishes the event (in commit order, under a lock), so a
  // reader paging by position never skips an event that committed late with a smaller id.
  await withId(schema.createTable('outbox_events'), dialect)
    .addColumn('event_id', 'varchar(40)', (c) => c.notNull().unique())
    .addColumn('type', 'varchar(40)', notNull)
    .addColumn('account_id', 'integer')
    .addColumn('order_id', 'varchar(26)')
    .addColumn('endpoint_id', 'varchar(40)')
    .addColumn('callback_url', 'varchar(2000)')
    .addColumn('payload', 'text', notNull)
    .addColumn('position', 'bigint')
    .addColumn('created_at', time, notNull)
    .execute();
  await schema.createIndex('outbox_events_position').on('outbox_events').column('position').unique().execute();
  await schema.createIndex('outbox_events_unpublished').on('outbox_events').column('id').where(sql.ref('position'), 'is', null).execute();
  await schema.createIndex('outbox_events_account').on('outbox_events').columns(['account_id', 'position']).execute();

  await schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('url', 'varchar(2000)', notNull)
    .addColumn('events', 'text', notNull)
    .addColumn('include_items', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('secret_enc', 'text', notNull)
    .addColumn('previous_secret_enc', 'text')
    .addColumn('previous_secret_until', time)
    .addColumn('status', 'varchar(12)', notNull)
    .addColumn('disabled_reason', 'varchar(300)')
    .addColumn('failure_streak', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('paused_until', time)
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .execute();
  await schema.createIndex('webhook_endpoints_account').on('webhook_endpoints').column('account_id').execute();

  await schema
    .createTable('callback_secrets')
    .addColumn('account_id', 'integer', (c) => c.primaryKey().references('accounts.id'))
    .addColumn('secret_enc', 'text', notNull)
    .addColumn('previous_secret_enc', 'text')
    .addColumn('previous_secret_until', time)
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .execute();

  // `chain` orders deliveries that must go one after another (one order's events to one target).
  await withId(schema.createTable('webhook_deliveries'), dialect)
    .addColumn('event_id', 'bigint', (c) => c.notNull().references('outbox_events.id'))
    .addColumn('account_id', 'integer', notNull)
    .addColumn('endpoint_id', 'varchar(40)')
    .addColumn('callback_url', 'varchar(2000)')
    .addColumn('chain', 'varchar(80)')
    .addColumn('status', 'varchar(12)', notNull)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', time, notNull)
    .addColumn('claim_token', 'varchar(40)')
    .addColumn('locked_until', time)
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'varchar(500)')
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addColumn('closed_at', time)
    .execute();
  await schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at', 'id']).execute();
  await schema.createIndex('webhook_deliveries_chain').on('webhook_deliveries').columns(['chain', 'id']).execute();
  await schema.createIndex('webhook_deliveries_event').on('webhook_deliveries').columns(['event_id']).execute();
  await schema.createIndex('webhook_deliveries_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'id']).execute();

  await withId(schema.createTable('webhook_attempts'), dialect)
    .addColumn('delivery_id', 'bigint', (c) => c.notNull().references('webhook_deliveries.id'))
    .addColumn('status_code', 'integer')
    .addColumn('error', 'varchar(500)')
    .addColumn('duration_ms', 'integer', notNull)
    .addColumn('attempted_at', time, notNull)
    .execute();
  await schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'id']).execute();

  // The stock each product was last announced with; existing products start announced.
  await schema
    .createTable('product_update_marks')
    .addColumn('product_id', 'integer', (c) => c.primaryKey().references('products.id'))
    .addColumn('stock_available', 'integer', notNull)
    .addColumn('published_at', time, notNull)
    .execute();
  await sql`insert into product_update_marks (product_id, stock_available, published_at) select id, stock_available, updated_at from products`.execute(tx);
}

export const events: Migration = { name: '0003-events', up };
