// Every kind of queued job a worker runs. A kind is one file beside what it works on (a
// connector's "forward an order", "poll an upstream", "sync a store"), declared with defineJob()
// and enqueued with enqueueJob() in the transaction that asks for it; adding one is a line here.
import type { Souk } from '../app.js';
import type { JobKind } from '../core/jobs/index.js';
import { syncProviderJob } from '../core/upstream/index.js';
import { ZID_JOBS } from '../core/zid/index.js';
import { refundChargeJob } from '../core/payments/gateways/index.js';

export const JOB_KINDS: ReadonlyArray<JobKind<never, Souk>> = [syncProviderJob, ...ZID_JOBS, refundChargeJob];
