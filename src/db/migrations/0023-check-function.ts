// PostgreSQL: souk_check(ok, message) raises `message` unless `ok` is true. A statement that writes
// several tables at once states with it what must hold of what it wrote (every order of the batch
// moved, every run ended), so that when something does not hold the statement fails and writes
// nothing, even run on its own, outside a transaction the caller could roll back. A plpgsql
// function is volatile: never folded into a constant by the planner, it runs with the statement.
import { sql, type Transaction } from 'kysely';
import type { Dialect } from '../index.js';
import type { Database } from '../schema.js';
import type { Migration } from '../migrate.js';

async function up(tx: Transaction<Database>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`
    create function souk_check(ok boolean, message text) returns boolean language plpgsql as $$
    begin
      if ok is not true then
        raise exception '%', message using errcode = 'check_violation';
      end if;
      return true;
    end $$`.execute(tx);
}

export const checkFunction: Migration = { name: '0023-check-function', up };
