// Codes held for orders waiting for their payment (status `reserved`), counted per order, so the
// doctor can check each hold against its order without reading stock itself.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';

/** How many codes each order holds; a hold whose order_id is null is counted under null. */
export async function countHeldCodesByOrder(db: Db): Promise<Map<string | null, number>> {
  const rows = await db
    .selectFrom('stock_items')
    .select(['order_id', sql<number>`count(*)`.as('n')])
    .where('status', '=', 'reserved')
    .groupBy('order_id')
    .execute();
  return new Map(rows.map((row) => [row.order_id, Number(row.n)]));
}
