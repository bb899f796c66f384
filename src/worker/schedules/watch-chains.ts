// The chain watchers' round (SOUK_CHAIN_WATCH_INTERVAL): confirmed transfers to the shop's own
// addresses credit the crypto invoices they pay. Scheduled only when a node URL is set.
import { orderDepsOf, type Souk } from '../../app.js';
import { defineSchedule } from '../../core/jobs/index.js';
import { watchChains } from '../../core/payments/index.js';

export const watchChainsSchedule = (everyMs: number) =>
  defineSchedule<Souk>({
    name: 'payments.watch-chains',
    everyMs,
    run: async (souk) => {
      await watchChains(orderDepsOf(souk), souk.config.chains, souk.config.crypto.holdSeconds);
    },
  });
