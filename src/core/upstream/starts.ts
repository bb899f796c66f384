// Forwarding runs started together, for orders placed a moment ago, are written together: each
// run's row (steps) and its purchase marked under way (upstream_orders, `sending`), the mark
// conditional on the order still processing as insertUnderWay's is. One statement on PostgreSQL
// whatever their number (a failed batch is tried again start by start); on SQLite one shared
// transaction (GroupCommit). A run whose key already has a run is left to it, and the caller
// starts the usual way (startRun). A start that cannot be written at all fails its caller, and the
// forwarding sweep starts that order's run later, as it does for any paid order without one.
import { sql } from 'kysely';
import { BatchQueue, executePrepared, GroupCommit, type Db, type Dialect } from '../../db/index.js';
import type { UpstreamOrderState } from '../../db/schema.js';
import { nowIso } from '../clock.js';
import { pgProcessingOrders } from '../orders/index.js';
import { insertRun, pgInsertRuns, type PreparedRun } from '../steps/index.js';
import { insertUnderWay } from './upstream-orders.js';

/** A run to start, and the purchase its create step would mark under way. */
export interface RunStart {
  run: PreparedRun;
  purchase: { order_id: string; provider_id: number; upstream_ref: string; goods: 'codes' | 'service' };
}

/** Whether the run was inserted (not when its key had one), and whether its purchase was marked under way with it. */
export interface RunStarted {
  started: boolean;
  underWay: boolean;
}

const SENDING: UpstreamOrderState = 'sending';

async function pgStart(db: Db, starts: readonly RunStart[]): Promise<RunStarted[]> {
  const at = nowIso();
  const query = sql<{ started: string[]; under_way: string[] }>`
    with
      started as (${pgInsertRuns(starts.map((s) => s.run.row))}),
      under_way as (
        insert into upstream_orders (order_id, provider_id, upstream_ref, goods, state, upstream_order_id, wholesale_minor, last_error, created_at, updated_at)
        select x.order_id, x.provider_id, x.upstream_ref, x.goods, ${SENDING}::text, null, null, null, ${at}::text, ${at}::text
        from jsonb_to_recordset(${JSON.stringify(starts.map((s) => s.purchase))}::jsonb) as x(order_id text, provider_id bigint, upstream_ref text, goods text)
        join (${pgProcessingOrders(starts.map((s) => s.purchase.order_id))}) o on o.id = x.order_id
        where x.order_id in (select run_key from started)
        on conflict (order_id) do nothing
        returning order_id)
    select (select coalesce(jsonb_agg(run_key), '[]') from started) as started, (select coalesce(jsonb_agg(order_id), '[]') from under_way) as under_way`;
  const [row] = await executePrepared(db, 'forward_start_runs', { compile: () => query.compile(db) });
  const started = new Set(row?.started ?? []);
  const underWay = new Set(row?.under_way ?? []);
  return starts.map((s) => ({ started: started.has(s.run.row.run_key), underWay: underWay.has(s.purchase.order_id) }));
}

/** Where runs start together: on SQLite in `group`'s transactions (shared with the deliveries'), on PostgreSQL in batches of one statement. */
export interface RunStarts {
  submit(start: RunStart): Promise<RunStarted>;
}

export function runStarts(db: Db, dialect: Dialect, group?: GroupCommit): RunStarts {
  if (dialect !== 'postgres') {
    const commits = group ?? new GroupCommit(db);
    return {
      submit: (start) =>
        commits.run(async (tx) => {
          const started = await insertRun(tx, start.run.row);
          return { started, underWay: started && (await insertUnderWay(tx, dialect, start.purchase)) };
        }),
    };
  }
  const write = (starts: RunStart[]) => pgStart(db, starts);
  // Nothing of a failed batch was written: each start goes again alone, the same way.
  return new BatchQueue<RunStart, RunStarted>(write, async (start) => (await write([start]))[0]!);
}
