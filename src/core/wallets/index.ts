// Wallets, their ledger, and exchange rates for charging across currencies.
export { adjustWallet, creditWallet, debitWallet, ensureWallet, listLedgerEntries, listWallets, setWalletCreditLimit, topUpWallet, type LedgerEntry, type LedgerKind, type Wallet } from './wallets.js';
export { convertMinor, convertPrice, findFxRate, listFxRates, MAX_FX_RATE, setFxRate, valueIn } from './fx.js';
export { isRate } from '../money.js';
export { orderWalletMoves } from './order-moves.js';
