// Who signs a trade-in's payout callback: the partner's key that submitted it (seed 000 X-Signature).
import type { Db } from '../../db/index.js';

/** The account and API key id (null when no key submitted it) behind a trade-in; undefined when there is none. */
export async function tradeInSigner(db: Db, id: string): Promise<{ accountId: number; keyId: string | null } | undefined> {
  const row = await db.selectFrom('trade_ins').select(['account_id', 'placed_by']).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return { accountId: row.account_id, keyId: row.placed_by.startsWith('key:') ? row.placed_by.slice('key:'.length) : null };
}
