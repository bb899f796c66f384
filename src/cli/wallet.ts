// `souk wallet topup`: money received outside Souk, into an account's wallet.
import type { Command } from 'commander';
import { getAccount } from '../core/accounts/index.js';
import { formatMinor, parseMinor } from '../core/money.js';
import { topUpWallet } from '../core/wallets/index.js';
import { cliTools, print, wholeNumber } from './tools.js';

/** Adds `souk wallet` to the program. */
export function registerWalletCommand(program: Command): void {
  const { withSouk } = cliTools(program);
  program
    .command('wallet')
    .description('wallets')
    .command('topup')
    .requiredOption('--account <id>', 'account id', wholeNumber('--account'))
    .requiredOption('--amount <amount>', 'decimal amount, e.g. 100.00')
    .option('--currency <code>', "wallet currency (default: the account's)")
    .option('--memo <text>', 'a note for the ledger')
    .option('--json', 'print JSON')
    .action(async (options: { account: number; amount: string; currency?: string; memo?: string; json?: boolean }) => {
      const wallet = await withSouk(async (souk) => {
        const account = await getAccount(souk.db, options.account);
        const currency = (options.currency ?? account.currency).toUpperCase();
        const amountMinor = parseMinor(options.amount, currency);
        if (amountMinor === undefined || amountMinor <= 0) throw new Error(`--amount must be a positive decimal amount in ${currency}`);
        return topUpWallet(souk.db, { accountId: account.id, amountMinor, currency, memo: options.memo, actor: 'cli' });
      });
      const balance = formatMinor(wallet.balance_minor, wallet.currency);
      print(options.json, { wallet_id: wallet.id, balance: Number(balance), currency: wallet.currency }, `Wallet ${wallet.id}: ${balance} ${wallet.currency}`);
    });
}
