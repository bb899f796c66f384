// Every periodic job, one file each: the run calls what the owning module exports. Each runs once
// per interval across all processes (core/jobs' Scheduler), whichever process takes the run.
import type { Souk } from '../../app.js';
import type { Schedule } from '../../core/jobs/index.js';
import { announceStock } from './announce-stock.js';
import { expireHolds } from './expire-holds.js';
import { expireReviewsSchedule } from './expire-reviews.js';
import { fulfilWaiting } from './fulfil-waiting.js';
import { resumeHybridPurchases } from './resume-hybrid-purchases.js';
import { forwardUpstream } from './forward-upstream.js';
import { syncProviders } from './sync-providers.js';
import { syncZidOrders } from './sync-zid-orders.js';
import { checkGateways, GATEWAY_CHECK_EVERY_MS, lookUpCharges } from './payment-gateways.js';
import { pruneIdempotencyKeys } from './prune-idempotency-keys.js';
import { pruneTokenFamilies } from './prune-token-families.js';
import { refreshStatistics } from './refresh-statistics.js';
import { priceFeedEveryMs, priceFeedSchedule } from './price-feed.js';
import { watchChainsSchedule } from './watch-chains.js';
import { anyChainWatched } from '../../core/payments/index.js';

/** How often housekeeping runs: expiring holds and reviews, pruning keys and token families, refreshing the planner's statistics. */
export const HOUSEKEEPING_EVERY_MS = 15_000;

/** The housekeeping every process takes part in (`souk serve` with or without a worker, `souk worker`). */
export function housekeeping(everyMs = HOUSEKEEPING_EVERY_MS): Array<Schedule<Souk>> {
  return [expireHolds(everyMs), expireReviewsSchedule(everyMs), pruneIdempotencyKeys(everyMs), pruneTokenFamilies(everyMs), refreshStatistics(everyMs)];
}

/** How often forwarding runs are looked at (due retries, stalled runs, paid orders without a run), and providers due a sync. */
export const FORWARD_EVERY_MS = 1000;
export const SYNC_CHECK_EVERY_MS = 10_000;
/** How often Zid stores due an order sync are looked for (each store is synced per its own interval). */
export const ZID_CHECK_EVERY_MS = 5000;
/** How often orders waiting for stock are looked at (stock that arrives in a process this one hears wakes them at once). */
export const FULFIL_WAITING_EVERY_MS = 2000;
/** How often verified hybrids whose purchase was never recorded are looked for (a process stopped between credit and order). */
export const RESUME_PURCHASES_EVERY_MS = 30_000;

/**
 * What only worker processes run: announcing stock changes (they feed the webhooks), forwarding
 * upstream orders, syncing providers, delivering orders that waited for stock, reading Zid
 * stores' orders, asking payment gateways about waiting charges, and (when configured) watching
 * chains for crypto payments and reading the price feed.
 */
export function workerSchedules(souk: Souk): Array<Schedule<Souk>> {
  return [
    announceStock(souk.config.productUpdateIntervalSeconds * 1000),
    forwardUpstream(FORWARD_EVERY_MS),
    syncProviders(SYNC_CHECK_EVERY_MS),
    fulfilWaiting(FULFIL_WAITING_EVERY_MS),
    resumeHybridPurchases(RESUME_PURCHASES_EVERY_MS),
    syncZidOrders(ZID_CHECK_EVERY_MS),
    lookUpCharges(souk.config.gateways.lookupIntervalSeconds * 1000),
    checkGateways(GATEWAY_CHECK_EVERY_MS),
    ...(anyChainWatched(souk.config.chains) ? [watchChainsSchedule(souk.config.chains.watchIntervalSeconds * 1000)] : []),
    ...(souk.config.chains.priceFeedUrl ? [priceFeedSchedule(priceFeedEveryMs(souk.config.crypto.rateMaxAgeSeconds))] : []),
  ];
}
