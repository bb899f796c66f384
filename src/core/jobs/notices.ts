// Waking workers in other processes: on PostgreSQL, one NOTIFY on the workers' channel, sent after
// the writer's commit (a NOTIFY inside a transaction holds a cluster-wide lock through its commit,
// which serialised every commit). Notices are coalesced: while one is on its way, any number of
// wakes of the same kind make one more after it. A lost notice costs latency only: every worker
// also polls. SQLite has no such channel; its workers poll (and hear their own process at once).
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../../db/index.js';

/**
 * The PostgreSQL channel every worker LISTENs on (one connection per process, listener.ts). Named
 * for the outbox, which used it first; kept so that workers of different versions hear each other.
 */
export const WAKE_CHANNEL = 'souk_outbox';

/** What a notice says: events to publish, deliveries due to claim, jobs enqueued. */
export type WakeNotice = 'events' | 'deliveries' | 'jobs';

const notifying = new WeakMap<Db, Map<WakeNotice, { again: boolean }>>();

function notify(db: Db, what: WakeNotice, state: { again: boolean }) {
  state.again = false;
  sql`select pg_notify(${WAKE_CHANNEL}, ${what})`
    .execute(db)
    .catch(() => undefined)
    .finally(() => {
      if (state.again) notify(db, what, state);
      else notifying.get(db)?.delete(what);
    });
}

/** Tells the workers of other processes (PostgreSQL) that `what` is waiting. Call after the commit; never waits, never throws. */
export function notifyWorkers(db: Db, what: WakeNotice): void {
  // Inside a transaction the work is not visible yet; the workers' own look finds it.
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
