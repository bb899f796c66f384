// A stock item's sealed code as an SQL expression, for a reader that takes it within a statement it
// runs anyway (a webhook claim on PostgreSQL reads an order's codes with the claim): inventory
// still writes the only SQL that reads its table.
import { sql, type RawBuilder } from 'kysely';

/** The sealed code of the stock item whose id is `itemId` (an expression of the caller's statement). */
export function sealedCodeSql(itemId: RawBuilder<unknown>): RawBuilder<string | null> {
  return sql<string | null>`(select si.code_enc from stock_items si where si.id = ${itemId})`;
}
