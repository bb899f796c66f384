// The sealed codes of stock items, for a reader that knows which items it wants (an order's
// delivered items): inventory keeps its table to itself and opens nothing here.
import type { Db } from '../../db/index.js';

/** A stock item's code as it rests: sealed, with its sealed mask when it has one. */
export interface SealedCode {
  code_enc: string;
  code_mask: string | null;
}

/** Each listed stock item's sealed code and mask, by item id; an id with no item is left out. */
export async function sealedItemsOf(db: Db, itemIds: readonly number[]): Promise<Map<number, SealedCode>> {
  const codes = new Map<number, SealedCode>();
  const distinct = [...new Set(itemIds)];
  // In pieces, so a large order stays within any statement's parameter limit.
  for (let at = 0; at < distinct.length; at += 500) {
    const rows = await db.selectFrom('stock_items').select(['id', 'code_enc', 'code_mask']).where('id', 'in', distinct.slice(at, at + 500)).execute();
    for (const row of rows) codes.set(Number(row.id), { code_enc: row.code_enc, code_mask: row.code_mask });
  }
  return codes;
}

/** Each listed stock item's sealed code, by item id. */
export async function sealedCodesOf(db: Db, itemIds: readonly number[]): Promise<Map<number, string>> {
  return new Map([...(await sealedItemsOf(db, itemIds))].map(([id, sealed]) => [id, sealed.code_enc]));
}
