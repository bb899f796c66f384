// Syncing a provider is a queued job, one per provider and due time (its unique key), so that
// however many workers see a provider due, it is synced once; a failed sync is tried again.
import { defineJob } from '../jobs/index.js';
import type { UpstreamService } from './service.js';

export const syncProviderJob = defineJob<{ providerId: number }, { upstream: UpstreamService }>({
  kind: 'upstream.sync-provider',
  retrySchedule: [30, 120, 600],
  async run({ providerId }, { upstream }) {
    await upstream.ping(providerId);
    await upstream.sync(providerId);
  },
});
