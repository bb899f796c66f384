// Trade-ins: partners sell codes to the shop at a product's buy-back price. Submitted codes are
// sealed and held once (by fingerprint); a verifier or the owner decides each code once; accepted
// codes join stock and the partner's wallet is credited once, with a payout callback. A hybrid
// buys with the credit once the trade-in is verified.
export { submitTradeIn, MAX_TRADE_IN_CODES, type SubmitTradeInInput, type SubmittedTradeIn, type TradeInDeps } from './submit-trade-in.js';
export { decideTradeIn, tradeInLedgerReference, type DecideDeps, type TradeInDecision } from './decide-trade-in.js';
export { completePurchase, resumeWaitingPurchases, type PurchaseDeps } from './hybrid-purchase.js';
export { offerTradeIn, verifyTradeIn } from './verify-trade-in.js';
export { countTradeIns, findAccountTradeIn, findTradeInRow, listTradeIns, tradeInView, type PurchaseRequest, type TradeInCodeView, type TradeInPurchaseView, type TradeInRow, type TradeInView } from './read-trade-ins.js';
export { tradeInSigner } from './signer.js';
export { checkTradeInInvariants } from './doctor.js';
export { CodesRefused } from './errors.js';
export { tradeInVerifier, TRADE_IN_VERIFIERS, type TradeInVerifierName } from './verifiers/registry.js';
export type { CodeVerdict, TradeInVerifier, Verification } from './verifiers/verifier.js';
export type { CodeChecker } from './verifiers/upstream.js';
