// Scheduled housekeeping on its own (the background work runs it with everything else): unpaid
// orders past their hold expire, old Idempotency-Keys and spent token families are dropped; once
// per interval across every process (core/jobs' Scheduler).
import type { Souk } from '../app.js';
import { Scheduler } from '../core/jobs/index.js';
import { housekeeping, HOUSEKEEPING_EVERY_MS } from './schedules/index.js';

export interface Sweeper {
  /** Stops taking runs; the promise settles once a run in flight has finished. */
  stop(): Promise<void>;
}

export function startSweeper(souk: Souk, onError: (error: unknown) => void, everyMs = HOUSEKEEPING_EVERY_MS): Sweeper {
  const scheduler = new Scheduler({ db: souk.db, context: souk, schedules: housekeeping(everyMs), onError });
  scheduler.start();
  return { stop: () => scheduler.stop() };
}
