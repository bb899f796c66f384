// Waking the dispatchers once events have committed: at once in this process, and on PostgreSQL
// every worker's LISTEN through one NOTIFY sent outside the writer's transaction (a NOTIFY inside
// it would serialise every commit behind a cluster-wide lock). Notices are coalesced: while one is
// on its way, any number of wakes make one more after it. A lost wake costs latency only: workers
// also look for unpublished events every 100 ms.
import { sql } from 'kysely';
import { PostgresAdapter } from 'kysely';
import type { Db } from '../../db/index.js';
import { OUTBOX_CHANNEL, outboxSignal } from './outbox.js';

const notifying = new WeakMap<Db, { again: boolean }>();

function notify(db: Db, state: { again: boolean }) {
  state.again = false;
  sql`select pg_notify(${OUTBOX_CHANNEL}, '')`
    .execute(db)
    .catch(() => undefined)
    .finally(() => {
      if (state.again) notify(db, state);
      else notifying.delete(db);
    });
}

/**
 * Tells the workers that events committed, or (`deliveries`) that deliveries were made due without
 * an event, as a re-send does. Call after the commit; it never waits and never throws.
 */
export function wakeDispatchers(db: Db, what: 'events' | 'deliveries' = 'events'): void {
  outboxSignal.emit(what === 'events' ? 'inserted' : 'due');
  // Inside a transaction the events are not visible yet; the workers' own look finds them.
  if (db.isTransaction || !(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  const state = notifying.get(db);
  if (state) {
    state.again = true;
    return;
  }
  const fresh = { again: false };
  notifying.set(db, fresh);
  notify(db, fresh);
}
