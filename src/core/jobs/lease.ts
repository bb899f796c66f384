// The lease protocol, written once for every leased queue: durable jobs (`jobs`), order mails
// (`order_mails`) and webhook deliveries (`webhook_deliveries`). A queue is a table with the lease
// columns; the module that owns the table describes it (LeasedQueue) and calls these functions on it.
//
// - A claim takes due rows (waiting and due, or running with the lease run out: their worker died)
//   and stamps them with a fresh claim token and a lease; on PostgreSQL `FOR UPDATE SKIP LOCKED`, so
//   two claimers never wait for or take the same row.
// - Every outcome is written only while the claim still holds (same token, still running): a worker
//   whose lease ran out and whose row was claimed again cannot complete, fail or release it.
// - A failure waits the next delay of the retry schedule (with jitter); after the last it is dead:
//   kept, visible, and run again only when someone asks (rerunValues).
import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { ulid } from 'ulid';
import type { Db, Dialect } from '../../db/index.js';
import { retryDelayMs } from './retry.js';

/** The columns every leased queue's table has, whatever else it holds. */
export interface LeaseColumns {
  id: number;
  status: string;
  attempts: number;
  next_attempt_at: string;
  claim_token: string | null;
  locked_until: string | null;
  last_error: string | null;
  updated_at: string;
}

/** A leased queue: its table, that table's words for the four states, its lease and retry schedule. */
export interface LeasedQueue {
  table: string;
  status: { waiting: string; running: string; done: string; dead: string };
  /** How long a claim is its claimer's before another worker may take the row again. */
  leaseMs: number;
  /** Seconds to wait after the 1st, 2nd, … failed attempt; dead after the last. */
  retrySchedule: readonly number[];
}

/** A claimed row: what an outcome must name to be written. */
export interface Claim {
  id: number;
  claim_token: string;
  /** Attempts recorded before this one. */
  attempts: number;
}

/** One claim's token and times: `at` is when it was taken, `until` when its lease runs out. */
export interface Lease {
  token: string;
  at: string;
  until: string;
}

type QueueDb = Record<string, LeaseColumns>;
/** The queue's table seen through its lease columns only (the module's own code sees all of it). */
const leased = (db: Db) => db as unknown as Kysely<QueueDb>;

/** A fresh claim token with its lease, from `now`. */
export function newLease(queue: LeasedQueue, now = new Date()): Lease {
  return { token: ulid(), at: now.toISOString(), until: new Date(now.getTime() + queue.leaseMs).toISOString() };
}

/** What a claim writes on each row it takes. */
export function claimValues(queue: LeasedQueue, lease: Lease) {
  return { status: queue.status.running, claim_token: lease.token, locked_until: lease.until, updated_at: lease.at };
}

/**
 * The two ways a row is due, as a condition on `alias` (for claims written by the queue's module
 * around its own reads): `waiting` (its time has come) or `expired` (claimed, and the lease ran
 * out). Statuses are written into the SQL, not bound: PostgreSQL then plans a named claim once.
 */
export function dueCondition(queue: LeasedQueue, alias: string, due: 'waiting' | 'expired', at: string): RawBuilder<SqlBool> {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return due === 'waiting'
    ? sql<SqlBool>`${column('status')} = ${sql.lit(queue.status.waiting)} and ${column('next_attempt_at')} <= ${at}`
    : sql<SqlBool>`${column('status')} = ${sql.lit(queue.status.running)} and ${column('locked_until')} < ${at}`;
}

export interface ClaimOptions {
  limit: number;
  now?: Date;
  /** The queue's own condition on a row (alias `q`): which kinds this worker runs, say. */
  where?: RawBuilder<SqlBool>;
  /** Columns to return besides the claim's. */
  columns?: readonly string[];
}

/**
 * Claims up to `limit` due rows, oldest due first, for a new claim token; returns them with the
 * asked columns. Two arms, each walking the due index in order and stopping at the limit (as one
 * OR they read and sorted every due row).
 */
export async function claimDue<Row extends object = object>(db: Db, dialect: Dialect, queue: LeasedQueue, options: ClaimOptions): Promise<Array<Claim & Row>> {
  const lease = newLease(queue, options.now);
  const q = leased(db);
  const arm = (due: 'waiting' | 'expired') => {
    let pick = q
      .selectFrom(`${queue.table} as q`)
      .select(['q.id', 'q.next_attempt_at'])
      .where(dueCondition(queue, 'q', due, lease.at));
    if (options.where) pick = pick.where(options.where);
    pick = pick.orderBy('q.next_attempt_at').orderBy('q.id').limit(options.limit);
    return dialect === 'postgres' ? pick.forUpdate().skipLocked() : pick;
  };
  const rows = await q
    .with(
      (cte) => cte('picked').materialized(),
      (w) =>
        w
          .selectFrom(w.selectFrom(arm('waiting').as('w')).selectAll().unionAll(w.selectFrom(arm('expired').as('x')).selectAll()).as('due'))
          .select('due.id')
          .orderBy('due.next_attempt_at')
          .orderBy('due.id')
          .limit(options.limit),
    )
    .updateTable(queue.table)
    .set(claimValues(queue, lease))
    .where('id', 'in', (eb) => eb.selectFrom('picked').select('picked.id'))
    .returning(['id', 'attempts', ...((options.columns ?? []) as string[])] as ['id', 'attempts'])
    .execute();
  return rows.map((r) => ({ ...(r as unknown as Row), id: Number(r.id), attempts: r.attempts, claim_token: lease.token })).sort((a, b) => a.id - b.id);
}

/** Only rows these claims still hold: same token, still running. */
function heldBy(queue: LeasedQueue, claims: readonly Claim[]): RawBuilder<SqlBool> {
  const ids = sql.join(claims.map((c) => c.id));
  const tokens = sql.join([...new Set(claims.map((c) => c.claim_token))]);
  return sql<SqlBool>`id in (${ids}) and claim_token in (${tokens}) and status = ${sql.lit(queue.status.running)}`;
}

/**
 * Records claimed rows as done (one statement for all of them), with the module's own columns.
 * Returns how many were still held: a claim whose lease ran out and was taken again writes nothing.
 */
export async function completeClaims(db: Db, queue: LeasedQueue, claims: readonly Claim[], extra: Record<string, unknown> = {}, at = new Date().toISOString()): Promise<number> {
  if (!claims.length) return 0;
  const result = await leased(db)
    .updateTable(queue.table)
    .set({ ...extra, status: queue.status.done, attempts: sql<number>`attempts + 1`, claim_token: null, locked_until: null, last_error: null, updated_at: at })
    .where(heldBy(queue, claims))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface Failure {
  /** Why, for people (cut to 500 characters); never a secret. */
  error: string | null;
  at?: string;
  /** Not worth trying again: dead now. */
  final?: boolean;
  /** The other side asked to wait at least this long (believed up to a day). */
  retryAfterSeconds?: number;
  /** Another schedule than the queue's (one configured at run time). */
  schedule?: readonly number[];
  /** The module's own columns, knowing whether the row is now dead. */
  extra?: (dead: boolean) => Record<string, unknown>;
}

export interface FailureRecorded {
  /** Milliseconds until the next try; undefined when the row is now dead. */
  delayMs: number | undefined;
  /** False when the claim no longer held (its lease ran out and another worker took the row). */
  held: boolean;
}

/** Records a failed attempt: the next try after the schedule's delay (with jitter), or dead after the last. */
export async function failClaim(db: Db, queue: LeasedQueue, claim: Claim, failure: Failure): Promise<FailureRecorded> {
  const at = failure.at ?? new Date().toISOString();
  const attempts = claim.attempts + 1;
  const delayMs = failure.final ? undefined : retryDelayMs(failure.schedule ?? queue.retrySchedule, attempts, failure.retryAfterSeconds);
  const dead = delayMs === undefined;
  const result = await leased(db)
    .updateTable(queue.table)
    .set({
      ...failure.extra?.(dead),
      status: dead ? queue.status.dead : queue.status.waiting,
      attempts,
      next_attempt_at: dead ? at : new Date(Date.parse(at) + delayMs).toISOString(),
      last_error: failure.error?.slice(0, 500) ?? null,
      claim_token: null,
      locked_until: null,
      updated_at: at,
    })
    .where(heldBy(queue, [claim]))
    .executeTakeFirst();
  return { delayMs, held: Number(result.numUpdatedRows) === 1 };
}

/** Puts claimed rows back untouched (no attempt counted), as due as they were. */
export async function releaseClaims(db: Db, queue: LeasedQueue, claims: readonly Claim[]): Promise<number> {
  if (!claims.length) return 0;
  const result = await leased(db)
    .updateTable(queue.table)
    .set({ status: queue.status.waiting, claim_token: null, locked_until: null })
    .where(heldBy(queue, claims))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** What running a finished or dead row again writes: due now, with a fresh retry schedule. */
export function rerunValues(queue: LeasedQueue, at = new Date().toISOString()) {
  return { status: queue.status.waiting, attempts: 0, next_attempt_at: at, claim_token: null, locked_until: null, updated_at: at };
}

/** One cheap look: is any row of the queue due now (waiting and due, or its lease run out)? */
export async function anyDue(db: Db, queue: LeasedQueue, where?: RawBuilder<SqlBool>): Promise<boolean> {
  const at = new Date().toISOString();
  const q = leased(db);
  const look = (due: 'waiting' | 'expired') => {
    let pick = q.selectFrom(`${queue.table} as q`).select('q.id').where(dueCondition(queue, 'q', due, at));
    if (where) pick = pick.where(where);
    return pick.limit(1);
  };
  return (await look('waiting').executeTakeFirst()) !== undefined || (await look('expired').executeTakeFirst()) !== undefined;
}
