// What a score means for an order: the account's thresholds (or the shop's defaults) and its plain
// rule "review every order above this amount". 0 turns a threshold off.
import { formatMinor } from '../money.js';
import type { RiskReason, RiskScore } from './score.js';

/** An account's risk terms, with the shop's defaults already filled in. */
export interface RiskTerms {
  /** A score at or above this waits for review; 0: never by score. */
  reviewScore: number;
  /** A score at or above this is refused at placement; 0: never. */
  rejectScore: number;
  /** An order charged above this (minor units of the account's currency) waits for review; null: no such rule. */
  reviewAboveMinor: number | null;
  currency: string;
}

export type RiskVerdict = 'allow' | 'review' | 'reject';

export interface RiskDecision extends RiskScore {
  verdict: RiskVerdict;
}

/** Whether any rule is on: with none, orders are not scored at all (nothing to decide). */
export function riskIsOn(terms: RiskTerms): boolean {
  return terms.reviewScore > 0 || terms.rejectScore > 0 || terms.reviewAboveMinor !== null;
}

/**
 * The verdict: refused at the reject threshold, reviewed at the review threshold or above the
 * account's review amount (`amountInAccountMinor`: the order's charge in the account's currency;
 * null when it cannot be converted, which reviews it when the rule is on), else allowed.
 */
export function decideRisk(scored: RiskScore, terms: RiskTerms, amountInAccountMinor: number | null): RiskDecision {
  const reasons: RiskReason[] = [...scored.reasons];
  if (terms.reviewAboveMinor !== null && (amountInAccountMinor === null || amountInAccountMinor > terms.reviewAboveMinor)) {
    const limit = `${formatMinor(terms.reviewAboveMinor, terms.currency)} ${terms.currency}`;
    reasons.push({
      rule: 'review_above',
      points: 0,
      reason:
        amountInAccountMinor === null
          ? `the amount could not be converted to ${terms.currency} to compare with this account's review limit of ${limit}`
          : `${formatMinor(amountInAccountMinor, terms.currency)} ${terms.currency} is above this account's review limit of ${limit}`,
    });
  }
  const verdict: RiskVerdict =
    terms.rejectScore > 0 && scored.score >= terms.rejectScore
      ? 'reject'
      : (terms.reviewScore > 0 && scored.score >= terms.reviewScore) || reasons.some((r) => r.rule === 'review_above')
        ? 'review'
        : 'allow';
  return { score: scored.score, reasons, verdict };
}

/** The reasons in one line: "score 45: the account's first order; …". */
export function reasonsInWords(decision: Pick<RiskDecision, 'score' | 'reasons'>): string {
  return `risk score ${decision.score}${decision.reasons.length ? ': ' + decision.reasons.map((r) => r.reason).join('; ') : ''}`;
}
