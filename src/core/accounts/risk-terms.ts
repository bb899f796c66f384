// An account's own risk terms (core/risk decides with them): its score thresholds and its
// "review every order above this amount". Null: the shop's default.
import type { Db } from '../../db/index.js';

export interface AccountRiskTerms {
  currency: string;
  risk_review_score: number | null;
  risk_reject_score: number | null;
  review_above_minor: number | null;
}

/** The account's risk columns as stored, read fresh (an owner's change applies to the next order). */
export async function accountRiskTermsOf(db: Db, accountId: number): Promise<AccountRiskTerms | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select(['currency', 'risk_review_score', 'risk_reject_score', 'review_above_minor'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row && { ...row, review_above_minor: row.review_above_minor === null ? null : Number(row.review_above_minor) };
}
