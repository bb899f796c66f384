/** Now as ISO-8601 UTC with milliseconds: the one time format stored (and compared as text). */
export function nowIso(): string {
  return new Date().toISOString();
}

export function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** What every time on the wire matches: UTC to the second, `yyyy-MM-ddTHH:mm:ssZ` (seed 001). */
export const WIRE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$';

/** A stored time as it is sent: `yyyy-MM-ddTHH:mm:ssZ`, UTC, the milliseconds cut (never rounded up); null stays null. */
export function wireTime(stored: string): string;
export function wireTime(stored: string | null): string | null;
export function wireTime(stored: string | null): string | null {
  if (stored === null) return null;
  // Stored times are toISOString() text; anything else readable (an offset, no fraction) is converted.
  if (stored.length === 24 && stored[19] === '.' && stored[23] === 'Z') return `${stored.slice(0, 19)}Z`;
  const ms = Date.parse(stored);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${stored}`);
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

type TimeKeys<T> = { [K in keyof T]: T[K] extends string | null ? K : never }[keyof T];

/** A copy of `row` with the named time fields as they are sent (wireTime); the row itself is untouched. */
export function withWireTimes<T extends object>(row: T, ...keys: Array<TimeKeys<T>>): T {
  const copy = { ...row };
  for (const key of keys) copy[key] = wireTime(copy[key] as string | null) as T[typeof key];
  return copy;
}
