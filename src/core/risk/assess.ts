// Assessing an order at placement: the account's terms (its own, else the shop's defaults), and
// when any rule is on, the context, the score and the verdict. With every rule off nothing is read
// or scored: the order is placed as before.
import type { Db } from '../../db/index.js';
import type { AccountRiskTerms } from '../accounts/index.js';
import { gatherRiskContext, type OrderToScore } from './context.js';
import { scoreOrder } from './score.js';
import { decideRisk, riskIsOn, type RiskDecision, type RiskTerms } from './verdict.js';

/** The shop's defaults (SOUK_RISK_REVIEW_SCORE, SOUK_RISK_REJECT_SCORE, SOUK_REVIEW_TIMEOUT). */
export interface RiskSettings {
  reviewScore: number;
  rejectScore: number;
  /** Seconds an order may wait in review before it is rejected and refunded. */
  reviewTimeoutSeconds: number;
}

export const DEFAULT_RISK_SETTINGS: RiskSettings = { reviewScore: 0, rejectScore: 0, reviewTimeoutSeconds: 86_400 };

/** An account's own terms, with the shop's defaults where it has none. */
function withDefaults(row: AccountRiskTerms, settings: RiskSettings): RiskTerms {
  return {
    reviewScore: row.risk_review_score ?? settings.reviewScore,
    rejectScore: row.risk_reject_score ?? settings.rejectScore,
    reviewAboveMinor: row.review_above_minor,
    currency: row.currency,
  };
}

/**
 * Scores an order about to be placed and decides it by its account's own terms (`account`, as
 * placement read the buyer; it checks them again when it writes the order); null when no rule is
 * on for the account. `toAccountCurrency` converts its charge for the review-above rule (null when it cannot).
 */
export async function assessOrder(
  db: Db,
  settings: RiskSettings,
  order: OrderToScore,
  account: AccountRiskTerms,
  toAccountCurrency: (terms: RiskTerms) => Promise<number | null>,
): Promise<RiskDecision | null> {
  const terms = withDefaults(account, settings);
  if (!riskIsOn(terms)) return null;
  const [input, inAccountCurrency] = await Promise.all([gatherRiskContext(db, order), terms.reviewAboveMinor === null ? null : toAccountCurrency(terms)]);
  return decideRisk(scoreOrder(input), terms, inAccountCurrency);
}
