// The `souk` command. Each subcommand parses its flags, calls the core, and prints either a
// human line or (with --json) one JSON object. Any error: a one-line reason on stderr, exit 1.
import { Command } from 'commander';
import { registerAccountCommands } from './cli/accounts.js';
import { registerCatalogCommands } from './cli/catalog.js';
import { registerJobCommands } from './cli/jobs.js';
import { registerMaintenanceCommands } from './cli/maintenance.js';
import { registerProcessCommands } from './cli/processes.js';
import { registerSalesCommands } from './cli/sales.js';
import { reason } from './cli/tools.js';
import { registerWebhookCommands } from './cli/webhooks.js';

const program = new Command();
program.name('souk').description('Sell digital goods: gift cards, vouchers, top-ups, license keys.').showHelpAfterError();
program
  .option('--data-dir <dir>', 'data folder (SOUK_DATA_DIR)')
  .option('--database-url <url>', 'sqlite:PATH or postgres://… (SOUK_DATABASE_URL)');

registerProcessCommands(program);
registerAccountCommands(program);
registerWebhookCommands(program);
registerCatalogCommands(program);
registerSalesCommands(program);
registerMaintenanceCommands(program);
registerJobCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`souk: ${reason(error)}\n`);
  process.exit(1);
}
