// Webhook metrics: attempts and failures by target kind, delivery lag (event commit to a 2xx),
// and, read when scraped, the queue depth and the age of the oldest due delivery.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { DeliveryJob } from './deliveries.js';

export class DispatcherMetrics {
  readonly registry = new Registry();
  private readonly attempts = new Counter({ name: 'souk_webhook_attempts_total', help: 'Webhook delivery attempts', labelNames: ['target', 'outcome'], registers: [this.registry] });
  private readonly dead = new Counter({ name: 'souk_webhook_dead_total', help: 'Deliveries given up after the last try', registers: [this.registry] });
  private readonly attemptSeconds = new Histogram({
    name: 'souk_webhook_attempt_duration_seconds',
    help: 'Time a receiver took to answer',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly lag = new Histogram({
    name: 'souk_webhook_delivery_lag_seconds',
    help: 'Time from the event to its successful delivery',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3600, 86_400],
    registers: [this.registry],
  });

  constructor(db: Db) {
    new Gauge({
      name: 'souk_webhook_queue_depth',
      help: 'Deliveries waiting (pending or being sent)',
      registers: [this.registry],
      async collect() {
        const row = await db.selectFrom('webhook_deliveries').select(sql<number>`count(*)`.as('n')).where('status', 'in', ['pending', 'sending']).executeTakeFirst();
        this.set(Number(row?.n ?? 0));
      },
    });
    new Gauge({
      name: 'souk_webhook_oldest_due_seconds',
      help: 'Age of the oldest delivery that is due and not yet delivered',
      registers: [this.registry],
      async collect() {
        const row = await db.selectFrom('webhook_deliveries').select(sql<string | null>`min(next_attempt_at)`.as('oldest')).where('status', '=', 'pending').executeTakeFirst();
        const oldest = row?.oldest ? Date.parse(row.oldest) : Date.now();
        this.set(Math.max(0, (Date.now() - oldest) / 1000));
      },
    });
  }

  observeAttempt(job: DeliveryJob, statusCode: number | null, durationMs: number) {
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
    this.attempts.inc({ target: job.endpoint_id ? 'endpoint' : 'callback_url', outcome: ok ? 'success' : 'failure' });
    this.attemptSeconds.observe(durationMs / 1000);
  }

  observeRecorded(delivered: DeliveryJob[], dead: number) {
    const now = Date.now();
    for (const job of delivered) this.lag.observe(Math.max(0, now - Date.parse(job.created_at)) / 1000);
    if (dead) this.dead.inc(dead);
  }
}
