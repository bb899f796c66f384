// Wallets, their ledger, and exchange rates for charging across currencies.
export { adjustWallet, creditWallet, debitWallet, ensureWallet, listLedgerEntries, listWallets, setWalletCreditLimit, topUpWallet, type LedgerEntry, type LedgerKind, type Wallet } from './wallets.js';
export { accountBalances, type AccountBalances, type WalletBalance } from './balances.js';
export { convertMinor, findFxRate, isRate, listFxRates, MAX_FX_RATE, setFxRate, valueIn } from './fx.js';
