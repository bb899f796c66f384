// The durable job queue (the `jobs` table): enqueue in the caller's transaction, so a job commits
// with what caused it, or not at all; claim, complete and fail through the lease protocol; dead jobs
// stay, listed with their last error, until someone runs them again.
import { EventEmitter } from 'node:events';
import { sql, type SqlBool } from 'kysely';
import type { Db, Dialect } from '../../db/index.js';
import { NotFound, ValidationFailed } from '../errors.js';
import type { JobKind } from './define.js';
import { anyDue, claimDue, completeClaims, failClaim, rerunValues, type Claim, type FailureRecorded, type LeasedQueue } from './lease.js';
import { notifyWorkers } from './notices.js';

/** Seconds after the 1st, 2nd, … failed attempt of a job whose kind names no schedule: about a day in all. */
export const DEFAULT_JOB_RETRY_SCHEDULE: readonly number[] = [5, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600];

export const JOBS_QUEUE: LeasedQueue = {
  table: 'jobs',
  status: { waiting: 'pending', running: 'running', done: 'done', dead: 'dead' },
  leaseMs: 5 * 60_000,
  retrySchedule: DEFAULT_JOB_RETRY_SCHEDULE,
};

/** In-process wake-up for job workers: jobs were enqueued and committed in this process. */
export const jobSignal = new EventEmitter();
jobSignal.setMaxListeners(0);

/** Wakes the job workers, here and (PostgreSQL) in other processes. Call after the enqueueing transaction committed. */
export function wakeJobWorkers(db: Db): void {
  jobSignal.emit('jobs');
  notifyWorkers(db, 'jobs');
}

export interface EnqueueOptions {
  /** Not before this time (now by default). */
  runAt?: Date;
  /** At most one job ever with this key: a second enqueue with it is a no-op. */
  uniqueKey?: string;
}

/**
 * Enqueues a job inside the caller's transaction: it commits with the change that asked for it. Returns its id,
 * or undefined when a job with the same `uniqueKey` exists. Call wakeJobWorkers() after the commit.
 */
export async function enqueueJob<P>(tx: Db, job: JobKind<P, never>, payload: P, options: EnqueueOptions = {}): Promise<number | undefined> {
  const now = new Date().toISOString();
  let insert = tx.insertInto('jobs').values({
    kind: job.kind,
    payload: JSON.stringify(payload),
    unique_key: options.uniqueKey ?? null,
    status: 'pending',
    attempts: 0,
    next_attempt_at: (options.runAt ?? new Date()).toISOString(),
    created_at: now,
    updated_at: now,
  });
  if (options.uniqueKey) insert = insert.onConflict((c) => c.column('unique_key').doNothing());
  const row = await insert.returning('id').executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/** A claimed job, with what its handler is given. */
export interface ClaimedJob extends Claim {
  kind: string;
  payload: string;
}

const ofKinds = (kinds: readonly string[]) => sql<SqlBool>`q.kind in (${sql.join(kinds)})`;

/** Claims up to `limit` due jobs of these kinds (a worker claims only what it can run). */
export async function claimJobs(db: Db, dialect: Dialect, kinds: readonly string[], options: { limit: number; leaseMs?: number; now?: Date }): Promise<ClaimedJob[]> {
  if (!kinds.length) return [];
  const queue = options.leaseMs ? { ...JOBS_QUEUE, leaseMs: options.leaseMs } : JOBS_QUEUE;
  return claimDue<{ kind: string; payload: string }>(db, dialect, queue, { limit: options.limit, where: ofKinds(kinds), columns: ['kind', 'payload'], ...(options.now ? { now: options.now } : {}) });
}

/** Records a job as done; false when the claim no longer holds (its lease ran out and another worker took it). */
export async function completeJob(db: Db, claim: Claim): Promise<boolean> {
  const at = new Date().toISOString();
  return (await completeClaims(db, JOBS_QUEUE, [claim], { finished_at: at }, at)) === 1;
}

/** Records a failed run: tried again after the schedule's next delay, or dead after the last. */
export async function failJob(db: Db, claim: Claim, error: string, schedule: readonly number[] = DEFAULT_JOB_RETRY_SCHEDULE): Promise<FailureRecorded> {
  return failClaim(db, JOBS_QUEUE, claim, { error, schedule, extra: (dead) => ({ finished_at: dead ? new Date().toISOString() : null }) });
}

/** Is a job of these kinds due (or its lease run out)? One cheap look for the poll. */
export async function jobsWaiting(db: Db, kinds: readonly string[]): Promise<boolean> {
  return kinds.length > 0 && anyDue(db, JOBS_QUEUE, ofKinds(kinds));
}

export const JOB_STATUSES = ['pending', 'running', 'done', 'dead'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobView {
  id: number;
  kind: string;
  status: JobStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

/** Jobs, newest first: dead ones with their last error, for whoever looks after the shop. Payloads are not shown. */
export async function listJobs(db: Db, filter: { status?: JobStatus; kind?: string; limit?: number } = {}): Promise<JobView[]> {
  let query = db
    .selectFrom('jobs')
    .select(['id', 'kind', 'status', 'attempts', 'next_attempt_at', 'last_error', 'created_at', 'finished_at'])
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  return (await query.execute()).map((r) => ({ ...r, id: Number(r.id), next_attempt_at: r.status === 'pending' ? r.next_attempt_at : null }));
}

/** Runs a dead (or done) job again as soon as a worker can, with a fresh retry schedule. A job still waiting or running is 400. */
export async function rerunJob(db: Db, jobId: number): Promise<void> {
  const result = await db
    .updateTable('jobs')
    .set({ ...rerunValues(JOBS_QUEUE), status: 'pending', finished_at: null })
    .where('id', '=', jobId)
    .where('status', 'in', ['dead', 'done'])
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return wakeJobWorkers(db);
  const row = await db.selectFrom('jobs').select('status').where('id', '=', jobId).executeTakeFirst();
  if (!row) throw new NotFound(`No job ${jobId}.`);
  throw new ValidationFailed(`Job ${jobId} is ${row.status}: it will run anyway.`, [{ field: 'job', message: `is ${row.status}` }]);
}
