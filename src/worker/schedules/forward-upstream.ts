// Orders bought from upstream providers go on: runs that asked to be tried later (an order still
// pending there, a provider that timed out), runs whose process died, and paid orders that have
// no run yet (paid after placement, or placed just before a crash).
import type { Souk } from '../../app.js';
import { defineSchedule } from '../../core/jobs/index.js';

export const forwardUpstream = (everyMs: number) =>
  defineSchedule<Souk>({
    name: 'upstream.forward',
    everyMs,
    async run(souk) {
      await souk.upstream.forwardWaitingOrders();
      await souk.upstream.resume();
    },
  });
