// product.updated: price and status changes are written in the transaction that makes them; stock
// changes (every order, import, void, release) are coalesced. Each product's last announced stock
// and when it was announced are kept in product_update_marks, and the worker announces the
// difference with the latest values once the product's interval has passed since its last event.
// The interval is kept per product in the database, not per process, so any number of workers
// together still announce a product at most once per interval. The counter itself is written in
// the change's own transaction, so a stock change can be announced late but never lost, and
// placement pays nothing.
import { sql } from 'kysely';
import type { Db, Dialect } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { insertOutboxEvents, productUpdatedEvent, type ProductFacts } from './outbox.js';
import { wakeDispatchers } from './wake.js';

const STOCK_LOCK = 7_240_002;

async function markAnnounced(tx: Db, productId: number, stock: number, at: string): Promise<void> {
  await tx
    .insertInto('product_update_marks')
    .values({ product_id: productId, stock_available: stock, published_at: at })
    .onConflict((c) => c.column('product_id').doUpdateSet({ stock_available: stock, published_at: at }))
    .execute();
}

/**
 * Called inside a product's update transaction with its values before and after: writes one
 * product.updated event if the price, status or stock changed (and records the stock announced).
 */
export async function recordProductChange(tx: Db, before: ProductFacts, after: ProductFacts): Promise<void> {
  const changed: Array<'price' | 'stock' | 'status'> = [];
  if (before.price_minor !== after.price_minor || before.currency !== after.currency) changed.push('price');
  if (before.status !== after.status) changed.push('status');
  if (!changed.length) return;
  const at = nowIso();
  if (before.stock_available !== after.stock_available) changed.push('stock');
  await insertOutboxEvents(tx, [productUpdatedEvent(after, changed, at)]);
  await markAnnounced(tx, after.id, after.stock_available, at);
}

export interface AnnounceOptions {
  /** A product announced less than this long ago waits (its price or status events count too). */
  intervalMs: number;
  /** The time to judge by; now unless a test says otherwise. */
  now?: Date;
}

/**
 * Announces every product whose stock differs from what was last announced and whose last event
 * is at least the interval old: one event each, in one transaction. A product never announced
 * before is announced once it has stock. Two workers never run this at once on PostgreSQL (the
 * second skips); SQLite has one writer.
 */
export async function announceStockChanges(db: Db, dialect: Dialect, options: AnnounceOptions): Promise<number> {
  const now = options.now ?? new Date();
  const announcedBefore = new Date(now.getTime() - options.intervalMs).toISOString();
  const announced = await db.transaction().execute(async (tx) => {
    if (dialect === 'postgres') {
      const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(${STOCK_LOCK}) as got`.execute(tx);
      if (!rows[0]?.got) return 0;
    }
    const due = await tx
      .selectFrom('products as p')
      .leftJoin('product_update_marks as m', 'm.product_id', 'p.id')
      .select(['p.id', 'p.code', 'p.price_minor', 'p.currency', 'p.status', 'p.stock_available', 'm.stock_available as announced'])
      .where((eb) =>
        eb.or([
          eb.and([eb('m.product_id', 'is', null), eb('p.stock_available', '>', 0)]),
          eb.and([eb('m.stock_available', '!=', eb.ref('p.stock_available')), eb('m.published_at', '<=', announcedBefore)]),
        ]),
      )
      .orderBy('p.id')
      .limit(1000)
      .execute();
    if (!due.length) return 0;
    const at = now.toISOString();
    await insertOutboxEvents(tx, due.map((p) => productUpdatedEvent(p, ['stock'], at)));
    for (const p of due) await markAnnounced(tx, p.id, p.stock_available, at);
    return due.length;
  });
  if (announced) wakeDispatchers(db);
  return announced;
}
