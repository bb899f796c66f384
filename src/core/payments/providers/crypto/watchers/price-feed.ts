// The optional price feed (`payments.price-feed`): a CoinGecko-compatible simple-price answer
// (`?ids=bitcoin,ethereum,tron,binancecoin&vs_currencies=usd` → {"bitcoin":{"usd":97000.5}, …})
// written as the FX rates BTC→USD, ETH→USD, TRX→USD and BNB→USD, so those coins are offered while
// the feed keeps their rates fresh (SOUK_CRYPTO_RATE_MAX_AGE). A coin the feed leaves out, or
// prices oddly, keeps its old rate, which goes stale on its own.
import type { CatalogDeps } from '../../../../catalog/index.js';
import { setFxRate } from '../../../../wallets/index.js';
import { exchangeJson } from './http.js';

/** The feed's coin ids and the ticker each rate is kept under. */
export const FEED_IDS = { bitcoin: 'BTC', ethereum: 'ETH', tron: 'TRX', binancecoin: 'BNB' } as const;

/** A price as the FX table keeps a rate: a positive decimal with at most 12 decimals; undefined for anything else. */
export function rateText(price: unknown): string | undefined {
  if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0 || price > 1e12) return undefined;
  const plain = String(price);
  const text = /^\d+(\.\d{1,12})?$/.test(plain) ? plain : price.toFixed(12).replace(/\.?0+$/, '');
  return /^\d+(\.\d{1,12})?$/.test(text) && /[1-9]/.test(text) ? text : undefined;
}

/** The rates a simple-price answer gives, by ticker (pure). */
export function ratesFromFeed(answer: unknown): Map<string, string> {
  const rates = new Map<string, string>();
  if (typeof answer !== 'object' || answer === null) return rates;
  for (const [id, ticker] of Object.entries(FEED_IDS)) {
    const entry = (answer as Record<string, unknown>)[id];
    const rate = typeof entry === 'object' && entry !== null ? rateText((entry as Record<string, unknown>).usd) : undefined;
    if (rate) rates.set(ticker, rate);
  }
  return rates;
}

export interface PriceFeedDeps extends CatalogDeps {
  log?: (message: string, fields: Record<string, string | number | null>) => void;
}

/** Reads the feed once and writes each coin's rate to USD; returns the tickers written. A feed that cannot be read changes nothing (the rates go stale, the coins stop being offered). */
export async function refreshCoinRates(deps: PriceFeedDeps, feedUrl: string, timeoutMs = 10_000): Promise<string[]> {
  const url = new URL(feedUrl);
  url.searchParams.set('ids', Object.keys(FEED_IDS).join(','));
  url.searchParams.set('vs_currencies', 'usd');
  const written: string[] = [];
  let answer: unknown;
  try {
    answer = await exchangeJson({ url, method: 'GET', timeoutMs });
  } catch (error) {
    deps.log?.('the crypto price feed could not be read: coin rates are left to go stale', { actor: 'feed:prices', problem: error instanceof Error ? error.message.slice(0, 300) : 'unknown' });
    return written;
  }
  for (const [ticker, rate] of ratesFromFeed(answer)) {
    try {
      await setFxRate(deps, ticker, 'USD', rate);
      written.push(ticker);
    } catch (error) {
      deps.log?.('the crypto price feed gave a rate Souk refuses; the old one is kept', { actor: 'feed:prices', ticker, problem: error instanceof Error ? error.message.slice(0, 300) : 'unknown' });
    }
  }
  return written;
}
