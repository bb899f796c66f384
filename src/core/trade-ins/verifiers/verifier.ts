// How a trade-in's codes are verified: a strategy chosen by name (SOUK_TRADE_IN_VERIFIER). A
// verifier either gives a verdict on every code at once or says a person must decide; it never
// writes anything: the decision is carried out by decideTradeIn, the one writer.

/** One code's verdict: accepted, or rejected with a reason in words. */
export interface CodeVerdict {
  code: string;
  accepted: boolean;
  reason?: string;
}

export type Verification =
  /** Every code judged: decideTradeIn carries the verdicts out at once. */
  | { kind: 'verdicts'; verdicts: CodeVerdict[] }
  /** Nothing decided here: the trade-in waits in `verifying` for the owner (souk trade-in decide). */
  | { kind: 'person'; note: string };

export interface TradeInVerifier {
  readonly name: string;
  /** Looks at the submitted codes (plaintext, in memory only) of a product; must not throw for a code it cannot judge. */
  verify(request: { productCode: string; codes: readonly string[] }): Promise<Verification>;
}
