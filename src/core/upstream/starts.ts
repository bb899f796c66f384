// A paid upstream order starts its forwarding in its own transaction: placement writes the order's
// run (steps, already claimed by this process) and its purchase marked under way (upstream_orders,
// `sending`) in the batch that writes the order, by the statements below (a placement extension).
// So an order never stands paid without its run, and the purchase is marked before the create call
// exactly as the create step's own mark would be, without a transaction of its own per batch.
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { UpstreamOrderState } from '../../db/schema.js';
import type { PlacementExtension } from '../orders/index.js';
import { pgInsertRuns, sqliteRunInserter, type PreparedRun } from '../steps/index.js';

/** The extension's name: a plan's `writtenWith.extension`. */
export const FORWARD_START = 'upstream.start';

/** An order's run, and the purchase its create step would mark under way. */
export interface ForwardStart {
  run: PreparedRun['row'];
  purchase: { order_id: string; provider_id: number; upstream_ref: string; goods: 'codes' | 'service' };
}

const SENDING: UpstreamOrderState = 'sending';

/** The forwarding starts placement writes with their orders. */
export const forwardStarts: PlacementExtension = {
  name: FORWARD_START,
  pgCtes(rows) {
    const starts = rows as ForwardStart[];
    return sql`,
      forward_runs as (${pgInsertRuns(
        starts.map((s) => s.run),
        sql`select id from inserted`,
      )}),
      forward_marks as (
        insert into upstream_orders (order_id, provider_id, upstream_ref, goods, state, upstream_order_id, wholesale_minor, last_error, created_at, updated_at)
        select x.order_id, x.provider_id, x.upstream_ref, x.goods, ${SENDING}::text, null, null, null, x.at, x.at
        from jsonb_to_recordset(${JSON.stringify(starts.map((s) => ({ ...s.purchase, at: s.run.created_at })))}::jsonb)
          as x(order_id text, provider_id bigint, upstream_ref text, goods text, at text)
        where x.order_id in (select run_key from forward_runs)
        on conflict (order_id) do nothing)`;
  },
  sqliteWriter(sqlite: SQLite.Database) {
    const insertRun = sqliteRunInserter(sqlite);
    const mark = sqlite.prepare<[string, number, string, string, string, string]>(
      `insert into upstream_orders (order_id, provider_id, upstream_ref, goods, state, upstream_order_id, wholesale_minor, last_error, created_at, updated_at)
       values (?, ?, ?, ?, '${SENDING}', null, null, null, ?, ?)
       on conflict (order_id) do nothing`,
    );
    return (rows) => {
      for (const { run, purchase } of rows as ForwardStart[]) {
        if (insertRun(run)) mark.run(purchase.order_id, purchase.provider_id, purchase.upstream_ref, purchase.goods, run.created_at, run.created_at);
      }
    };
  },
};
