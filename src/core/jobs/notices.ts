// Waking workers in other processes: on PostgreSQL, one NOTIFY on the workers' channel, sent after
// the writer's commit (a NOTIFY inside a transaction holds a cluster-wide lock through its commit,
// which serialised every commit). Notices of a kind go at most one per NOTICE_SPACING_MS: a wake
// after a quiet spell goes at once, and any number of wakes meanwhile make one more notice at the
// end of the spacing. Under load a notice per commit cost a round trip to the server, and one more
// to each listening process, for workers that one notice wakes just as well; they read whatever
// committed before it. A lost notice costs latency only: every worker also polls. SQLite has no
// such channel; its workers poll (and hear their own process at once).
import { PostgresAdapter, sql } from 'kysely';
import type { Db } from '../../db/index.js';

/**
 * The PostgreSQL channel every worker LISTENs on (one connection per process, listener.ts). Named
 * for the outbox, which used it first; kept so that workers of different versions hear each other.
 */
export const WAKE_CHANNEL = 'souk_outbox';

/** What a notice says: events to publish, deliveries due to claim, jobs enqueued. */
export type WakeNotice = 'events' | 'deliveries' | 'jobs';

/** The least time between two notices of one kind from one process; a wake waits at most this long to be sent. */
export const NOTICE_SPACING_MS = 20;

interface NoticeState {
  /** A notice is on its way, or waiting for its turn. */
  busy: boolean;
  /** Wakes came after the notice on its way was sent: one more is due. */
  again: boolean;
  /** When the last notice was sent (performance.now()). */
  sentAt: number;
}

const notifying = new WeakMap<Db, Map<WakeNotice, NoticeState>>();

function send(db: Db, what: WakeNotice, state: NoticeState) {
  state.again = false;
  state.sentAt = performance.now();
  sql`select pg_notify(${WAKE_CHANNEL}, ${what})`
    .execute(db)
    .catch(() => undefined)
    .finally(() => {
      state.busy = false;
      if (state.again) request(db, what, state);
    });
}

function request(db: Db, what: WakeNotice, state: NoticeState) {
  if (state.busy) {
    state.again = true;
    return;
  }
  state.busy = true;
  const wait = state.sentAt + NOTICE_SPACING_MS - performance.now();
  if (wait <= 0) return send(db, what, state);
  // Unref'd: a command that ends meanwhile does not wait for it; the workers' poll finds its work.
  setTimeout(() => send(db, what, state), Math.ceil(wait)).unref();
}

/** Tells the workers of other processes (PostgreSQL) that `what` is waiting, within NOTICE_SPACING_MS. Call after the commit; never waits, never throws. */
export function notifyWorkers(db: Db, what: WakeNotice): void {
  // Inside a transaction the work is not visible yet; the workers' own look finds it.
  if (db.isTransaction || !(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  let states = notifying.get(db);
  if (!states) notifying.set(db, (states = new Map()));
  let state = states.get(what);
  if (!state) states.set(what, (state = { busy: false, again: false, sentAt: -Infinity }));
  request(db, what, state);
}
