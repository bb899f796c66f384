// Column helpers for migrations from 0004 on (the shipped ones keep their own copies: a migration
// that has shipped is never edited).
import type { ColumnDefinitionBuilder, CreateTableBuilder } from 'kysely';
import type { Dialect } from '../index.js';

export const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

/** Times are ISO-8601 UTC text on both databases. */
export const time = 'varchar(40)';

/** A bigint identity on PostgreSQL, the rowid (AUTOINCREMENT, never reused) on SQLite. */
export function withId(table: CreateTableBuilder<string, never>, dialect: Dialect): CreateTableBuilder<string, never> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
