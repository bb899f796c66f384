// `souk serve`: the API, and when embedded everything else, in this process.
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openSouk } from '../app.js';
import { cliTools } from './tools.js';
import { demoMessage } from './demo-banner.js';

/** Adds `souk serve` to the program. */
export function registerServeCommand(program: Command): void {
  const { configFlags } = cliTools(program);
  program
    .command('serve')
    .description('run the API (and, embedded, everything else) in this process')
    .option('--port <port>', 'HTTP port (PORT)')
    .option('--host <host>', 'address to bind (HOST)')
    .option('--demo', 'on an empty database, seed a demo catalog, an admin login and a reseller key')
    .option('--worker', 'also run the worker (webhooks, mail, jobs) in this process (the default when embedded on SQLite)')
    .option('--no-worker', 'do not run the worker here (run `souk worker` instead)')
    .action(async (options: { port?: string; host?: string; demo?: boolean; worker?: boolean }) => {
      const config = loadConfig(process.env, configFlags({ port: options.port, host: options.host }));
      // Loaded here, not at the top, so the other commands start without the HTTP stack.
      const [{ buildServer }, { seedDemo }] = await Promise.all([import('../server.js'), import('../demo/seed-demo.js')]);
      const souk = await openSouk(config);
      souk.catalog.start();
      const demo = options.demo ? await seedDemo(souk) : undefined;
      const { DispatcherMetrics } = await import('../core/webhooks/index.js');
      const webhookMetrics = new DispatcherMetrics(souk.db);
      const app = await buildServer(souk, { metricsRegistries: [webhookMetrics.registry] });
      souk.checkpointInBackground((message) => app.log.error({ message }, 'WAL checkpoint failed; it will run again'));
      // Embedded (SQLite), this process is the worker too; with PostgreSQL, `souk worker` processes are.
      const { startBackgroundWork } = await import('../worker/background.js');
      const background = await startBackgroundWork(souk, {
        worker: options.worker ?? config.database.kind === 'sqlite',
        metrics: webhookMetrics,
        onError: (what, error) => app.log.error({ err: error }, what),
        log: (message, fields) => app.log.info(fields, message),
      });
      // Handled before the address is announced: whoever starts Souk may stop it as soon as it reads it.
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
        try {
          await app.close();
          await background.stop();
          await souk.close();
          process.exit(0);
        } catch (error) {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        }
      };
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
      await app.listen({ port: config.port, host: config.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
      if (demo) process.stdout.write(demoMessage(demo, url) + '\n');
      const where = config.database.kind === 'sqlite' ? `SQLite ${config.database.file}` : 'PostgreSQL';
      process.stdout.write(`Souk serving on ${url} (${where})\n`);
    });
}
