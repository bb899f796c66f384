// The risk score of an order: a pure function of the order and what Souk knows around it (the
// context, gathered by context.ts), giving points per rule and, for each rule that fired, the
// reason in words an owner understands at once. Pure, so the same input always gives the same
// score, and property-tested (test/unit/risk-score.test.ts): more velocity or a larger amount never
// lowers it.
import { formatMinor } from '../money.js';

/** The sliding windows the velocity rules count over. */
export const RISK_WINDOWS = {
  /** Orders of one account: resellers order in bursts, so the window is short and the allowance large. */
  accountMinutes: 10,
  accountAllowed: 30,
  /** Orders for one buyer e-mail, from any account. */
  emailMinutes: 60,
  emailAllowed: 3,
  /** Orders from one client IP, from any account. */
  ipMinutes: 60,
  ipAllowed: 10,
  /** How far back a buyer e-mail's accounts are counted. */
  emailAccountsDays: 30,
  emailAccountsAllowed: 2,
} as const;

/** Everything the score looks at. Counts are of orders placed before this one. */
export interface RiskInput {
  /** What the order is charged, in minor units of `currency`. */
  amountMinor: number;
  currency: string;
  /** The account's orders in the last `accountMinutes`. */
  accountVelocity: number;
  /** Orders for this buyer e-mail in the last `emailMinutes` (null: no e-mail given). */
  emailVelocity: number | null;
  /** Orders from this client IP in the last `ipMinutes` (null: no IP known). */
  ipVelocity: number | null;
  /** Whether the account ordered before: 0 for its first order (any larger count reads the same). */
  accountOrders: number;
  /** The account's delivered orders in `currency`, and their average amount: its own history. */
  history: { orders: number; averageMinor: number };
  /** Whether the buyer e-mail's domain is on the disposable-domain list. */
  disposableEmail: boolean;
  /** Other accounts that ordered for this buyer e-mail in the last `emailAccountsDays`. */
  emailOtherAccounts: number;
  /** The product is marked high-risk by the owner. */
  highRiskProduct: boolean;
}

/** One rule that fired. */
export interface RiskReason {
  rule: RiskRule;
  points: number;
  /** In words, for the owner. */
  reason: string;
}

export type RiskRule =
  | 'account_velocity'
  | 'email_velocity'
  | 'ip_velocity'
  | 'first_order'
  | 'amount_above_history'
  | 'disposable_email'
  | 'email_on_many_accounts'
  | 'high_risk_product'
  | 'review_above';

export interface RiskScore {
  /** 0 to 100. */
  score: number;
  /** The rules that fired, highest points first. */
  reasons: RiskReason[];
}

export const MAX_SCORE = 100;

/** Points for `count` orders over an allowance: 5 for the first one over, 5 more each, at most `cap`. Never lower for a larger count. */
function overAllowance(count: number, allowed: number, cap: number): number {
  return count <= allowed ? 0 : Math.min(cap, 5 * (count - allowed));
}

/** The amount rule needs a history to compare with: this many delivered orders. */
export const HISTORY_MIN_ORDERS = 3;

/** Points for an amount against the account's average: from 3× the average up, growing with the ratio, at most 40. */
function amountPoints(amountMinor: number, history: RiskInput['history']): number {
  if (history.orders < HISTORY_MIN_ORDERS || history.averageMinor <= 0) return 0;
  // Integer arithmetic on tenths of the ratio (BigInt: amounts reach 2^53).
  const tenths = Number((BigInt(amountMinor) * 10n) / BigInt(history.averageMinor));
  if (tenths < 30) return 0;
  // 3× → 20 points, 5× → 30, 7× and more → 40.
  return Math.min(40, 20 + Math.floor((tenths - 30) / 20) * 5);
}

/** Scores an order: the same input, the same score; each rule that fired is a reason in words. */
export function scoreOrder(input: RiskInput): RiskScore {
  const w = RISK_WINDOWS;
  const reasons: RiskReason[] = [];
  const fire = (rule: RiskRule, points: number, reason: string) => {
    if (points > 0) reasons.push({ rule, points, reason });
  };
  fire(
    'account_velocity',
    overAllowance(input.accountVelocity, w.accountAllowed, 40),
    `${input.accountVelocity} orders from this account in the last ${w.accountMinutes} minutes (more than ${w.accountAllowed})`,
  );
  if (input.emailVelocity !== null) {
    fire('email_velocity', overAllowance(input.emailVelocity, w.emailAllowed, 30), `${input.emailVelocity} orders for this buyer e-mail in the last ${w.emailMinutes} minutes (more than ${w.emailAllowed})`);
  }
  if (input.ipVelocity !== null) {
    fire('ip_velocity', overAllowance(input.ipVelocity, w.ipAllowed, 30), `${input.ipVelocity} orders from this client IP in the last ${w.ipMinutes} minutes (more than ${w.ipAllowed})`);
  }
  fire('first_order', input.accountOrders === 0 ? 15 : 0, "the account's first order");
  const average = formatMinor(input.history.averageMinor, input.currency);
  fire(
    'amount_above_history',
    amountPoints(input.amountMinor, input.history),
    `${formatMinor(input.amountMinor, input.currency)} ${input.currency} is well above this account's average of ${average} ${input.currency} over ${input.history.orders} delivered orders`,
  );
  fire('disposable_email', input.disposableEmail ? 30 : 0, 'the buyer e-mail is at a disposable-address domain');
  fire(
    'email_on_many_accounts',
    input.emailOtherAccounts >= w.emailAccountsAllowed ? Math.min(40, 20 + 5 * (input.emailOtherAccounts - w.emailAccountsAllowed)) : 0,
    `the buyer e-mail was used by ${input.emailOtherAccounts} other accounts in the last ${w.emailAccountsDays} days`,
  );
  fire('high_risk_product', input.highRiskProduct ? 30 : 0, 'the product is marked high-risk');
  reasons.sort((a, b) => b.points - a.points || a.rule.localeCompare(b.rule));
  const score = Math.min(MAX_SCORE, reasons.reduce((sum, r) => sum + r.points, 0));
  return { score, reasons };
}
