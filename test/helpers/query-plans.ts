// Reading PostgreSQL's EXPLAIN (FORMAT JSON): for tests that check a query reads through the index it should.
import { sql, type RawBuilder } from 'kysely';
import { escapeLiteral } from 'pg';
import type { Db } from '../../src/db/index.js';

/** A query parameter as a PostgreSQL literal of unknown type (an array in PostgreSQL's array syntax). */
function asLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return escapeLiteral(`{${value.map((v) => `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`);
  return escapeLiteral(String(value));
}

/** A node of EXPLAIN (FORMAT JSON)'s plan, with the fields these tests read. */
export interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Filter?: string;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Every node of the plan that scans `relation`, outermost first. */
export function scansOf(node: PlanNode, relation: string): PlanNode[] {
  const own = node['Relation Name'] === relation ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap((child) => scansOf(child, relation))];
}

/** The index each of the plan's scans of `relation` goes through (undefined: a scan of the whole table). */
export function indexesScanning(plan: PlanNode, relation: string): Array<string | undefined> {
  const bitmapIndexes = (node: PlanNode): string[] =>
    (node.Plans ?? []).flatMap((child) => (child['Node Type'] === 'Bitmap Index Scan' ? [child['Index Name'] ?? '?'] : bitmapIndexes(child)));
  return scansOf(plan, relation)
    .filter((node) => node['Node Type']?.endsWith('Scan'))
    .map((node) => (node['Node Type'] === 'Bitmap Heap Scan' ? bitmapIndexes(node).join(' ') : node['Index Name']));
}

/**
 * The plan PostgreSQL runs `query` by when it is prepared once and planned without its parameters'
 * values (plan_cache_mode = force_generic_plan, as placement's connections run their statements):
 * EXPLAIN ANALYZE of the prepared statement executed with `query`'s own parameters, in a
 * transaction rolled back after (nothing it writes stays).
 */
export async function genericPlanOf(db: Db, query: RawBuilder<unknown>): Promise<PlanNode> {
  const compiled = query.compile(db);
  return db.connection().execute(async (connection) => {
    // In a transaction rolled back after: EXPLAIN ANALYZE runs a statement that writes, too.
    await sql`begin`.execute(connection);
    await sql`set local plan_cache_mode = force_generic_plan`.execute(connection);
    await sql.raw(`prepare generic_plan_probe as ${compiled.sql}`).execute(connection);
    try {
      // EXECUTE under EXPLAIN takes no bound parameters: its arguments are written as literals.
      const args = compiled.parameters.map(asLiteral).join(', ');
      const explained = await sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>`explain (analyze, format json) execute generic_plan_probe${sql.raw(args ? `(${args})` : '')}`.execute(connection);
      return explained.rows[0]!['QUERY PLAN'][0]!.Plan;
    } finally {
      await sql`rollback`.execute(connection);
      await sql`deallocate generic_plan_probe`.execute(connection);
    }
  });
}
