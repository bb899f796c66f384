// Each connected Zid store's recent orders are read again once per order-sync interval
// (SOUK_ZID_ORDER_SYNC): a paid order whose webhook never came is found and fulfilled this way.
import type { Souk } from '../../app.js';
import { defineSchedule } from '../../core/jobs/index.js';

export const syncZidOrders = (everyMs: number) =>
  defineSchedule<Souk>({ name: 'zid.sync-orders', everyMs, run: (souk) => souk.zid.queueDueOrderSyncs() });
