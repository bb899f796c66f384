// Risk scoring (score.ts: pure, explainable), its context in SQL (context.ts), the verdict against
// an account's thresholds (verdict.ts), and the assessment placement calls (assess.ts). The review
// queue itself is the orders' (core/orders/reviews.ts): an order in review is an order status.
export { scoreOrder, RISK_WINDOWS, MAX_SCORE, HISTORY_MIN_ORDERS, type RiskInput, type RiskReason, type RiskRule, type RiskScore } from './score.js';
export { decideRisk, reasonsInWords, riskIsOn, type RiskDecision, type RiskTerms, type RiskVerdict } from './verdict.js';
export { gatherRiskContext, type OrderToScore } from './context.js';
export { isDisposableEmail } from './disposable.js';
export { assessOrder, DEFAULT_RISK_SETTINGS, type RiskSettings } from './assess.js';
