// What an order moved through a wallet, read from the ledger: its charge and its refunds.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';

/** The amount an order's reference took from `walletId` (charged) and gave back (refunded), in minor units. */
export async function orderWalletMoves(db: Db, walletId: number, orderId: string): Promise<{ charged: number; refunded: number }> {
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['kind', sql<number | string>`sum(amount_minor)`.as('total')])
    .where('wallet_id', '=', walletId)
    .where('reference', '=', `order:${orderId}`)
    .where('kind', 'in', ['order', 'refund'])
    .groupBy('kind')
    .execute();
  const total = (kind: string) => Number(rows.find((r) => r.kind === kind)?.total ?? 0);
  return { charged: 0 - total('order'), refunded: total('refund') };
}
