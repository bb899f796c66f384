// The webhook worker: the dispatcher (publish, claim, send, record) and the stock announcer that
// turns stock changes into product.updated events once per interval. Runs in `souk worker`, and
// inside `souk serve` when embedded.
import type { Souk } from '../app.js';
import { announceStockChanges } from '../core/events/index.js';
import { Dispatcher, DispatcherMetrics } from '../core/webhooks/index.js';

export interface WebhookWorker {
  dispatcher: Dispatcher;
  /** Stops taking work; resolves once deliveries in flight are sent and recorded. */
  stop(): Promise<void>;
}

export async function startWebhookWorker(souk: Souk, options: { onError: (error: unknown) => void; metrics?: DispatcherMetrics; concurrency?: number }): Promise<WebhookWorker> {
  const dispatcher = new Dispatcher({
    db: souk.db,
    dialect: souk.dialect,
    box: souk.box,
    vault: souk.vault,
    allowPrivate: souk.config.webhookAllowPrivate,
    retrySchedule: souk.config.webhookRetrySchedule,
    breaker: { threshold: souk.config.webhookBreakerThreshold, pauseMs: souk.config.webhookBreakerPauseSeconds * 1000 },
    ...(souk.config.database.kind === 'postgres' ? { databaseUrl: souk.config.database.url } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    onError: options.onError,
  });
  await dispatcher.start();
  // The interval is enforced per product in the database; looking more often than it only keeps a
  // product from waiting up to two intervals when it changed just after a look.
  const intervalMs = souk.config.productUpdateIntervalSeconds * 1000;
  let announcing = false;
  const announcer = setInterval(() => {
    if (announcing) return;
    announcing = true;
    announceStockChanges(souk.db, souk.dialect, { intervalMs })
      .catch(options.onError)
      .finally(() => (announcing = false));
  }, Math.min(intervalMs, 1000));
  announcer.unref();
  return {
    dispatcher,
    async stop() {
      clearInterval(announcer);
      await dispatcher.stop();
    },
  };
}
