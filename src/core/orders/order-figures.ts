// Figures over orders for the owner's dashboard: sales per day, orders per status, the review queue.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { ORDER_STATUSES, type OrderStatus } from './status.js';

/** One day's sales in one currency: orders delivered (and not refunded) that were placed that day. */
export interface DaySales {
  /** yyyy-MM-dd, UTC. */
  day: string;
  currency: string;
  orders: number;
  /** What the buyers were charged, in minor units of `currency`. */
  charged_minor: number;
}

/** Sales per UTC day since `since` (stored ISO time), by the currency buyers were charged in, oldest day first. */
export async function salesPerDay(db: Db, since: string): Promise<DaySales[]> {
  const day = sql<string>`substr(created_at, 1, 10)`;
  const rows = await db
    .selectFrom('orders')
    .select([day.as('day'), 'charged_currency', sql<number>`count(*)`.as('n'), sql<number>`sum(charged_minor)`.as('total')])
    .where('created_at', '>=', since)
    .where('status', '=', 'fulfilled')
    .groupBy([day, 'charged_currency'])
    .orderBy(day)
    .orderBy('charged_currency')
    .execute();
  return rows.map((r) => ({ day: r.day, currency: r.charged_currency, orders: Number(r.n), charged_minor: Number(r.total) }));
}

/** How many orders placed since `since` stand in each status now (every status listed, 0 when none). */
export async function ordersByStatus(db: Db, since: string): Promise<Record<OrderStatus, number>> {
  const rows = await db.selectFrom('orders').select(['status', sql<number>`count(*)`.as('n')]).where('created_at', '>=', since).groupBy('status').execute();
  const counts = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}

/** The review queue at a glance: how many orders wait in review and when the first is due (stored ISO time, null when none). */
export async function reviewQueue(db: Db): Promise<{ waiting: number; dueFirst: string | null }> {
  const row = await db
    .selectFrom('orders')
    .select([sql<number>`count(*)`.as('n'), sql<string | null>`min(review_until)`.as('due')])
    .where('status', '=', 'review')
    .executeTakeFirstOrThrow();
  return { waiting: Number(row.n), dueFirst: row.due };
}
