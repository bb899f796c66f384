// Times in query strings: clients may send any ISO-8601 date-time (an offset, no milliseconds);
// Souk stores times as UTC with milliseconds (core/clock.ts) and compares them as text, so a
// filter bound is rewritten to that one format before it reaches a query.
import { ValidationFailed } from '../core/errors.js';

/** A date-time as stored (UTC, milliseconds), so it compares as text; 400 naming `field` if unreadable. */
export function utcTime(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ValidationFailed(`${field} is not a valid time.`, [{ field, message: 'an ISO-8601 date-time, e.g. 2025-01-31T12:00:00Z' }]);
  return new Date(ms).toISOString();
}
