// Jobs: one durable queue primitive. The lease protocol every leased queue uses (jobs, order mails,
// webhook deliveries), the job table with its kinds, the loop that runs a queue, the wake-ups
// (in process, and LISTEN/NOTIFY between PostgreSQL processes), and periodic schedules that hold
// across processes.
export { defineJob, defineSchedule, type JobKind, type RunningJob, type Schedule } from './define.js';
export { anyDue, claimDue, claimValues, completeClaims, dueCondition, failClaim, newLease, releaseClaims, rerunValues, type Claim, type ClaimOptions, type Failure, type FailureRecorded, type LeaseColumns, type LeasedQueue, type Lease } from './lease.js';
export { retryDelayMs, RETRY_JITTER } from './retry.js';
export {
  claimJobs,
  completeJob,
  DEFAULT_JOB_RETRY_SCHEDULE,
  enqueueJob,
  failJob,
  jobSignal,
  jobsWaiting,
  JOB_STATUSES,
  JOBS_QUEUE,
  listJobs,
  rerunJob,
  wakeJobWorkers,
  type ClaimedJob,
  type EnqueueOptions,
  type JobStatus,
  type JobView,
} from './queue.js';
export { JobWorker, type JobWorkerOptions } from './job-worker.js';
export { QueueRunner, type QueueRunnerOptions, type QueueWork } from './runner.js';
export { nextSlot, Scheduler, type SchedulerOptions } from './scheduler.js';
export { WakeListener } from './listener.js';
export { notifyWorkers, NOTICE_SPACING_MS, WAKE_CHANNEL, type WakeNotice } from './notices.js';
