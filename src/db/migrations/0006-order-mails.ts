// E-mail delivery of codes: one row per order whose codes are mailed to the buyer, written from the
// order's `order.fulfilled` outbox event, and the cursor that remembers how far the mailer has read
// the event feed. Codes are not stored here: they are opened from stock when the mail is sent.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../schema.js';
import type { Dialect } from '../index.js';
import type { Migration } from '../migrate.js';
import { notNull, time, withId } from './columns.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  const schema = tx.schema;
  await withId(schema.createTable('order_mails'), dialect)
    // One mail per order, whatever happens: a second event or a second worker cannot add another.
    .addColumn('order_id', 'varchar(26)', (c) => c.notNull().unique().references('orders.id'))
    .addColumn('event_id', 'varchar(40)', notNull)
    .addColumn('recipient', 'varchar(320)', notNull)
    .addColumn('status', 'varchar(12)', notNull)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', time, notNull)
    .addColumn('claim_token', 'varchar(40)')
    .addColumn('locked_until', time)
    .addColumn('last_error', 'varchar(500)')
    .addColumn('message_id', 'varchar(200)')
    .addColumn('created_at', time, notNull)
    .addColumn('updated_at', time, notNull)
    .addColumn('sent_at', time)
    .execute();
  await schema.createIndex('order_mails_due').on('order_mails').columns(['status', 'next_attempt_at', 'id']).execute();

  // How far each consumer of the event feed has read, by feed position.
  await schema
    .createTable('outbox_cursors')
    .addColumn('consumer', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('position', 'bigint', notNull)
    .addColumn('updated_at', time, notNull)
    .execute();
  // Orders fulfilled before this migration were never promised a mail: start after them.
  await sql`insert into outbox_cursors (consumer, position, updated_at) select 'order-mails', coalesce(max(position), 0), ${new Date().toISOString()} from outbox_events`.execute(tx);
}

export const orderMails: Migration = { name: '0006-order-mails', up };
