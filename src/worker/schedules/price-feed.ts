// The optional crypto price feed (SOUK_CRYPTO_PRICE_FEED_URL): BTC, ETH, TRX and BNB rates to USD,
// read often enough that they stay fresh for SOUK_CRYPTO_RATE_MAX_AGE.
import { orderDepsOf, type Souk } from '../../app.js';
import { defineSchedule } from '../../core/jobs/index.js';
import { refreshCoinRates } from '../../core/payments/index.js';

/** At most a minute, and at least three reads per rate lifetime. */
export const priceFeedEveryMs = (rateMaxAgeSeconds: number) => Math.max(5_000, Math.min(60_000, Math.floor((rateMaxAgeSeconds * 1000) / 3)));

export const priceFeedSchedule = (everyMs: number) =>
  defineSchedule<Souk>({
    name: 'payments.price-feed',
    everyMs,
    run: async (souk) => {
      const url = souk.config.chains.priceFeedUrl;
      const { log } = orderDepsOf(souk);
      if (url) await refreshCoinRates({ db: souk.db, bus: souk.bus, ...(log ? { log } : {}) }, url);
    },
  });
