// The database's planner statistics kept current where autovacuum does not (db/statistics.ts).
import type { Souk } from '../../app.js';
import { defineSchedule } from '../../core/jobs/index.js';
import { refreshPlannerStatistics } from '../../db/index.js';

export const refreshStatistics = (everyMs: number) =>
  defineSchedule<Souk>({ name: 'db.refresh-statistics', everyMs, run: async (souk) => void (await refreshPlannerStatistics(souk.db, souk.dialect)) });
