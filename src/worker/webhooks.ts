// The webhook worker: the dispatcher (publish, claim, send, record) and, unless the caller runs it
// with its other schedules, the stock announcer that turns stock changes into product.updated
// events once per interval. Part of the background work (background.ts); on its own in tests.
import type { Souk } from '../app.js';
import { Scheduler, type WakeListener } from '../core/jobs/index.js';
import { Dispatcher, DispatcherMetrics } from '../core/webhooks/index.js';
import { workerSchedules } from './schedules/index.js';

export interface WebhookWorker {
  dispatcher: Dispatcher;
  /** Stops taking work; resolves once deliveries in flight are sent and recorded. */
  stop(): Promise<void>;
}

export interface WebhookWorkerOptions {
  onError: (error: unknown) => void;
  metrics?: DispatcherMetrics;
  concurrency?: number;
  /** The process's LISTEN connection (PostgreSQL); without one the dispatcher makes its own. */
  listener?: WakeListener;
  /** Whether to run the stock announcer here (default: yes; the background work schedules it with the rest). */
  announceStock?: boolean;
}

export async function startWebhookWorker(souk: Souk, options: WebhookWorkerOptions): Promise<WebhookWorker> {
  const dispatcher = new Dispatcher({
    db: souk.db,
    dialect: souk.dialect,
    box: souk.box,
    vault: souk.vault,
    allowPrivate: souk.config.webhookAllowPrivate,
    retrySchedule: souk.config.webhookRetrySchedule,
    breaker: { threshold: souk.config.webhookBreakerThreshold, pauseMs: souk.config.webhookBreakerPauseSeconds * 1000 },
    ...(options.listener ? { listener: options.listener } : souk.config.database.kind === 'postgres' ? { databaseUrl: souk.config.database.url } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    onError: options.onError,
  });
  await dispatcher.start();
  const announcer = options.announceStock === false ? undefined : new Scheduler({ db: souk.db, context: souk, schedules: workerSchedules(souk), onError: options.onError });
  announcer?.start();
  return {
    dispatcher,
    async stop() {
      await announcer?.stop();
      await dispatcher.stop();
    },
  };
}
