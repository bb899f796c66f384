// Waking the dispatchers once events have committed: at once in this process, and on PostgreSQL
// every worker's LISTEN through one NOTIFY sent outside the writer's transaction (a NOTIFY inside
// it would serialise every commit behind a cluster-wide lock). Notices are coalesced: while one is
// on its way, any number of wakes make one more after it. A lost wake costs latency only: workers
// also look for unpublished events every 100 ms.
import { sql } from 'kysely';
import { PostgresAdapter } from 'kysely';
import type { Db } from '../../db/index.js';
import { OUTBOX_CHANNEL, outboxSignal } from './outbox.js';

/** What a notice on the outbox channel says: events to publish, or deliveries due to claim. */
export type OutboxNotice = 'events' | 'deliveries';

const notifying = new WeakMap<Db, Map<OutboxNotice, { again: boolean }>>();

function notify(db: Db, what: OutboxNotice, state: { again: boolean }) {
  state.again = false;
  sql`select pg_notify(${OUTBOX_CHANNEL}, ${what})`
    .execute(db)
    .catch(() => undefined)
    .finally(() => {
      if (state.again) notify(db, what, state);
      else notifying.get(db)?.delete(what);
    });
}

/**
 * Tells the workers that events committed, or (`deliveries`) that deliveries were made due without
 * an event, as a re-send does. Call after the commit; it never waits and never throws.
 */
export function wakeDispatchers(db: Db, what: OutboxNotice = 'events'): void {
  outboxSignal.emit(what === 'events' ? 'inserted' : 'due');
  // Inside a transaction the events are not visible yet; the workers' own look finds them.
  if (db.isTransaction || !(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  let states = notifying.get(db);
  if (!states) notifying.set(db, (states = new Map()));
  const state = states.get(what);
  if (state) {
    state.again = true;
    return;
  }
  const fresh = { again: false };
  states.set(what, fresh);
  notify(db, what, fresh);
}
