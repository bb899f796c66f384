// What placement's two PostgreSQL write statements share (the locked batch's, placement-postgres.ts,
// and the unread one's, placement-unread.ts): named statements on one connection, the orders and
// their events as the statements start, the outbox and the extensions' rows as they end.
import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { ORDER_COLUMNS, type OrderColumn } from '../../db/schema.js';
import { preparedRunner, type Db, type PreparedRunner } from '../../db/index.js';
import type { PgStatement } from '../coupons/index.js';
import { pgInsertOutbox } from '../events/index.js';
import type { OwnRows } from './placement-decide.js';
import type { PlacementExtension } from './placement-batch.js';

/** One connection (inside the batch's transaction, or running one statement alone), running named statements built with `compiler`. */
export class Session {
  private readonly run: PreparedRunner;

  constructor(
    private readonly compiler: Db,
    client: pg.PoolClient,
  ) {
    this.run = preparedRunner(client);
  }

  rows<R>(name: string, query: RawBuilder<R>): Promise<R[]> {
    return this.run.rows(`placement_${name}`, { compile: () => query.compile(this.compiler) });
  }

  statement<R>([name, query]: PgStatement<R>): Promise<R[]> {
    return this.rows(name, query);
  }
}

/** Each order column's type in the batch's jsonb record: a column added to the order fails here until it is typed. */
const ORDER_RECORD: Record<OrderColumn, 'text' | 'int' | 'bigint'> = {
  id: 'text', number: 'text', account_id: 'int', channel: 'text', client_order_id: 'text', idempotency_key: 'text', request_hash: 'text',
  product_id: 'int', quantity: 'int', unit_price_minor: 'bigint', currency: 'text', total_minor: 'bigint', charged_minor: 'bigint',
  charged_currency: 'text', fx_rate: 'text', status: 'text', payment_status: 'text', payment_provider: 'text', fulfillment: 'text',
  wallet_id: 'bigint', buyer_name: 'text', buyer_email: 'text', delivery_channel: 'text', callback_url: 'text', fields: 'text', reason: 'text',
  expires_at: 'text', created_at: 'text', updated_at: 'text', coupon_id: 'int', discount_minor: 'bigint',
  risk_score: 'int', risk_verdict: 'text', risk_reasons: 'text', review_until: 'text', client_ip: 'text',
};
const ORDER_COLUMN_LIST = sql.raw(ORDER_COLUMNS.join(', '));
const ORDER_RECORD_COLUMNS = sql.raw(ORDER_COLUMNS.map((c) => `x.${c}`).join(', '));
const ORDER_RECORD_TYPES = sql.raw(ORDER_COLUMNS.map((c) => `${c} ${ORDER_RECORD[c]}`).join(', '));

/**
 * The CTEs every write statement of placement starts with: `inserted`, the orders (an order whose
 * client_order_id or Idempotency-Key was taken meanwhile is left out: the insert comes up short),
 * and `events`, theirs.
 */
export function pgInsertOrders(writes: OwnRows): RawBuilder<unknown> {
  return sql`
      inserted as (
        insert into orders (${ORDER_COLUMN_LIST})
        select ${ORDER_RECORD_COLUMNS}
        from jsonb_to_recordset(${JSON.stringify(writes.orders)}::jsonb) as x(${ORDER_RECORD_TYPES})
        on conflict do nothing
        returning id),
      events as (
        insert into order_events (order_id, from_status, to_status, reason, actor, created_at)
        select x.order_id, x.from_status, x.to_status, x.reason, x.actor, x.created_at
        from jsonb_to_recordset(${JSON.stringify(writes.events)}::jsonb) as x(order_id text, from_status text, to_status text, reason text, actor text, created_at text)
        where x.order_id in (select id from inserted))`;
}

/** The CTEs every write statement of placement ends with, each preceded by a comma: `outbox`, and each extension's. */
export function pgOutboxAndExtensions(writes: OwnRows, extensions: readonly PlacementExtension[]): RawBuilder<unknown> {
  return sql`,
      outbox as (${pgInsertOutbox(writes.outbox)})
      ${sql.join(
        extensions.map((extension) => extension.pgCtes(writes.writtenWith.get(extension.name) ?? [])),
        sql``,
      )}`;
}
