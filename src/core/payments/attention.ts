// Payments the owner has to look at: less came than was asked (partial), money came after its order
// ended (late) or matches no invoice (unmatched: to be confirmed by hand), or a refund is owed.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Db } from '../../db/index.js';
import { paymentRecordView, type PaymentRecordView } from './providers/crypto/index.js';

export interface PaymentsNeedingAttention {
  partial: number;
  late: number;
  unmatched: number;
  /** Money owed back to buyers that has not been given back yet. */
  refunds_owed: number;
  /** The most recently changed of them, as the admin sees a payment. */
  recent: PaymentRecordView[];
}

const refundOwed = (eb: ExpressionBuilder<Database, 'payments'>) => eb.and([eb('refund_due', '=', 1), eb.or([eb('refund_status', 'is', null), eb('refund_status', '!=', 'refunded')])]);

/** Counts of payments needing the owner, and the `limit` most recently changed of them. */
export async function paymentsNeedingAttention(db: Db, limit = 20): Promise<PaymentsNeedingAttention> {
  const counts = await db
    .selectFrom('payments')
    .select((eb) => [
      sql<number>`sum(case when status = 'partial' then 1 else 0 end)`.as('partial'),
      sql<number>`sum(case when status = 'late' then 1 else 0 end)`.as('late'),
      sql<number>`sum(case when status = 'unmatched' then 1 else 0 end)`.as('unmatched'),
      eb.fn.sum<number>(eb.case().when(refundOwed(eb)).then(1).else(0).end()).as('owed'),
    ])
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('payments')
    .selectAll()
    .where((eb) => eb.or([eb('status', 'in', ['partial', 'late', 'unmatched']), refundOwed(eb)]))
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return {
    partial: Number(counts.partial ?? 0),
    late: Number(counts.late ?? 0),
    unmatched: Number(counts.unmatched ?? 0),
    refunds_owed: Number(counts.owed ?? 0),
    recent: rows.map(paymentRecordView),
  };
}
