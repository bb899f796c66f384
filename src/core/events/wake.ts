// Waking the dispatchers once events have committed: at once in this process, and on PostgreSQL
// every worker's LISTEN through one NOTIFY sent outside the writer's transaction (core/jobs'
// notifyWorkers: coalesced, never inside a transaction). A lost wake costs latency only: workers
// also look for unpublished events every 100 ms.
import type { Db } from '../../db/index.js';
import { notifyWorkers } from '../jobs/index.js';
import { outboxSignal } from './outbox.js';

/** What a notice on the outbox channel says: events to publish, or deliveries due to claim. */
export type OutboxNotice = 'events' | 'deliveries';

/**
 * Tells the workers that events committed, or (`deliveries`) that deliveries were made due without
 * an event, as a re-send does. Call after the commit; it never waits and never throws.
 */
export function wakeDispatchers(db: Db, what: OutboxNotice = 'events'): void {
  outboxSignal.emit(what === 'events' ? 'inserted' : 'due');
  notifyWorkers(db, what);
}
