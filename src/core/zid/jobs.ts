// The queued work of the Zid connector: re-reading an order or a product a webhook announced,
// a whole store's sync, and the periodic read of a store's recent orders. Each re-reads Zid before
// acting, so it may run any number of times; a failed run (Zid down, rate limited) is tried again.
import { defineJob } from '../jobs/index.js';
import type { ZidService } from './service.js';

type Context = { zid: ZidService };

export const readZidOrderJob = defineJob<{ storeId: number; zidOrderId: string }, Context>({
  kind: 'zid.read-order',
  retrySchedule: [5, 30, 120, 600, 1800],
  async run({ storeId, zidOrderId }, { zid }) {
    await zid.readOrder(storeId, zidOrderId);
  },
});

export const readZidProductJob = defineJob<{ storeId: number; zidProductId: string }, Context>({
  kind: 'zid.read-product',
  retrySchedule: [5, 30, 120, 600],
  async run({ storeId, zidProductId }, { zid }) {
    await zid.readProduct(storeId, zidProductId);
  },
});

export const syncZidStoreJob = defineJob<{ storeId: number }, Context>({
  kind: 'zid.sync-store',
  retrySchedule: [30, 120, 600],
  async run({ storeId }, { zid }) {
    await zid.sync(storeId);
  },
});

export const syncZidOrdersJob = defineJob<{ storeId: number }, Context>({
  kind: 'zid.sync-orders',
  retrySchedule: [30, 120],
  async run({ storeId }, { zid }) {
    await zid.syncRecentOrders(storeId);
  },
});

export const ZID_JOBS = [readZidOrderJob, readZidProductJob, syncZidStoreJob, syncZidOrdersJob] as const;
