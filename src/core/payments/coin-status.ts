// Where each coin stands, for the console: its own receiving address, whether it is offered now by
// that address (an address and, unless a USD stablecoin, a fresh rate) or by a gateway, and which
// chain watcher (if any) confirms its transfers without a person.
import type { Db } from '../../db/index.js';
import type { GatewayStatus } from './gateways/status.js';
import { COINS, type Coin } from './methods.js';
import { cryptoOffers, type CryptoSettings } from './providers/crypto/invoices.js';
import type { ChainWatchSettings } from './providers/crypto/watchers/index.js';

/** The setting whose watcher confirms each coin's transfers (USDT on TRON, Ethereum, BNB Chain); the others are confirmed by hand. */
const WATCHED_BY: Partial<Record<Coin, { setting: string; url: (s: WatchUrls) => string | undefined }>> = {
  trc20_usdt: { setting: 'SOUK_TRONGRID_URL', url: (s) => s.tronGridUrl },
  erc20_usdt: { setting: 'SOUK_ETH_RPC_URL', url: (s) => s.ethRpcUrl },
  bep20_usdt: { setting: 'SOUK_BSC_RPC_URL', url: (s) => s.bscRpcUrl },
};

type WatchUrls = Pick<ChainWatchSettings, 'tronGridUrl' | 'ethRpcUrl' | 'bscRpcUrl'>;

export interface CoinStatus {
  coin: Coin;
  /** A receiving address is set (PUT /payments/addresses/{coin}). */
  addressSet: boolean;
  /** Offered through the own address now (an address and a fresh rate, or USDT). */
  ownAddressOffered: boolean;
  /** The healthy gateway that takes it, if any. */
  gateway: string | null;
  /** The setting of the watcher that would confirm its transfers; null: confirmed by hand only. */
  watchSetting: string | null;
  /** That watcher is configured. */
  watched: boolean;
}

/** Every coin's standing: own address, offered now, gateway, chain watcher. */
export async function coinStatuses(db: Db, crypto: Pick<CryptoSettings, 'rateMaxAgeSeconds'>, chains: WatchUrls, gateways: readonly GatewayStatus[]): Promise<CoinStatus[]> {
  const [offers, addresses] = await Promise.all([cryptoOffers(db, crypto), db.selectFrom('payment_addresses').select('coin').execute()]);
  const withAddress = new Set(addresses.map((row) => row.coin));
  return COINS.map((coin) => {
    const watcher = WATCHED_BY[coin];
    return {
      coin,
      addressSet: withAddress.has(coin),
      ownAddressOffered: offers.has(coin),
      gateway: gateways.find((g) => g.healthy && g.coins.includes(coin))?.name ?? null,
      watchSetting: watcher?.setting ?? null,
      watched: watcher ? Boolean(watcher.url(chains)) : false,
    };
  });
}
