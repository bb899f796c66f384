// The background work of a process, started by one function for `souk serve` and `souk worker`:
// the schedules (housekeeping in every process; the stock announcer where the worker runs), and,
// where the worker runs, the webhook dispatcher, the mailer and the job worker. On PostgreSQL they
// share one LISTEN connection for wake-ups from other processes.
import type { Souk } from '../app.js';
import { JobWorker, Scheduler, WakeListener } from '../core/jobs/index.js';
import type { DispatcherMetrics } from '../core/webhooks/index.js';
import { JOB_KINDS } from './jobs.js';
import { startMailWorker } from './mail.js';
import { sweepOnStockArrival } from './schedules/fulfil-waiting.js';
import { housekeeping, workerSchedules } from './schedules/index.js';
import { startWebhookWorker } from './webhooks.js';

export interface BackgroundOptions {
  /** Whether this process is a worker: webhooks, mail, queued jobs and the stock announcer. Housekeeping runs anyway. */
  worker: boolean;
  metrics?: DispatcherMetrics;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** Told of every failure with what failed; each is tried again. */
  onError(what: string, error: unknown): void;
  log(message: string, fields: Record<string, string>): void;
}

export interface BackgroundWork {
  /** Stops taking work; resolves once what is in flight has finished and been recorded. */
  stop(): Promise<void>;
}

export async function startBackgroundWork(souk: Souk, options: BackgroundOptions): Promise<BackgroundWork> {
  const failed = (what: string) => (error: unknown) => options.onError(what, error);
  const stops: Array<() => Promise<void>> = [];
  const scheduler = new Scheduler({
    db: souk.db,
    context: souk,
    schedules: [...housekeeping(), ...(options.worker ? workerSchedules(souk) : [])],
    onError: (error, schedule) => options.onError(schedule ? `${schedule} failed; it will run again` : 'the scheduler failed; it will look again', error),
  });
  scheduler.start();
  stops.push(() => scheduler.stop());
  if (options.worker) {
    const { config } = souk;
    const listener = config.database.kind === 'postgres' ? new WakeListener({ url: config.database.url, onError: failed('the LISTEN connection failed; connecting again') }) : undefined;
    await listener?.start();
    const webhooks = await startWebhookWorker(souk, {
      onError: failed('webhook dispatch failed; it will run again'),
      announceStock: false,
      ...(listener ? { listener } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    });
    const mail = startMailWorker(souk, { onError: failed('order mail failed; it will be tried again'), log: options.log });
    const jobs = new JobWorker({ db: souk.db, dialect: souk.dialect, context: souk, kinds: JOB_KINDS, ...(listener ? { listener } : {}), onError: failed('a job failed; it will be tried again') });
    jobs.start();
    const waiting = sweepOnStockArrival(souk, failed('orders waiting for stock could not be delivered; the next sweep tries again'));
    stops.push(
      () => waiting.stop(),
      () => webhooks.stop(),
      () => mail.stop(),
      () => jobs.stop(),
      async () => listener?.stop(),
    );
  }
  return {
    async stop() {
      for (const stop of stops) await stop();
    },
  };
}
