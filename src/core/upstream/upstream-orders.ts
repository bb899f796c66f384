// The record of each order forwarded upstream, one row per local order, written before the
// upstream is called: its state says what a resumed run may do. `sending` means a create may have
// reached the upstream, so the next attempt looks the order up before it creates anything;
// `stuck` means it cannot be looked up and waits for a person.
import type { Selectable } from 'kysely';
import type { Db } from '../../db/index.js';
import type { UpstreamOrdersTable, UpstreamOrderState } from '../../db/schema.js';
import { nowIso } from '../clock.js';

export type UpstreamOrderRow = Selectable<UpstreamOrdersTable>;

/** States in which a purchase upstream may be under way or done: the order cannot be ended locally. */
export const IN_FLIGHT: readonly UpstreamOrderState[] = ['sending', 'pending', 'stuck', 'delivered'];

export async function findUpstreamOrder(db: Db, orderId: string): Promise<UpstreamOrderRow | undefined> {
  return db.selectFrom('upstream_orders').selectAll().where('order_id', '=', orderId).executeTakeFirst();
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

/** Writes the order's record as `sending` if it has none yet (a first try); false when it had one. */
export async function insertUnderWay(db: Db, row: Pick<UpstreamOrderRow, 'order_id' | 'provider_id' | 'upstream_ref' | 'goods'>): Promise<boolean> {
  const now = nowIso();
  const inserted = await db
    .insertInto('upstream_orders')
    .values({ ...row, state: 'sending', upstream_order_id: null, wholesale_minor: null, last_error: null, created_at: now, updated_at: now })
    .onConflict((c) => c.column('order_id').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Records where the upstream order stands (and, when known, its upstream id, what it cost, why it failed). */
export async function markUpstreamOrder(
  db: Db,
  orderId: string,
  state: UpstreamOrderState,
  detail: { upstreamOrderId?: string | null; wholesaleMinor?: number | null; error?: string | null } = {},
): Promise<void> {
  await db
    .updateTable('upstream_orders')
    .set({
      state,
      updated_at: nowIso(),
      ...(detail.upstreamOrderId ? { upstream_order_id: detail.upstreamOrderId } : {}),
      ...(detail.wholesaleMinor !== undefined && detail.wholesaleMinor !== null ? { wholesale_minor: detail.wholesaleMinor } : {}),
      ...(detail.error !== undefined ? { last_error: detail.error === null ? null : detail.error.slice(0, 1000) } : {}),
    })
    .where('order_id', '=', orderId)
    .execute();
}

/** Upstream orders in a state, oldest first: for the admin API and the doctor. */
export async function listUpstreamOrders(db: Db, filter: { state?: UpstreamOrderState; providerId?: number; limit?: number } = {}): Promise<UpstreamOrderRow[]> {
  let query = db.selectFrom('upstream_orders').selectAll().orderBy('created_at').limit(filter.limit ?? 100);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.providerId !== undefined) query = query.where('provider_id', '=', filter.providerId);
  return query.execute();
}
