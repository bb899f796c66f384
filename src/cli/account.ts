// `souk account`: the parties that own keys, wallets and orders, and their callback secret.
import { Command, Option } from 'commander';
import { createAccount, ACCOUNT_KINDS, type AccountKind } from '../core/accounts/index.js';
import { parseMinor } from '../core/money.js';
import { callbackSecret } from '../core/webhooks/index.js';
import { cliTools, print, webhookDeps, wholeNumber } from './tools.js';

/** Adds `souk account` to the program. */
export function registerAccountCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  const account = program.command('account').description('accounts: resellers, partners, admins');
  account
    .command('create')
    .requiredOption('--name <name>', 'account name')
    .addOption(new Option('--kind <kind>', 'account kind').choices([...ACCOUNT_KINDS]).default('reseller'))
    .option('--currency <code>', 'ISO 4217 currency', 'USD')
    .option('--credit-limit <amount>', 'how far the wallet may go below zero', '0')
    .option('--rate-limit <n>', 'requests per minute per key (default: SOUK_KEY_RATE_LIMIT)', wholeNumber('--rate-limit'))
    .option('--json', 'print JSON')
    .action(async (options: { name: string; kind: AccountKind; currency: string; creditLimit: string; rateLimit?: number; json?: boolean }) => {
      const currency = options.currency.toUpperCase();
      const creditLimitMinor = parseMinor(options.creditLimit, currency);
      if (creditLimitMinor === undefined || creditLimitMinor < 0) throw new Error(`--credit-limit must be a decimal amount in ${currency}`);
      const row = await withSouk((souk) => createAccount(souk.db, { name: options.name, kind: options.kind, currency, creditLimitMinor, rateLimitPerMinute: options.rateLimit }));
      print(options.json, { account_id: row.id }, `Created ${row.kind} account ${row.id} (${row.name}, ${row.currency})`);
    });

  account
    .command('callback-secret')
    .description("the secret that signs deliveries to the callback_url of the account's orders (created on first use)")
    .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
    .option('--rotate', 'replace it; the old one stays valid for 24 hours')
    .option('--json', 'print JSON')
    .action(async (options: { account: number; rotate?: boolean; json?: boolean }) => {
      const secret = await withSouk((souk) => callbackSecret(webhookDeps(souk), options.account, { rotate: options.rotate }));
      print(options.json, { secret }, `Callback secret for account ${options.account}: ${secret}`);
    });
}
