// Reading what an account holds, without changing anything: a wallet never used reads as empty.
import type { Db } from '../../db/index.js';
import { listWallets, type Wallet } from './wallets.js';

export type WalletBalance = Pick<Wallet, 'currency' | 'balance_minor' | 'credit_limit_minor'>;

export interface AccountBalances {
  /** The wallet in the account's own currency. */
  main: WalletBalance;
  /** Every wallet, the main one included. */
  wallets: WalletBalance[];
}

/**
 * An account's wallets, its main one (in the account's currency) always among them. A main wallet
 * never used reads as it would be created (empty, with the account's credit limit) and is listed
 * first; nothing is written: the wallet is created by the first change of its balance.
 */
export async function accountBalances(db: Db, account: { id: number; currency: string; credit_limit_minor: number }): Promise<AccountBalances> {
  const wallets: WalletBalance[] = await listWallets(db, account.id);
  const main = wallets.find((w) => w.currency === account.currency);
  if (main) return { main, wallets };
  const empty = { currency: account.currency, balance_minor: 0, credit_limit_minor: account.credit_limit_minor };
  return { main: empty, wallets: [empty, ...wallets] };
}
