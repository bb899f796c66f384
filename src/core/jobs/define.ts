// A job kind: its name, what running one does, and how often a failure is tried again. Each kind
// lives in one file beside what it works on (a connector's "forward an order" is one file), and
// src/worker/jobs.ts lists the kinds a worker runs.

/** A job as its handler sees it. */
export interface RunningJob {
  id: number;
  kind: string;
  /** Attempts before this one (0 on the first run). */
  attempts: number;
}

/**
 * A kind of job with a payload `P`, run with the worker's context `C` (the shop's services). The
 * handler may run more than once for one job (a worker that dies mid-run, a lease that runs out
 * while it runs): make it idempotent, as a job that calls out names its request with the job's own
 * reference. A throw is a failed attempt; after the last delay of `retrySchedule` the job is dead.
 */
export interface JobKind<P, C> {
  readonly kind: string;
  /** Seconds to wait after the 1st, 2nd, … failed attempt; the queue's default when left out. */
  readonly retrySchedule?: readonly number[];
  run(payload: P, context: C, job: RunningJob): Promise<void>;
}

/** Declares a job kind (the identity function, for the types). */
export function defineJob<P, C>(kind: JobKind<P, C>): JobKind<P, C> {
  return kind;
}

/** A periodic piece of work: run once per interval, by whichever process takes the run (scheduler.ts). */
export interface Schedule<C> {
  readonly name: string;
  readonly everyMs: number;
  run(context: C): Promise<unknown>;
}

/** Declares a schedule (the identity function, for the types). */
export function defineSchedule<C>(schedule: Schedule<C>): Schedule<C> {
  return schedule;
}
