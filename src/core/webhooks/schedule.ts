// When a failed delivery is tried again: the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h,
// 5 h, 10 h, 10 h), stretched to about three days, each delay with ±20% jitter so that a shop's
// retries after an outage do not all land at once. After the last delay the delivery is dead.

/** Seconds to wait after the 1st, 2nd, … failed attempt. Sums to about 72 hours. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000, 50_400, 50_400, 57_600];

/** How long to wait after `attempts` failed attempts, or undefined when the delivery is dead. */
export function retryDelayMs(schedule: readonly number[], attempts: number, retryAfterSeconds?: number, random = Math.random): number | undefined {
  const base = schedule[attempts - 1];
  if (base === undefined) return undefined;
  const jittered = base * 1000 * (0.8 + 0.4 * random());
  // A receiver that says when to come back (429/503 Retry-After) is believed, up to a day.
  const asked = retryAfterSeconds !== undefined ? Math.min(retryAfterSeconds, 86_400) * 1000 : 0;
  return Math.round(Math.max(jittered, asked));
}

/** Reads a Retry-After header: seconds, or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
