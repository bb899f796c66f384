// Query templates for hot paths: a Kysely query is built and compiled once per dialect with named
// placeholders, then run with fresh values as a precompiled statement. Building and compiling a
// query cost more than running it on SQLite (about 40% of an order's CPU); this keeps Kysely's
// typed builder for writing the query and skips that cost at run time.
import { CompiledQuery, PostgresAdapter, type Compilable } from 'kysely';
import type { Db, Dialect } from './index.js';

const PLACEHOLDER = '\u0000souk-placeholder:';

/** A stand-in for a value given at run time; use it wherever the query takes a parameter. */
export type Placeholders<K extends string> = { readonly [P in K]: never };

export interface QueryTemplate<K extends string, Row> {
  /** Runs the query with these values on `db` (a transaction or the database). */
  run(db: Db, values: { readonly [P in K]: unknown }): Promise<Row[]>;
}

/**
 * The dialect of a Kysely instance or transaction. getExecutor() is public in Kysely's types
 * though documented as internal; the version is pinned, and the template tests cover both dialects.
 */
function dialectOf(db: Db): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Makes a template from a builder. Values that change per run must come in as placeholders;
 * anything else the builder writes (a status name, a setting's key) is a constant of the template.
 * Builders are module-level functions of the placeholders only, so no run's value can be frozen in.
 */
export function queryTemplate<K extends string, Row>(keys: readonly K[], build: (db: Db, p: Placeholders<K>, dialect: Dialect) => Compilable<Row>): QueryTemplate<K, Row> {
  const compiled = new Map<Dialect, { sql: string; parameters: Array<{ key: K } | { constant: unknown }> }>();
  const placeholders = Object.fromEntries(keys.map((key) => [key, PLACEHOLDER + key])) as unknown as Placeholders<K>;
  return {
    async run(db, values) {
      const dialect = dialectOf(db);
      let shape = compiled.get(dialect);
      if (!shape) {
        const query = build(db, placeholders, dialect).compile();
        shape = {
          sql: query.sql,
          parameters: query.parameters.map((parameter) =>
            typeof parameter === 'string' && parameter.startsWith(PLACEHOLDER) ? { key: parameter.slice(PLACEHOLDER.length) as K } : { constant: parameter },
          ),
        };
        compiled.set(dialect, shape);
      }
      const parameters = shape.parameters.map((parameter) => ('key' in parameter ? values[parameter.key] : parameter.constant));
      const result = await db.executeQuery<Row>(CompiledQuery.raw(shape.sql, parameters));
      return result.rows;
    },
  };
}
