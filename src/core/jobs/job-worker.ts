// The job worker: runs the jobs of the kinds it was given, as many at once as its concurrency
// allows, through the queue runner. It wakes when jobs are enqueued in this process, on another
// process's notice (PostgreSQL, through the process's one LISTEN connection), when a retry falls
// due, and on its poll.
import type { Db, Dialect } from '../../db/index.js';
import type { JobKind } from './define.js';
import type { WakeListener } from './listener.js';
import { claimJobs, completeJob, failJob, jobSignal, jobsWaiting, JOBS_QUEUE, type ClaimedJob } from './queue.js';
import { QueueRunner } from './runner.js';

export interface JobWorkerOptions<C> {
  db: Db;
  dialect: Dialect;
  /** What every handler is given: the shop's services. */
  context: C;
  kinds: ReadonlyArray<JobKind<never, C>>;
  concurrency?: number;
  pollMs?: number;
  /** How long a claim is this worker's (JOBS_QUEUE's lease by default). */
  leaseMs?: number;
  listener?: WakeListener;
  onError(error: unknown): void;
}

export class JobWorker<C> {
  private readonly runner: QueueRunner<ClaimedJob>;
  private readonly kinds: Map<string, JobKind<never, C>>;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly wake = () => this.runner.kick();

  constructor(private readonly options: JobWorkerOptions<C>) {
    this.kinds = new Map(options.kinds.map((k) => [k.kind, k]));
    const names = [...this.kinds.keys()];
    this.runner = new QueueRunner<ClaimedJob>(
      {
        claim: (room) => claimJobs(options.db, options.dialect, names, { limit: room, ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}) }),
        run: (job) => this.runJob(job),
        waiting: () => jobsWaiting(options.db, names),
      },
      { concurrency: options.concurrency ?? 4, pollMs: options.pollMs ?? 1000, onError: options.onError },
    );
  }

  start(): void {
    if (!this.kinds.size) return;
    jobSignal.on('jobs', this.wake);
    this.unsubscribe.push(() => jobSignal.off('jobs', this.wake));
    if (this.options.listener) this.unsubscribe.push(this.options.listener.subscribe('jobs', this.wake));
    this.runner.start();
  }

  /** Stops claiming; resolves once the jobs running have finished and been recorded. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await this.runner.stop();
  }

  private async runJob(job: ClaimedJob): Promise<number | undefined> {
    const kind = this.kinds.get(job.kind)!;
    try {
      await kind.run(JSON.parse(job.payload) as never, this.options.context, { id: job.id, kind: job.kind, attempts: job.attempts });
    } catch (error) {
      this.options.onError(error);
      const recorded = await failJob(this.options.db, job, error instanceof Error ? error.message : String(error), kind.retrySchedule ?? JOBS_QUEUE.retrySchedule);
      return recorded.delayMs;
    }
    await completeJob(this.options.db, job);
    return undefined;
  }
}
