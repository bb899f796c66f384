// Where each chain watcher stopped reading, kept in the settings table (`chain_cursor.<name>`): a
// block number on the EVM chains, a block time (ms) on TRON. A cursor only moves forward, so two
// runs that overlap (a slow one and the next) never move it back; reading a stretch twice is
// harmless, since a transfer credits once.
import type { Db } from '../../../../../db/index.js';
import { nowIso } from '../../../../clock.js';

const PREFIX = 'chain_cursor.';

/** The cursor named `name` (`ethereum`, `bsc`, `tron` …), or undefined before the first run. */
export async function readCursor(db: Db, name: string): Promise<bigint | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', PREFIX + name).executeTakeFirst();
  return row && /^\d{1,30}$/.test(row.value) ? BigInt(row.value) : undefined;
}

/** Moves the cursor to `value` unless it is already there or past it. */
export async function advanceCursor(db: Db, name: string, value: bigint): Promise<void> {
  const key = PREFIX + name;
  const text = value.toString();
  const now = nowIso();
  await db.insertInto('settings').values({ key, value: text, updated_at: now }).onConflict((c) => c.column('key').doNothing()).execute();
  // Compared as numbers, not text: the cursor is kept as decimal text in a text column.
  const current = await readCursor(db, name);
  if (current !== undefined && current >= value) return;
  let update = db.updateTable('settings').set({ value: text, updated_at: now }).where('key', '=', key);
  if (current !== undefined) update = update.where('value', '=', current.toString());
  await update.execute();
}
