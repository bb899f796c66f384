// Deliveries of forwarded orders that arrive together, written together (group commit). On SQLite
// a batch is one synchronous transaction of prepared statements, as placement's batches are. On
// PostgreSQL a batch is one statement, on the keyed writers' connection (planned by key, see
// db/index.ts), that delivers the orders (orders), ends their runs (steps) and records the
// purchases delivered with what they cost (here), and checks that each did so for every order of
// the batch. For orders this process placed, that statement is the whole batch,
// run outside any transaction; otherwise it goes in a transaction after the orders are locked and
// read. A batch that fails in any way wrote nothing, and each of its deliveries goes again alone
// through the one-order path, which says what is wrong with which.
import { sql, type RawBuilder } from 'kysely';
import type SQLite from 'better-sqlite3';
import { BatchQueue, GroupCommit, keyedWriterOf, sqliteHandleOf, type Db, type PreparedRunner } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { wakeDispatchers } from '../events/index.js';
import type { DeliveredNow } from '../fulfillment/index.js';
import type { CodeVault } from '../inventory/index.js';
import { pgDeliverFromUpstream, placedHere, sqliteUpstreamDeliverer, type AlsoWritten, type UpstreamDelivery } from '../orders/index.js';
import { pgEndRuns, sqliteRunEnder, type RunEnd } from '../steps/index.js';

/** A delivery as the deliver-codes step hands it over: what to write, and how to write it alone. */
export interface ForwardedDelivery extends UpstreamDelivery {
  /** The run's end, committed with the delivery. */
  end: RunEnd;
  /** The purchase as bought: its id upstream and what it cost (minor units of the provider's currency). */
  bought: { upstreamOrderId: string | null; wholesaleMinor: number | null };
  providerId: number | undefined;
  /** The same delivery in a transaction of its own (the one-order path). */
  alone(): Promise<DeliveredNow>;
}

export interface Deliveries {
  /** Delivers, shared with the deliveries submitted meanwhile; resolves once committed. */
  deliver(delivery: ForwardedDelivery): Promise<DeliveredNow>;
  /** SQLite: the transaction the one-order path shares with others; none on PostgreSQL. */
  readonly group: GroupCommit | undefined;
}

/**
 * CTEs for the delivery's statement that record the purchases delivered and book what they cost
 * against our balance at each provider (`purchases_marked` holds the records written).
 */
function pgRecordBought(deliveries: readonly ForwardedDelivery[]): RawBuilder<unknown> {
  const at = nowIso();
  const rows = deliveries.map((d) => ({ order_id: d.orderId, upstream_order_id: d.bought.upstreamOrderId || null, wholesale_minor: d.bought.wholesaleMinor ?? null, provider_id: d.providerId ?? null }));
  return sql`,
      purchases as (select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(order_id text, upstream_order_id text, wholesale_minor bigint, provider_id bigint)),
      purchases_marked as (
        update upstream_orders u
        set state = 'delivered', updated_at = ${at}::text, upstream_order_id = coalesce(p.upstream_order_id, u.upstream_order_id),
            wholesale_minor = coalesce(p.wholesale_minor, u.wholesale_minor), last_error = null
        from purchases p
        -- By key as well as by the join: the planner takes jsonb_to_recordset for 100 rows and
        -- would hash the whole table rather than look up a batch's few orders.
        where u.order_id = p.order_id and u.order_id = any(${deliveries.map((d) => d.orderId)}::text[])
        returning u.order_id),
      providers_charged as (
        update providers p set balance_minor = p.balance_minor - c.total, updated_at = ${at}::text
        from (select provider_id, sum(wholesale_minor) as total from purchases where wholesale_minor is not null and provider_id is not null group by provider_id) c
        where p.id = c.provider_id and p.balance_minor is not null)`;
}

/**
 * What a batch's delivery statement writes besides the deliveries: the runs ended and the
 * purchases recorded, one of each per delivery, or it fails (a run taken over, its claim lost; a
 * purchase without its record) and the batch is delivered one by one.
 */
function alsoWritten(batch: readonly ForwardedDelivery[]): AlsoWritten {
  return {
    name: 'forwarded',
    ctes: sql`${pgEndRuns(batch.map((d) => d.end))} ${pgRecordBought(batch)}`,
    checks: sql`,
      souk_check((select count(*) from runs_ended) = ${batch.length}, 'a run of the batch was taken over') as runs_ended,
      souk_check((select count(*) from purchases_marked) = ${batch.length}, 'a purchase delivered has no record') as purchases_marked`,
  };
}

/** SQLite: records the purchases delivered and books what they cost, synchronously in the batch's transaction; the number of records written. */
function sqlitePurchaseRecorder(sqlite: SQLite.Database): (deliveries: readonly ForwardedDelivery[]) => number {
  const mark = sqlite.prepare<[string, string | null, number | null, string]>(
    `update upstream_orders set state = 'delivered', updated_at = ?, upstream_order_id = coalesce(?, upstream_order_id),
       wholesale_minor = coalesce(?, wholesale_minor), last_error = null where order_id = ?`,
  );
  const charge = sqlite.prepare<[number, string, number]>('update providers set balance_minor = balance_minor - ?, updated_at = ? where id = ? and balance_minor is not null');
  return (deliveries) => {
    const at = nowIso();
    let marked = 0;
    const costs = new Map<number, number>();
    for (const d of deliveries) {
      marked += mark.run(at, d.bought.upstreamOrderId || null, d.bought.wholesaleMinor ?? null, d.orderId).changes;
      if (d.bought.wholesaleMinor && d.providerId !== undefined) costs.set(d.providerId, (costs.get(d.providerId) ?? 0) + d.bought.wholesaleMinor);
    }
    for (const [providerId, total] of costs) charge.run(total, at, providerId);
    return marked;
  };
}

/** SQLite: each batch in one synchronous transaction holding the only connection, as placement's batches are written. */
function sqliteDeliveries(db: Db, sqlite: SQLite.Database, vault: () => CodeVault): Deliveries {
  const group = new GroupCommit(db);
  // Prepared at the first batch: the vault is not there yet when this is made.
  let writeBatch: SQLite.Transaction<(batch: ForwardedDelivery[]) => DeliveredNow[]> | undefined;
  const prepare = () => {
    const deliver = sqliteUpstreamDeliverer(sqlite, vault());
    const endRuns = sqliteRunEnder(sqlite);
    const recordPurchases = sqlitePurchaseRecorder(sqlite);
    return sqlite.transaction((batch: ForwardedDelivery[]) => {
      const delivered = deliver(batch);
      // Rolled back, and delivered one by one: a run taken over (its claim lost), a purchase without its record.
      if (endRuns(batch.map((d) => d.end)) !== batch.length) throw new Error('a run of the batch was taken over');
      if (recordPurchases(batch) !== batch.length) throw new Error('a purchase delivered has no record');
      return delivered;
    });
  };
  const queue = new BatchQueue<ForwardedDelivery, DeliveredNow>(
    async (batch) => {
      const write = (writeBatch ??= prepare());
      // The Kysely connection is held for the batch, so no Kysely query of this process can slip between its statements.
      const delivered = await db.connection().execute(async () => write.immediate(batch));
      for (const delivery of batch) delivery.end.ended();
      wakeDispatchers(db);
      return delivered;
    },
    (delivery) => delivery.alone(),
  );
  return { group, deliver: (delivery) => queue.submit(delivery) };
}

/** `vault` is read when a batch is written (the order use cases that hold it are made after this). */
export function forwardedDeliveries(db: Db, vault: () => CodeVault): Deliveries {
  const sqlite = sqliteHandleOf(db);
  if (sqlite) return sqliteDeliveries(db, sqlite, vault);
  // On the keyed writers' connection, whose plans probe the batch's rows by key.
  const writer = keyedWriterOf(db);
  // A database that is neither the embedded one nor a PostgreSQL pool does not exist.
  if (!writer) throw new Error('forwarded deliveries need SQLite or a PostgreSQL pool');
  const { transaction, statements } = writer;
  const queue = new BatchQueue<ForwardedDelivery, DeliveredNow>(
    async (batch) => {
      const write = (run: PreparedRunner) => pgDeliverFromUpstream(run, db, vault(), batch, alsoWritten(batch));
      const delivered = placedHere(batch) ? await write(statements) : await transaction(write);
      for (const delivery of batch) delivery.end.ended();
      // Their events are in the outbox: the dispatchers are told once for the batch.
      wakeDispatchers(db);
      return delivered;
    },
    (delivery) => delivery.alone(),
  );
  return { group: undefined, deliver: (delivery) => queue.submit(delivery) };
}
