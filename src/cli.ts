// The `souk` command: one file per top-level command in cli/, their shared tools beside them. Each
// subcommand parses its flags, calls the core, and prints either a human line or (with --json) one
// JSON object. Any error: a one-line reason on stderr, exit 1.
import { Command } from 'commander';
import { registerServeCommand } from './cli/serve.js';
import { registerWorkerCommand } from './cli/worker.js';
import { registerMigrateCommand } from './cli/migrate.js';
import { registerAccountCommand } from './cli/account.js';
import { registerKeyCommand } from './cli/key.js';
import { registerUserCommand } from './cli/user.js';
import { registerWebhookCommand } from './cli/webhook.js';
import { registerCategoryCommand } from './cli/category.js';
import { registerProductCommand } from './cli/product.js';
import { registerStockCommand } from './cli/stock.js';
import { registerWalletCommand } from './cli/wallet.js';
import { registerCouponCommand } from './cli/coupon.js';
import { registerOrderCommand } from './cli/order.js';
import { registerProviderCommand } from './cli/provider.js';
import { registerDoctorCommand } from './cli/doctor.js';
import { registerRekeyCommand } from './cli/rekey.js';
import { registerJobCommand } from './cli/job.js';
import { registerZidCommand } from './cli/zid.js';
import { registerPaymentCommand } from './cli/payment.js';
import { registerReviewCommand } from './cli/review.js';
import { registerTradeInCommand } from './cli/trade-in.js';
import { reason } from './cli/tools.js';

const program = new Command();
program.name('souk').description('Sell digital goods: gift cards, vouchers, top-ups, license keys.').showHelpAfterError();
program
  .option('--data-dir <dir>', 'data folder (SOUK_DATA_DIR)')
  .option('--database-url <url>', 'sqlite:PATH or postgres://… (SOUK_DATABASE_URL)');

// In the order `souk --help` lists them.
registerServeCommand(program);
registerWorkerCommand(program);
registerMigrateCommand(program);
registerAccountCommand(program);
registerKeyCommand(program);
registerUserCommand(program);
registerWebhookCommand(program);
registerCategoryCommand(program);
registerProductCommand(program);
registerStockCommand(program);
registerWalletCommand(program);
registerCouponCommand(program);
registerOrderCommand(program);
registerProviderCommand(program);
registerDoctorCommand(program);
registerRekeyCommand(program);
registerJobCommand(program);
registerZidCommand(program);
registerPaymentCommand(program);
registerReviewCommand(program);
registerTradeInCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`souk: ${reason(error)}\n`);
  process.exit(1);
}
