// Applies pending migrations, each in its own transaction, so a migration that fails leaves the
// database exactly as it was before it started. On PostgreSQL an advisory lock keeps two
// processes that start together from applying the same migration twice.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { Dialect } from './index.js';

export interface Migration {
  name: string;
  up(tx: Transaction<Database>, dialect: Dialect): Promise<void>;
}

const LOCK_ID = 7_355_608; // any constant shared by every Souk process

export async function runMigrations(db: Kysely<Database>, dialect: Dialect, list: readonly Migration[]): Promise<string[]> {
  await db.transaction().execute(async (tx) => {
    // Under the lock too: PostgreSQL's "if not exists" is not safe against a concurrent create.
    if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${LOCK_ID})`.execute(tx);
    await tx.schema
      .createTable('souk_migrations')
      .ifNotExists()
      .addColumn('name', 'varchar(200)', (c) => c.primaryKey())
      .addColumn('applied_at', 'varchar(40)', (c) => c.notNull())
      .execute();
  });

  const applied: string[] = [];
  for (const migration of list) {
    const ran = await db.transaction().execute(async (tx) => {
      if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${LOCK_ID})`.execute(tx);
      const done = await tx.selectFrom('souk_migrations').select('name').where('name', '=', migration.name).executeTakeFirst();
      if (done) return false;
      await migration.up(tx, dialect);
      await tx.insertInto('souk_migrations').values({ name: migration.name, applied_at: new Date().toISOString() }).execute();
      return true;
    });
    if (ran) applied.push(migration.name);
  }
  return applied;
}
