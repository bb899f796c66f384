// The key stock codes are fingerprinted with. Fingerprints are what the database holds codes
// unique by, so the key must not change when the master key does: it is random per shop and
// kept in settings, sealed under the master key (and sealed again by `souk rekey`). A shop from
// before keys could be rotated fingerprinted with a key derived from the master key that sealed
// its codes; that one is kept, so no fingerprint has to be computed again.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { deriveKey, SecretBox } from '../crypto.js';

export const FINGERPRINT_KEY_SETTING = 'stock_fingerprint_key';

/** How the fingerprint key was made before it was kept in the database: from the master key. */
function legacyFingerprintKey(masterKey: Buffer): Buffer {
  return deriveKey(masterKey, 'stock-code-fingerprint');
}

async function storedKey(db: Db, box: SecretBox): Promise<Buffer | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', FINGERPRINT_KEY_SETTING).executeTakeFirst();
  return row ? Buffer.from(box.open(row.value), 'base64') : undefined;
}

/** The master key (of those given) that sealed the shop's first code, if it has any. */
async function keyOfExistingStock(db: Db, masterKeys: readonly Buffer[]): Promise<Buffer | 'none'> {
  const first = await db.selectFrom('stock_items').select('code_enc').orderBy('id').limit(1).executeTakeFirst();
  if (!first) return 'none';
  for (const key of masterKeys) {
    try {
      new SecretBox(key).open(first.code_enc);
      return key;
    } catch {
      // Not this one.
    }
  }
  throw new Error('the stock was sealed under a master key this process was not given (SOUK_MASTER_KEY, SOUK_PREVIOUS_MASTER_KEYS)');
}

/**
 * The shop's fingerprint key, stored on first use: kept from before (derived from the master key
 * that sealed the existing stock) or, for a shop without stock, random. Several processes may
 * start at once: the first stored wins and every one uses what is stored.
 */
export async function stockFingerprintKey(db: Db, box: SecretBox, masterKeys: readonly Buffer[]): Promise<Buffer> {
  const stored = await storedKey(db, box);
  if (stored) return stored;
  const origin = await keyOfExistingStock(db, masterKeys);
  const key = origin === 'none' ? randomBytes(32) : legacyFingerprintKey(origin);
  await db
    .insertInto('settings')
    .values({ key: FINGERPRINT_KEY_SETTING, value: box.seal(key.toString('base64')), updated_at: nowIso() })
    .onConflict((c) => c.column('key').doNothing())
    .execute();
  return (await storedKey(db, box))!;
}
