// Stock changes become product.updated events, at most one per product per interval. The interval
// is enforced per product in the database; running more often than it only keeps a product from
// waiting up to two intervals when it changed just after a run.
import type { Souk } from '../../app.js';
import { announceStockChanges } from '../../core/events/index.js';
import { defineSchedule } from '../../core/jobs/index.js';

export const announceStock = (intervalMs: number) =>
  defineSchedule<Souk>({ name: 'events.announce-stock', everyMs: Math.max(1, Math.min(intervalMs, 1000)), run: (souk) => announceStockChanges(souk.db, souk.dialect, { intervalMs }) });
