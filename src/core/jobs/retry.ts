// When a failed attempt is tried again: the queue's schedule of delays, each with ±20% jitter so
// that the retries of many rows that failed together (an outage) do not all land at once. After
// the last delay the row is dead.

/** Jitter around each delay: a delay of d waits between (1 − JITTER)·d and (1 + JITTER)·d. */
export const RETRY_JITTER = 0.2;

/**
 * How long to wait after `attempts` failed attempts, or undefined when the row is dead. A wait the
 * other side asked for (Retry-After) is believed, up to a day, when longer than the schedule's.
 */
export function retryDelayMs(schedule: readonly number[], attempts: number, retryAfterSeconds?: number, random = Math.random): number | undefined {
  const base = schedule[attempts - 1];
  if (base === undefined) return undefined;
  const jittered = base * 1000 * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random());
  const asked = retryAfterSeconds !== undefined ? Math.min(retryAfterSeconds, 86_400) * 1000 : 0;
  return Math.round(Math.max(jittered, asked));
}
