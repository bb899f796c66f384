// What an attempt's outcome does: a 2xx closes the delivery; 410 Gone kills it and switches its
// endpoint off; any other failure schedules the next try (Retry-After believed) until the schedule
// runs out and the delivery is dead. An endpoint that keeps failing is paused (circuit breaker):
// nothing is sent to it until the pause ends, then a single probe decides (its lease: deliveries.ts).
// Any success closes the breaker; a failed probe pauses the endpoint again and ends its lease.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { completeClaims, failClaim } from '../jobs/index.js';
import { DELIVERY_QUEUE, type DeliveryJob } from './deliveries.js';

/** When an endpoint is paused: after `threshold` failed attempts in a row, for `pauseMs`. */
export interface Breaker {
  threshold: number;
  pauseMs: number;
}
export const DEFAULT_BREAKER: Breaker = { threshold: 10, pauseMs: 5 * 60_000 };

export interface AttemptOutcome {
  job: DeliveryJob;
  /** The receiver's status, when it answered. */
  statusCode: number | null;
  /** Why it failed, for people: never the response body. */
  error: string | null;
  durationMs: number;
  retryAfterSeconds?: number;
  /** Not worth trying again (the payload is too large to send). */
  final?: boolean;
  at: string;
}

export const succeeded = (o: AttemptOutcome) => o.statusCode !== null && o.statusCode >= 200 && o.statusCode < 300;

export interface RecordedOutcomes {
  /** Milliseconds until each scheduled retry. */
  retries: number[];
  dead: number;
}

/** Writes a batch of outcomes in one transaction. Updates only deliveries still claimed by the attempt (an ack meanwhile wins). */
export async function recordOutcomes(db: Db, outcomes: readonly AttemptOutcome[], schedule: readonly number[], breaker: Breaker = DEFAULT_BREAKER): Promise<RecordedOutcomes> {
  const result: RecordedOutcomes = { retries: [], dead: 0 };
  if (!outcomes.length) return result;
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('webhook_attempts')
      .values(outcomes.map((o) => ({ delivery_id: o.job.id, status_code: o.statusCode, error: o.error, duration_ms: Math.round(o.durationMs), attempted_at: o.at })))
      .execute();
    const ok = outcomes.filter(succeeded);
    const now = outcomes[0]!.at;
    if (ok.length) {
      // One statement per status code answered (nearly always just 200).
      for (const code of new Set(ok.map((o) => o.statusCode!))) {
        const batch = ok.filter((o) => o.statusCode === code);
        await completeClaims(tx, DELIVERY_QUEUE, batch.map((o) => o.job), { last_status_code: code, closed_at: now }, now);
      }
      // Only endpoints that had failures when claimed (a streak counted meanwhile heals at the next success).
      const healed = [...new Set(ok.filter((o) => (o.job.endpoint?.failure_streak ?? 0) > 0).map((o) => o.job.endpoint_id!))];
      if (healed.length) await tx.updateTable('webhook_endpoints').set({ failure_streak: 0, paused_until: null, probe_until: null }).where('id', 'in', healed).where('failure_streak', '>', 0).execute();
    }
    const failedPerEndpoint = new Map<string, number>();
    for (const o of outcomes) {
      if (succeeded(o)) continue;
      const gone = o.statusCode === 410;
      const { delayMs } = await failClaim(tx, DELIVERY_QUEUE, o.job, {
        error: o.error,
        at: o.at,
        schedule,
        ...(gone || o.final ? { final: true } : {}),
        ...((o.statusCode === 429 || o.statusCode === 503) && o.retryAfterSeconds !== undefined ? { retryAfterSeconds: o.retryAfterSeconds } : {}),
        extra: (dead) => ({ last_status_code: o.statusCode, closed_at: dead ? o.at : null }),
      });
      if (delayMs !== undefined) result.retries.push(delayMs);
      else result.dead += 1;
      if (o.job.endpoint_id) {
        failedPerEndpoint.set(o.job.endpoint_id, (failedPerEndpoint.get(o.job.endpoint_id) ?? 0) + 1);
        if (gone) {
          await tx.updateTable('webhook_endpoints').set({ status: 'disabled', disabled_reason: 'the receiver answered 410 Gone', updated_at: o.at }).where('id', '=', o.job.endpoint_id).execute();
        }
      }
    }
    const pauseUntil = new Date(Date.parse(now) + breaker.pauseMs).toISOString();
    for (const [endpointId, failures] of failedPerEndpoint) {
      await tx
        .updateTable('webhook_endpoints')
        .set({
          failure_streak: sql<number>`failure_streak + ${failures}`,
          paused_until: sql<string | null>`case when failure_streak + ${failures} >= ${breaker.threshold} then ${pauseUntil} else paused_until end`,
        })
        .where('id', '=', endpointId)
        .execute();
    }
    // A failed probe starts a new pause whatever the threshold is now (it may have been raised since
    // the breaker opened), and ends its lease. Matched on the lease: the late outcome of an older
    // probe whose lease ran out must not end the lease of the probe that replaced it.
    for (const o of outcomes) {
      if (succeeded(o) || !o.job.probe_until || !o.job.endpoint_id) continue;
      await tx
        .updateTable('webhook_endpoints')
        .set({ paused_until: pauseUntil, probe_until: null })
        .where('id', '=', o.job.endpoint_id)
        .where('probe_until', '=', o.job.probe_until)
        .execute();
    }
  });
  return result;
}
