// The record of each order forwarded upstream, one row per local order, written before the
// upstream is called: its state says what a resumed run may do. `sending` means a create may have
// reached the upstream, so the next attempt looks the order up before it creates anything;
// `stuck` means it cannot be looked up and waits for a person.
import { sql, type Selectable } from 'kysely';
import { queryTemplate, type Db, type Dialect } from '../../db/index.js';
import type { UpstreamOrdersTable, UpstreamOrderState } from '../../db/schema.js';
import { nowIso } from '../clock.js';
import { processingOrder } from '../orders/index.js';

export type UpstreamOrderRow = Selectable<UpstreamOrdersTable>;

/** States in which a purchase upstream may be under way or done: the order cannot be ended locally. */
export const IN_FLIGHT: readonly UpstreamOrderState[] = ['sending', 'pending', 'stuck', 'delivered'];

const selectUpstreamOrder = queryTemplate(['orderId'], (db, p) => db.selectFrom('upstream_orders').selectAll().where('order_id', '=', p.orderId));

export async function findUpstreamOrder(db: Db, orderId: string): Promise<UpstreamOrderRow | undefined> {
  return (await selectUpstreamOrder.run(db, { orderId }))[0];
}

/** The order's record, written as `new` if it has none yet. */
export async function openUpstreamOrder(db: Db, row: Pick<UpstreamOrderRow, 'order_id' | 'provider_id' | 'upstream_ref' | 'goods'>): Promise<UpstreamOrderRow> {
  const now = nowIso();
  await db
    .insertInto('upstream_orders')
    .values({ ...row, state: 'new', upstream_order_id: null, wholesale_minor: null, last_error: null, created_at: now, updated_at: now })
    .onConflict((c) => c.column('order_id').doNothing())
    .execute();
  return (await findUpstreamOrder(db, row.order_id))!;
}

const insertSending = queryTemplate(['orderId', 'providerId', 'upstreamRef', 'goods', 'now'], (db, p, dialect) =>
  db
    .insertInto('upstream_orders')
    .columns(['order_id', 'provider_id', 'upstream_ref', 'goods', 'state', 'upstream_order_id', 'wholesale_minor', 'last_error', 'created_at', 'updated_at'])
    .expression(
      processingOrder(db, p.orderId, dialect).select((eb) => [
        'orders.id',
        eb.cast<number>(eb.val(p.providerId), 'integer').as('provider_id'),
        eb.cast<string>(eb.val(p.upstreamRef), 'text').as('upstream_ref'),
        eb.cast<string>(eb.val(p.goods), 'text').as('goods'),
        eb.cast<string>(eb.val('sending'), 'text').as('state'),
        eb.cast<string>(eb.val(null), 'text').as('upstream_order_id'),
        eb.cast<number>(eb.val(null), 'bigint').as('wholesale_minor'),
        eb.cast<string>(eb.val(null), 'text').as('last_error'),
        eb.cast<string>(eb.val(p.now), 'text').as('created_at'),
        eb.cast<string>(eb.val(p.now), 'text').as('updated_at'),
      ]),
    )
    .onConflict((c) => c.column('order_id').doNothing())
    .returning('order_id'),
);

/**
 * Writes the order's record as `sending` if it has none yet and the order is processing here, in
 * one statement that holds the order meanwhile (orders' processingOrder: a cancel or a reject
 * either comes first, and nothing is written, or waits and finds the purchase under way). False
 * when nothing was written: a record was there already, or the order is not processing.
 */
export async function insertUnderWay(db: Db, dialect: Dialect, row: Pick<UpstreamOrderRow, 'order_id' | 'provider_id' | 'upstream_ref' | 'goods'>): Promise<boolean> {
  const inserted = await insertSending.run(db, { orderId: row.order_id, providerId: row.provider_id, upstreamRef: row.upstream_ref, goods: row.goods, now: nowIso() });
  return inserted.length === 1;
}

const markState = queryTemplate(['orderId', 'state', 'now', 'upstreamOrderId', 'wholesaleMinor', 'setError', 'error'], (db, p) =>
  db
    .updateTable('upstream_orders')
    .set({
      state: p.state,
      updated_at: p.now,
      upstream_order_id: sql<string | null>`coalesce(${p.upstreamOrderId}, upstream_order_id)`,
      wholesale_minor: sql<number | null>`coalesce(${p.wholesaleMinor}, wholesale_minor)`,
      last_error: sql<string | null>`case when ${p.setError} = 1 then ${p.error} else last_error end`,
    })
    .where('order_id', '=', p.orderId),
);

/** Records where the upstream order stands (and, when known, its upstream id, what it cost, why it failed). */
export async function markUpstreamOrder(
  db: Db,
  orderId: string,
  state: UpstreamOrderState,
  detail: { upstreamOrderId?: string | null; wholesaleMinor?: number | null; error?: string | null } = {},
): Promise<void> {
  await markState.run(db, {
    orderId,
    state,
    now: nowIso(),
    upstreamOrderId: detail.upstreamOrderId || null,
    wholesaleMinor: detail.wholesaleMinor ?? null,
    setError: detail.error !== undefined ? 1 : 0,
    error: detail.error == null ? null : detail.error.slice(0, 1000),
  });
}

/** Upstream orders in a state, oldest first: for the admin API and the doctor. */
export async function listUpstreamOrders(db: Db, filter: { state?: UpstreamOrderState; providerId?: number; limit?: number } = {}): Promise<UpstreamOrderRow[]> {
  let query = db.selectFrom('upstream_orders').selectAll().orderBy('created_at').limit(filter.limit ?? 100);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.providerId !== undefined) query = query.where('provider_id', '=', filter.providerId);
  return query.execute();
}
