// Wallets, their ledger, and exchange rates for charging across currencies.
export { adjustWallet, creditWallet, debitWallet, ensureWallet, findWalletId, listLedgerEntries, listWallets, setWalletCreditLimit, topUpWallet, type LedgerEntry, type LedgerKind, type Wallet } from './wallets.js';
export { accountBalances, type AccountBalances, type WalletBalance } from './balances.js';
export { convertMinor, convertPrice, findFxRate, listFxRates, MAX_FX_RATE, rateBetween, setFxRate, valueIn } from './fx.js';
export { isRate } from '../money.js';
export {
  WalletCharges,
  chargedWallets,
  fundsFromRows,
  orderLedgerReference,
  orderWalletMoves,
  pgChargeWallets,
  pgChargeWalletsUnread,
  pgWalletFunds,
  refundOrderCharge,
  sqliteWalletCharges,
  type ChargeEntry,
  type UnreadCharge,
  type WalletFunds,
} from './charge-orders.js';
export { pgRatesAsPriced, pgRatesNow, rateKey, ratesFromRows, sqliteRatesNow, type RatePair, type RatesNow } from './rates-now.js';
