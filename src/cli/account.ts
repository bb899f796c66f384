// `souk account`: the parties that own keys, wallets and orders, and their callback secret.
import { Command, Option } from 'commander';
import { createAccount, getAccount, updateAccount, ACCOUNT_KINDS, type AccountKind } from '../core/accounts/index.js';
import { formatMinor } from '../core/money.js';
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
  account
    .command('update')
    .description("change an account's risk terms")
    .argument('<id>', 'account id', wholeNumber('<id>'))
    .option('--review-above <amount>', 'review every order charged above this amount (account currency); "none" removes the rule')
    .option('--review-score <n>', "risk score (0-100) at which orders wait for review; 0 turns it off; \"default\" uses SOUK_RISK_REVIEW_SCORE")
    .option('--reject-score <n>', "risk score (0-100) at which orders are refused; 0 turns it off; \"default\" uses SOUK_RISK_REJECT_SCORE")
    .option('--json', 'print JSON')
    .action(async (id: number, options: { reviewAbove?: string; reviewScore?: string; rejectScore?: string; json?: boolean }) => {
      const row = await withSouk(async (souk) => {
        const current = await getAccount(souk.db, id);
        let reviewAboveMinor: number | null | undefined;
        if (options.reviewAbove !== undefined) {
          reviewAboveMinor = options.reviewAbove === 'none' ? null : parseMinor(options.reviewAbove, current.currency);
          if (reviewAboveMinor === undefined || (reviewAboveMinor !== null && reviewAboveMinor < 0)) throw new Error(`--review-above must be a decimal amount in ${current.currency}, or none`);
        }
        return updateAccount(souk, id, { reviewAboveMinor, riskReviewScore: score('--review-score', options.reviewScore), riskRejectScore: score('--reject-score', options.rejectScore) });
      });
      const above = row.review_above_minor === null ? 'none' : formatMinor(Number(row.review_above_minor), row.currency);
      print(
        options.json,
        { account_id: row.id, review_above: row.review_above_minor === null ? null : above, risk_review_score: row.risk_review_score, risk_reject_score: row.risk_reject_score },
        `Account ${row.id}: review above ${above}${row.review_above_minor === null ? '' : ' ' + row.currency}, review score ${row.risk_review_score ?? 'default'}, reject score ${row.risk_reject_score ?? 'default'}`,
      );
    });
}

/** A risk threshold flag: 0 to 100, or "default" (null: the shop's setting). */
function score(flag: string, value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'default') return null;
  if (!/^\d{1,3}$/.test(value) || Number(value) > 100) throw new Error(`${flag} must be a whole number from 0 to 100, or default`);
  return Number(value);
}
