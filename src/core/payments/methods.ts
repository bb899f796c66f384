// How a shop order can be paid (seed 004's paymentMethod and coin) and which of those ways are
// open right now. Balance methods charge one of the customer's wallets; the others need a payment
// provider (crypto invoices, Alipay, WeChat Pay), and no provider is built yet, so they are closed.
import type { Db } from '../../db/index.js';
import { isWalletCheckoutEnabled } from '../orders/index.js';

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

/** Methods served by a configured payment provider. No provider is built yet. */
const PROVIDED: ReadonlySet<PaymentMethod> = new Set<PaymentMethod>();

export interface PaymentAvailability {
  methods: Record<PaymentMethod, boolean>;
  coins: Record<Coin, boolean>;
}

/**
 * What can be used to pay now. Balance methods follow the shop's wallet-checkout switch; crypto,
 * Alipay and WeChat Pay stay closed until a provider for them is configured (none exists yet).
 */
export async function paymentAvailability(db: Db): Promise<PaymentAvailability> {
  const wallets = await isWalletCheckoutEnabled(db);
  const open = (method: PaymentMethod) => (isWalletMethod(method) ? wallets : PROVIDED.has(method));
  return {
    methods: Object.fromEntries(PAYMENT_METHODS.map((method) => [method, open(method)])) as Record<PaymentMethod, boolean>,
    coins: Object.fromEntries(COINS.map((coin) => [coin, PROVIDED.has('crypto')])) as Record<Coin, boolean>,
  };
}
