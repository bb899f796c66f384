// Refresh token families whose tokens have all expired are dropped, and console sessions a day
// after they ended or expired.
import type { Souk } from '../../app.js';
import { pruneConsoleSessions, pruneTokenFamilies as prune } from '../../core/accounts/index.js';
import { defineSchedule } from '../../core/jobs/index.js';

export const pruneTokenFamilies = (everyMs: number) =>
  defineSchedule<Souk>({
    name: 'accounts.prune-token-families',
    everyMs,
    run: async (souk) => {
      await prune(souk.db);
      await pruneConsoleSessions(souk.db);
    },
  });
