// Reading PostgreSQL's EXPLAIN (FORMAT JSON): for tests that check a query reads through the index it should.
import { sql, type RawBuilder } from 'kysely';
import { escapeLiteral, type PoolClient } from 'pg';
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
  'Actual Rows'?: number;
  'Actual Loops'?: number;
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

/** A statement prepared on one connection, its plan made when it first ran. */
export interface PreparedProbe {
  /** The plan it runs now: EXPLAIN ANALYZE of its execution, in a transaction rolled back after. */
  plan(): Promise<PlanNode>;
  deallocate(): Promise<void>;
}

/**
 * Prepares `query` on `client` and runs it once with its own parameters (rolled back), so that its
 * plan is made now, as that connection's settings say. A prepared statement keeps its plan until
 * the tables' statistics change: this shows what a statement first run on a new shop's empty
 * tables still runs once they have grown.
 */
export async function planMadeNow(client: PoolClient, db: Db, query: RawBuilder<unknown>): Promise<PreparedProbe> {
  const compiled = query.compile(db);
  const name = `plan_probe_${Math.random().toString(36).slice(2)}`;
  const args = compiled.parameters.map(asLiteral).join(', ');
  const execute = `execute ${name}${args ? `(${args})` : ''}`;
  const rolledBack = async <T>(work: () => Promise<T>): Promise<T> => {
    await client.query('begin');
    try {
      return await work();
    } finally {
      await client.query('rollback');
    }
  };
  await client.query(`prepare ${name} as ${compiled.sql}`);
  await rolledBack(() => client.query(execute));
  return {
    plan: () => rolledBack(async () => (await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (analyze, format json) ${execute}`)).rows[0]!['QUERY PLAN'][0]!.Plan),
    deallocate: async () => void (await client.query(`deallocate ${name}`)),
  };
}
