// Providers whose sync interval has passed are synced: one queued job per provider and due time.
import type { Souk } from '../../app.js';
import { defineSchedule, enqueueJob, wakeJobWorkers } from '../../core/jobs/index.js';
import { syncProviderJob } from '../../core/upstream/index.js';

export const syncProviders = (everyMs: number) =>
  defineSchedule<Souk>({
    name: 'upstream.sync-providers',
    everyMs,
    async run(souk) {
      const due = await souk.upstream.providersDueSync();
      for (const provider of due) {
        await enqueueJob(souk.db, syncProviderJob, { providerId: provider.id }, { uniqueKey: `upstream.sync:${provider.id}:${provider.last_sync_at ?? 'never'}` });
      }
      if (due.length) wakeJobWorkers(souk.db);
    },
  });
