// What other modules read of the outbox, exported so that none of them reads its tables: the feed
// after a consumer's cursor (the mailer), whether anything waits for publication, an event's row by
// its public id (acks), and the events as a source to join (webhook deliveries name their event).
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db, Dialect } from '../../db/index.js';
import { nowIso } from '../clock.js';

export interface FeedEntry {
  event_id: string;
  type: string;
  order_id: string | null;
  position: number;
}

/**
 * Inside the caller's transaction: the published events after `consumer`'s cursor, oldest first
 * (at most `limit`). On PostgreSQL the cursor row is locked, so two readers take turns and the
 * second reads on from where the first moved it.
 */
export async function readFeedAfterCursor(tx: Db, dialect: Dialect, consumer: string, limit: number): Promise<FeedEntry[]> {
  let cursorQuery = tx.selectFrom('outbox_cursors').select('position').where('consumer', '=', consumer);
  if (dialect === 'postgres') cursorQuery = cursorQuery.forUpdate();
  const cursor = await cursorQuery.executeTakeFirst();
  const rows = await tx
    .selectFrom('outbox_events')
    .select(['event_id', 'type', 'order_id', 'position'])
    .where('position', '>', Number(cursor?.position ?? 0))
    .orderBy('position')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, position: Number(r.position) }));
}

/** Moves `consumer`'s cursor to `position`, in the transaction that read up to it. */
export async function moveCursor(tx: Db, consumer: string, position: number): Promise<void> {
  const at = nowIso();
  await tx
    .insertInto('outbox_cursors')
    .values({ consumer, position, updated_at: at })
    .onConflict((c) => c.column('consumer').doUpdateSet({ position, updated_at: at }))
    .execute();
}

/** Has anything been published after `consumer`'s cursor? One cheap look. */
export async function feedHasNewer(db: Db, consumer: string): Promise<boolean> {
  const row = await db
    .selectFrom('outbox_events as e')
    .select(sql.lit(1).as('one'))
    .where('e.position', '>', (eb) => eb.selectFrom('outbox_cursors').select('position').where('consumer', '=', consumer))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Is any committed event still unpublished? One read on a partial index. */
export async function hasUnpublishedEvents(db: Db): Promise<boolean> {
  return (await db.selectFrom('outbox_events').select('id').where('position', 'is', null).limit(1).executeTakeFirst()) !== undefined;
}

/** The row id of the event with this public id (`evt_…`), if any. */
export async function eventRowId(db: Db, eventId: string): Promise<number | undefined> {
  const row = await db.selectFrom('outbox_events').select('id').where('event_id', '=', eventId).executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/** The events with what a delivery sends of them: a source to join by `id`. */
export function eventsToSend(db: Db) {
  return db.selectFrom('outbox_events').select(['outbox_events.id', 'outbox_events.event_id', 'outbox_events.type', 'outbox_events.order_id', 'outbox_events.payload', 'outbox_events.created_at']);
}

/**
 * PostgreSQL, for a statement that reads with the publisher's lock: whether the account named by
 * `accountId` has an event waiting for publication, or an event for every account is waiting.
 */
export function unpublishedFor(accountId: RawBuilder<unknown>): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${accountId} in (select u.account_id from outbox_events u where u.position is null)
    or exists (select 1 from outbox_events u where u.position is null and u.account_id is null))`;
}
