// The catalog version: one number, bumped in the same transaction as any catalog change, so every
// process can tell by one cheap read whether its cached catalog is stale.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import type { ChangeBus } from '../../platform/bus.js';

const KEY = 'catalog_version';
export const CATALOG_TOPIC = 'catalog';

export async function readCatalogVersion(db: Db): Promise<number> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst();
  return row ? Number(row.value) : 0;
}

async function bumpCatalogVersion(db: Db): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key: KEY, value: '1', updated_at: nowIso() })
    .onConflict((c) =>
      c.column('key').doUpdateSet({
        value: sql<string>`cast(cast(settings.value as integer) + 1 as varchar(40))`,
        updated_at: nowIso(),
      }),
    )
    .execute();
}

export interface CatalogDeps {
  db: Db;
  bus: ChangeBus;
}

/**
 * Runs a catalog change in a transaction that also bumps the catalog version, then tells every
 * reader. Every catalog write goes through here, so no change can leave a stale cache behind.
 */
export async function changeCatalog<T>(deps: CatalogDeps, change: (tx: Db) => Promise<T>): Promise<T> {
  const run = async (tx: Db) => {
    const value = await change(tx);
    await bumpCatalogVersion(tx);
    return value;
  };
  // Inside a caller's transaction (seeding a whole catalog at once), join it instead of nesting.
  const result = deps.db.isTransaction ? await run(deps.db) : await deps.db.transaction().execute(run);
  deps.bus.publish(CATALOG_TOPIC);
  return result;
}
