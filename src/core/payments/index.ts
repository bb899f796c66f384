// Ways to pay: seed 004's payment methods and coins, and which are open now.
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
