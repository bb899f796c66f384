// Publishing and reading the event feed. Events get their feed position when the worker publishes
// them, one publisher at a time and in commit order, so `GET /events?after=` never skips one.
import { sql, type QueryCreator, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import type { Database, Db } from '../../db/index.js';
import { ValidationFailed } from '../errors.js';
import type { EventType, OutboxRow } from './outbox.js';

/** An outbox row with its place in the feed; without its payload, which publishing does not need to read. */
export interface PublishedEvent extends Omit<OutboxRow, 'payload'> {
  id: number;
  position: number;
}

// Any constant: the lock that makes one publisher at a time on PostgreSQL (SQLite has one writer).
const PUBLISH_LOCK = 7_240_001;

/** Events about to be published, with the positions they get, and the position update that gives them. */
export interface Publication {
  events: PublishedEvent[];
  /** Run it in the same transaction; PostgreSQL callers may fold it into a statement of their own. */
  positions(tx: QueryCreator<Database>): UpdateQueryBuilder<Database, 'outbox_events', 'outbox_events', UpdateResult>;
}

const PENDING_COLUMNS = ['id', 'event_id', 'type', 'account_id', 'order_id', 'endpoint_id', 'callback_url', 'created_at'] as const;

/** The events to publish with the positions they get, from rows of pendingEventsQuery; undefined when there are none. */
export function toPublication(pending: Array<Omit<PublishedEvent, 'position' | 'type'> & { type: string; top: number | string | null }>): Publication | undefined {
  if (!pending.length) return undefined;
  const shift = Number(pending[0]!.top ?? 0) - pending[0]!.id + 1;
  return {
    events: pending.map(({ top: _top, ...e }) => ({ ...e, type: e.type as EventType, position: shift + e.id })),
    // One statement: positions follow ids, shifted past the last position given.
    positions: (tx) =>
      tx
        .updateTable('outbox_events')
        .set({ position: sql<number>`${shift} + id` })
        .where('id', 'in', pending.map((e) => e.id)),
  };
}

/**
 * PostgreSQL: takes the publish lock for the rest of the caller's transaction, so positions become
 * visible in the order they were given; `got` is false when another publisher holds it (it is
 * publishing), rather than wait. A statement of its own: a statement's snapshot is taken when it
 * starts, so a read in the statement that took the lock could miss what the previous holder just
 * committed and publish its events again. Plain SQL, without parameters, so it can go in the round
 * trip that begins the transaction. (SQLite has one writer and needs no lock.)
 */
export const PUBLISH_LOCK_SQL = `select pg_try_advisory_xact_lock(${PUBLISH_LOCK}) as got`;

/**
 * The oldest unpublished events with the last position given (`top`), for toPublication(); callers
 * may select more alongside. On PostgreSQL, run it holding the publish lock (PUBLISH_LOCK_SQL).
 */
export function pendingEventsQuery(db: Db, limit: number) {
  return db
    .selectFrom('outbox_events')
    .select(PENDING_COLUMNS)
    .select((eb) => eb.selectFrom('outbox_events as o').select(sql<number | string | null>`max(o.position)`.as('top')).as('top'))
    .where('position', 'is', null)
    .orderBy('id')
    .limit(limit);
}

export interface FeedEvent {
  id: string;
  type: EventType;
  created_at: string;
  cursor: string;
  data: unknown;
}

export interface FeedPage {
  events: FeedEvent[];
  next_cursor: string | null;
}

/**
 * An account's events after a cursor, oldest first: its own, and the ones every account sees
 * (product updates). Test events stay with the endpoint they were sent to.
 */
export async function listAccountEvents(db: Db, accountId: number, query: { after?: string; types?: string[]; limit?: number }): Promise<FeedPage> {
  const limit = query.limit ?? 100;
  let after = 0;
  if (query.after !== undefined && query.after !== '') {
    if (!/^\d{1,15}$/.test(query.after)) throw new ValidationFailed('after is not a cursor from this feed.', [{ field: 'after', message: 'a next_cursor value' }]);
    after = Number(query.after);
  }
  let q = db
    .selectFrom('outbox_events')
    .select(['event_id', 'type', 'payload', 'position', 'created_at'])
    .where('position', '>', after)
    .where((eb) => eb.or([eb('account_id', '=', accountId), eb('account_id', 'is', null)]))
    .where('type', '!=', 'webhook.test')
    .orderBy('position')
    .limit(limit + 1);
  if (query.types?.length) q = q.where('type', 'in', query.types);
  const rows = await q.execute();
  const page = rows.slice(0, limit).map((r) => ({ id: r.event_id, type: r.type as EventType, created_at: r.created_at, cursor: String(r.position), data: JSON.parse(r.payload) as unknown }));
  const last = page.at(-1);
  // With nothing newer, the cursor stays where the reader is, so the next call asks for what comes next.
  return { events: page, next_cursor: last ? last.cursor : query.after || null };
}
