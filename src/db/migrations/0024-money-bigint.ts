// PostgreSQL: the money columns added as `integer` (4 bytes, at most 2,147,483,647 minor units)
// become `bigint`, as every other amount is. The API accepts any amount up to MAX_MINOR, so a
// buy-back price of 577,040,119.00 passed validation and failed in the database with a 500.
// SQLite's integers are 8 bytes already.
import { sql, type Transaction } from 'kysely';
import type { Dialect } from '../index.js';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';

const COLUMNS: ReadonlyArray<[table: string, column: string]> = [
  ['products', 'buyback_price_minor'],
  ['trade_ins', 'unit_price_minor'],
  ['trade_ins', 'credited_minor'],
  ['payments', 'credit_minor'],
  ['providers', 'markup_fixed_minor'],
  ['providers', 'rounding_minor'],
];

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const [table, column] of COLUMNS) await sql`alter table ${sql.id(table)} alter column ${sql.id(column)} type bigint`.execute(tx);
}

export const moneyBigint: Migration = { name: '0024-money-bigint', up };
