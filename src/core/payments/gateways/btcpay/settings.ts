// BTCPay Server's settings: the server, a Greenfield API key, the store, the webhook's secret (key
// and secret from the setting or a file named by `<SETTING>_FILE`), the coins the store takes and
// its invoice currency. Configured only when the server, key, store and secret are all present.
import { readFileSync } from 'node:fs';
import { baseUrl, ConfigError, type Env } from '../../../../config.js';
import { isCurrencyCode } from '../../../money.js';
import type { Coin } from '../../methods.js';

/** A coin Souk offers through BTCPay, and BTCPay's payment method id for it (`BTC-CHAIN`). */
export interface BtcPayCoin {
  coin: Coin;
  paymentMethodId: string;
}

export interface BtcPaySettings {
  /** The server's address, without a trailing slash. */
  url: string;
  /** A Greenfield API key (sent as `Authorization: token <key>`); never logged. */
  apiKey: string;
  storeId: string;
  /** The secret of the store's webhook (BTCPay-Sig is an HMAC with it); never logged. */
  webhookSecret: string;
  coins: BtcPayCoin[];
  /** The store's invoice currency (ISO 4217): what its charges are in. */
  currency: string;
}

/**
 * BTCPay's own payment method id for the Souk coins it has one for out of the box: Bitcoin on
 * chain. Other coins come from plugins (or altcoin builds) whose ids the owner names:
 * `SOUK_BTCPAY_COINS=btc,eth=ETH-CHAIN`.
 */
const KNOWN_METHODS: Partial<Record<Coin, string>> = { btc: 'BTC-CHAIN' };

// Spelled here rather than imported from methods.ts: config.ts reads these settings, and methods.ts
// pulls in the orders module at load time.
const COIN_NAMES: readonly Coin[] = ['trc20_usdt', 'erc20_usdt', 'bep20_usdt', 'btc', 'eth', 'trx', 'bnb'];
const isCoin = (name: string): name is Coin => (COIN_NAMES as readonly string[]).includes(name);

/** A secret from `name`, or from the file `<name>_FILE` names (trailing newline dropped); undefined when neither is set. */
function secret(env: Env, name: string): string | undefined {
  const direct = env[name]?.trim();
  if (direct) return direct;
  const file = env[`${name}_FILE`]?.trim();
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${name}_FILE`, 'names a file that cannot be read');
  }
  const value = text.trim();
  if (!value) throw new ConfigError(`${name}_FILE`, 'names an empty file');
  return value;
}

function coins(env: Env): BtcPayCoin[] {
  const raw = env.SOUK_BTCPAY_COINS?.trim() || 'btc';
  const seen = new Set<Coin>();
  return raw.split(',').map((part) => {
    const [name = '', method] = part.split('=').map((p) => p.trim());
    if (!isCoin(name)) throw new ConfigError('SOUK_BTCPAY_COINS', `"${name.slice(0, 20)}" is not one of Souk's coins (trc20_usdt, erc20_usdt, bep20_usdt, btc, eth, trx, bnb)`);
    if (seen.has(name)) throw new ConfigError('SOUK_BTCPAY_COINS', `names ${name} twice`);
    seen.add(name);
    const paymentMethodId = method || KNOWN_METHODS[name];
    if (!paymentMethodId || !/^[A-Za-z0-9_-]{1,40}$/.test(paymentMethodId)) {
      throw new ConfigError('SOUK_BTCPAY_COINS', `${name} needs BTCPay's payment method id, e.g. ${name}=${name.toUpperCase()}-CHAIN`);
    }
    return { coin: name, paymentMethodId };
  });
}

/** BTCPay's settings, or undefined unless SOUK_BTCPAY_URL, _API_KEY, _STORE_ID and _WEBHOOK_SECRET are all set. */
export function readBtcPaySettings(env: Env): BtcPaySettings | undefined {
  const apiKey = secret(env, 'SOUK_BTCPAY_API_KEY');
  const webhookSecret = secret(env, 'SOUK_BTCPAY_WEBHOOK_SECRET');
  const storeId = env.SOUK_BTCPAY_STORE_ID?.trim();
  if (!env.SOUK_BTCPAY_URL?.trim() || !apiKey || !webhookSecret || !storeId) return undefined;
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(storeId)) throw new ConfigError('SOUK_BTCPAY_STORE_ID', 'is not a BTCPay store id (letters and digits, as the store settings page shows it)');
  const currency = (env.SOUK_BTCPAY_CURRENCY?.trim() || 'USD').toUpperCase();
  if (!isCurrencyCode(currency)) throw new ConfigError('SOUK_BTCPAY_CURRENCY', 'must be a three-letter currency code, e.g. USD');
  return { url: baseUrl(env, 'SOUK_BTCPAY_URL', 'https://btcpay.example.com'), apiKey, storeId, webhookSecret, coins: coins(env), currency };
}
