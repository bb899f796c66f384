// The sealed codes of stock items, for a reader that knows which items it wants (an order's
// delivered items): inventory keeps its table to itself and opens nothing here.
import type { Db } from '../../db/index.js';

/** Each listed stock item's sealed code, by item id; an id with no item is left out. */
export async function sealedCodesOf(db: Db, itemIds: readonly number[]): Promise<Map<number, string>> {
  const codes = new Map<number, string>();
  const distinct = [...new Set(itemIds)];
  // In pieces, so a large order stays within any statement's parameter limit.
  for (let at = 0; at < distinct.length; at += 500) {
    const rows = await db.selectFrom('stock_items').select(['id', 'code_enc']).where('id', 'in', distinct.slice(at, at + 500)).execute();
    for (const row of rows) codes.set(Number(row.id), row.code_enc);
  }
  return codes;
}
