// `souk worker`: webhooks, mails, queued and scheduled jobs, beside `souk serve` processes.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openSouk } from '../app.js';
import { cliTools, reason, wholeNumber } from './tools.js';

/** Adds `souk worker` to the program. */
export function registerWorkerCommand(program: Command): void {
  const { configFlags } = cliTools(program);
  program
    .command('worker')
    .description('send webhooks and mail, run queued and scheduled jobs (with PostgreSQL, run one or more beside `souk serve`)')
    .option('--concurrency <n>', 'deliveries in flight at once (default 64)', wholeNumber('--concurrency'))
    .option('--metrics-port <port>', 'serve Prometheus metrics on this port (GET /metrics; SOUK_METRICS_TOKEN applies)', wholeNumber('--metrics-port'))
    .action(async (options: { concurrency?: number; metricsPort?: number }) => {
      const config = loadConfig(process.env, configFlags());
      const souk = await openSouk(config);
      const [{ startBackgroundWork }, { DispatcherMetrics }, { serveMetrics }] = await Promise.all([
        import('../worker/background.js'),
        import('../core/webhooks/index.js'),
        import('../worker/metrics-server.js'),
      ]);
      const metrics = new DispatcherMetrics(souk.db);
      const background = await startBackgroundWork(souk, {
        worker: true,
        metrics,
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        onError: (what, error) => process.stderr.write(`souk worker: ${what}: ${reason(error)}\n`),
        log: (message, fields) => process.stdout.write(`souk worker: ${message} ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ')}\n`),
      });
      const exporter = options.metricsPort !== undefined ? await serveMetrics(metrics.registry, { host: config.host, port: options.metricsPort, token: config.metricsToken }) : undefined;
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        await exporter?.close();
        await background.stop();
        await souk.close();
        process.exit(0);
      };
      process.on('SIGTERM', () => void stop());
      process.on('SIGINT', () => void stop());
      // Announced once a stop signal is handled: whoever starts the worker may stop it as soon as it reads this.
      const where = config.database.kind === 'sqlite' ? `SQLite ${config.database.file}` : 'PostgreSQL';
      process.stdout.write(`Souk worker running (${where})${exporter ? `; metrics on ${exporter.url}` : ''}\n`);
    });
}
