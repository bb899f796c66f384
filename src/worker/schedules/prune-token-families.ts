// Refresh token families whose tokens have all expired are dropped.
import type { Souk } from '../../app.js';
import { pruneTokenFamilies as prune } from '../../core/accounts/index.js';
import { defineSchedule } from '../../core/jobs/index.js';

export const pruneTokenFamilies = (everyMs: number) => defineSchedule<Souk>({ name: 'accounts.prune-token-families', everyMs, run: (souk) => prune(souk.db) });
