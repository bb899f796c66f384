// PostgreSQL plans every query from the statistics ANALYZE gathers. Autovacuum gathers them as
// tables grow; where it is off (some managed or test servers turn it off), a table keeps the
// statistics of its first days, or none, and the planner guesses: it then chose, for instance, an
// index that read every order of an account to find one client_order_id. So when autovacuum is off
// Souk analyzes its own tables, with autovacuum's own rule for when a table has changed enough.
import { sql } from 'kysely';
import type { Db, Dialect } from './index.js';

/** Autovacuum's defaults (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor). */
const ANALYZE_THRESHOLD = 50;
const ANALYZE_SCALE = 0.1;

export interface StatisticsOptions {
  /** Analyze even though autovacuum is on (tests, where the server's setting is not theirs to choose). */
  evenWithAutovacuum?: boolean;
}

/**
 * PostgreSQL: analyzes each table of the current schema changed by more than 50 rows plus a tenth
 * of its size since its last analysis, when autovacuum is off; returns the tables analyzed.
 * Nothing on SQLite, whose planner needs no statistics for Souk's queries.
 */
export async function refreshPlannerStatistics(db: Db, dialect: Dialect, options: StatisticsOptions = {}): Promise<string[]> {
  if (dialect !== 'postgres') return [];
  if (!options.evenWithAutovacuum) {
    const { rows } = await sql<{ on: boolean }>`select current_setting('autovacuum') = 'on' as on`.execute(db);
    if (rows[0]?.on) return [];
  }
  const { rows: stale } = await sql<{ relname: string }>`
    select relname from pg_stat_user_tables
    where schemaname = current_schema() and n_mod_since_analyze > ${ANALYZE_THRESHOLD} + ${ANALYZE_SCALE}::float8 * greatest(n_live_tup, 0)
    order by relname`.execute(db);
  for (const { relname } of stale) await sql`analyze ${sql.id(relname)}`.execute(db);
  return stale.map((r) => r.relname);
}
