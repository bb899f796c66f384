// Every periodic job, one file each: the run calls what the owning module exports. Each runs once
// per interval across all processes (core/jobs' Scheduler), whichever process takes the run.
import type { Souk } from '../../app.js';
import type { Schedule } from '../../core/jobs/index.js';
import { announceStock } from './announce-stock.js';
import { expireHolds } from './expire-holds.js';
import { pruneIdempotencyKeys } from './prune-idempotency-keys.js';
import { pruneTokenFamilies } from './prune-token-families.js';

/** How often housekeeping runs: expiring holds, pruning keys and token families. */
export const HOUSEKEEPING_EVERY_MS = 15_000;

/** The housekeeping every process takes part in (`souk serve` with or without a worker, `souk worker`). */
export function housekeeping(everyMs = HOUSEKEEPING_EVERY_MS): Array<Schedule<Souk>> {
  return [expireHolds(everyMs), pruneIdempotencyKeys(everyMs), pruneTokenFamilies(everyMs)];
}

/** What only worker processes run: announcing stock changes (they feed the webhooks). */
export function workerSchedules(souk: Souk): Array<Schedule<Souk>> {
  return [announceStock(souk.config.productUpdateIntervalSeconds * 1000)];
}
