// Publishing and reading the event feed. Events get their feed position when the worker publishes
// them, one publisher at a time and in commit order, so `GET /events?after=` never skips one.
import { sql } from 'kysely';
import type { Db, Dialect } from '../../db/index.js';
import { ValidationFailed } from '../errors.js';
import type { EventType, OutboxRow } from './outbox.js';

/** An outbox row with its place in the feed; without its payload, which publishing does not need to read. */
export interface PublishedEvent extends Omit<OutboxRow, 'payload'> {
  id: number;
  position: number;
}

// Any constant: the lock that makes one publisher at a time on PostgreSQL (SQLite has one writer).
const PUBLISH_LOCK = 7_240_001;

/**
 * Gives the oldest unpublished events their feed positions, inside the caller's transaction, and
 * returns them. On PostgreSQL the transaction holds an advisory lock until it ends, so positions
 * become visible in the order they were given; a publisher that finds the lock taken returns
 * nothing (the holder is publishing) rather than wait.
 */
export async function publishPendingEvents(tx: Db, dialect: Dialect, limit = 500): Promise<PublishedEvent[]> {
  if (dialect === 'postgres') {
    const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(${PUBLISH_LOCK}) as got`.execute(tx);
    if (!rows[0]?.got) return [];
  }
  const pending = await tx
    .selectFrom('outbox_events')
    .select(['id', 'event_id', 'type', 'account_id', 'order_id', 'endpoint_id', 'callback_url', 'created_at'])
    .select((eb) => eb.selectFrom('outbox_events as o').select(sql<number | string | null>`max(o.position)`.as('top')).as('top'))
    .where('position', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  if (!pending.length) return [];
  const base = Number(pending[0]!.top ?? 0);
  const first = pending[0]!.id;
  // One statement: positions follow ids, shifted past the last position given.
  await tx
    .updateTable('outbox_events')
    .set({ position: sql<number>`${base - first + 1} + id` })
    .where('id', 'in', pending.map((e) => e.id))
    .execute();
  return pending.map(({ top: _top, ...e }) => ({ ...e, type: e.type as EventType, position: base - first + 1 + e.id }));
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
