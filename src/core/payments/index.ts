// Ways to pay: the payment providers (wallet, deferred, external, crypto: own addresses with exact
// amounts) chosen per order from the app's registry, and seed 004's payment methods and coins, and which are open now.
export {
  COINS,
  PAYMENT_METHODS,
  CRYPTO_BALANCE_CURRENCY,
  isCoin,
  isPaymentMethod,
  isWalletMethod,
  paymentAvailability,
  walletCurrencies,
  type Coin,
  type PaymentAvailability,
  type PaymentMethod,
  type WalletMethod,
} from './methods.js';
export { PaymentProviders, standardPayments } from './registry.js';
export { coinStatuses, type CoinStatus } from './coin-status.js';
export { deferredPayment } from './providers/deferred.js';
export { externalPayment } from './providers/external.js';
export { walletPayment } from './providers/wallet.js';
export {
  addressProblem,
  chooseOffset,
  confirmCryptoPayment,
  cryptoOffers,
  cryptoPayment,
  cryptoPaymentsOf,
  decideConfirmation,
  listPayments,
  listReceivingAddresses,
  normalizeTxid,
  openCryptoInvoice,
  paymentRecordView,
  priceInUnits,
  setReceivingAddress,
  COIN_SPECS,
  type ConfirmedPayment,
  type CryptoPaymentView,
  type CryptoSettings,
  type PaymentRecordView,
  type ReceivingAddress,
} from './providers/crypto/index.js';
export { anyChainWatched, creditChainTransfer, refreshCoinRates, watchChains, type ChainTransfer, type ChainWatchSettings, type TransferOutcome, type WatchReport } from './providers/crypto/index.js';
export { isRequestOf } from './provider.js';
export type {
  AdmittedPayment,
  PaidOrder,
  PayingBuyer,
  PaymentKind,
  PaymentLookup,
  PaymentNotice,
  PaymentProvider,
  PaymentRequest,
  PaymentRequestOf,
  PaymentStart,
  RefundChange,
  StartedPayment,
  VerifiedPayment,
} from './provider.js';
export { findWalletTopUp, requestWalletTopUp, type TopUpDeps } from './topups.js';
export { paymentsNeedingAttention, type PaymentsNeedingAttention } from './attention.js';
