// How a shop order can be paid (seed 004's paymentMethod and coin) and which of those ways are
// open right now. Balance methods charge one of the customer's wallets; crypto is open for each coin
// the own-address provider can offer (an address set, a fresh rate) or a gateway takes; Alipay and
// WeChat Pay are open while their gateway is configured and answering.
import type { Db } from '../../db/index.js';
import { isWalletCheckoutEnabled } from '../orders/index.js';
import { cryptoOffers, type CryptoSettings } from './providers/crypto/invoices.js';
import type { GatewayOffer } from './gateways/service.js';

export const PAYMENT_METHODS = ['crypto', 'balance_cny', 'balance_crypto', 'alipay', 'wechat'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const COINS = ['trc20_usdt', 'erc20_usdt', 'bep20_usdt', 'btc', 'eth', 'trx', 'bnb'] as const;
export type Coin = (typeof COINS)[number];

export type WalletMethod = 'balance_cny' | 'balance_crypto';

/** balance_crypto's wallet: seed 004's "USD/crypto balance". */
export const CRYPTO_BALANCE_CURRENCY = 'USD';

/**
 * The wallet currency each balance method charges: `users.balance` is the shop's currency (CNY
 * unless SOUK_SHOP_CURRENCY says otherwise), `users.balance_crypto` USD.
 */
export function walletCurrencies(shopCurrency: string): Readonly<Record<WalletMethod, string>> {
  return { balance_cny: shopCurrency, balance_crypto: CRYPTO_BALANCE_CURRENCY };
}

export function isWalletMethod(method: PaymentMethod): method is WalletMethod {
  return method === 'balance_cny' || method === 'balance_crypto';
}

export function isPaymentMethod(value: string): value is PaymentMethod {
  return (PAYMENT_METHODS as readonly string[]).includes(value);
}

export function isCoin(value: string): value is Coin {
  return (COINS as readonly string[]).includes(value);
}

export interface PaymentAvailability {
  methods: Record<PaymentMethod, boolean>;
  coins: Record<Coin, boolean>;
}

const NO_GATEWAYS: GatewayOffer = { methods: new Set(), coins: new Set() };

/**
 * What can be used to pay now. Balance methods follow the shop's wallet-checkout switch; each coin
 * is open when it has a receiving address and (unless a USD stablecoin) a rate younger than
 * `rateMaxAgeSeconds`, or a configured, healthy gateway takes it (BTCPay), and crypto when any coin
 * is; Alipay and WeChat Pay are open when their gateway is configured and healthy.
 */
export async function paymentAvailability(db: Db, crypto: Pick<CryptoSettings, 'rateMaxAgeSeconds'>, gateways: GatewayOffer = NO_GATEWAYS): Promise<PaymentAvailability> {
  const [wallets, offers] = await Promise.all([isWalletCheckoutEnabled(db), cryptoOffers(db, crypto)]);
  const coinOpen = (coin: Coin) => offers.has(coin) || gateways.coins.has(coin);
  const open = (method: PaymentMethod) => {
    if (isWalletMethod(method)) return wallets;
    if (method === 'crypto') return COINS.some(coinOpen);
    return gateways.methods.has(method);
  };
  return {
    methods: Object.fromEntries(PAYMENT_METHODS.map((method) => [method, open(method)])) as Record<PaymentMethod, boolean>,
    coins: Object.fromEntries(COINS.map((coin) => [coin, coinOpen(coin)])) as Record<Coin, boolean>,
  };
}
