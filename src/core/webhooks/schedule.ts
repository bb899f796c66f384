// When a failed delivery is tried again: the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h,
// 5 h, 10 h, 10 h), stretched to about three days; each delay gets the job queue's jitter
// (core/jobs, retryDelayMs). After the last delay the delivery is dead.
export { retryDelayMs } from '../jobs/index.js';

/** Seconds to wait after the 1st, 2nd, … failed attempt. Sums to about 72 hours. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000, 50_400, 50_400, 57_600];

/** Reads a Retry-After header: seconds, or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
