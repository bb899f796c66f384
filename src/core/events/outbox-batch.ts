// Outbox rows written by placement's batch: the same rows as insertOutboxEvents, but as a
// statement prepared once on SQLite and a CTE of placement's one write statement on PostgreSQL,
// so an order's events commit with it at no extra round trip.
import type SQLite from 'better-sqlite3';
import { sql, type RawBuilder } from 'kysely';
import type { OutboxRow } from './outbox.js';

/** Writes outbox rows on SQLite inside the caller's transaction. */
export function sqliteOutboxWriter(sqlite: SQLite.Database): (rows: readonly OutboxRow[]) => void {
  const insert = sqlite.prepare(
    'insert into outbox_events (event_id, type, account_id, order_id, endpoint_id, callback_url, payload, created_at) values (@event_id, @type, @account_id, @order_id, @endpoint_id, @callback_url, @payload, @created_at)',
  );
  return (rows) => {
    for (const row of rows) insert.run(row);
  };
}

/** The CTE body that writes outbox rows in a PostgreSQL statement. */
export function pgInsertOutbox(rows: readonly OutboxRow[]): RawBuilder<unknown> {
  return sql`
        insert into outbox_events (event_id, type, account_id, order_id, endpoint_id, callback_url, payload, created_at)
        select x.event_id, x.type, x.account_id, x.order_id, x.endpoint_id, x.callback_url, x.payload, x.created_at
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as x(event_id text, type text, account_id int, order_id text, endpoint_id text, callback_url text, payload text, created_at text)`;
}
