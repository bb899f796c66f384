// Verification by a provider that can check codes (is this code valid and unused?). None of the
// upstream dialects Souk speaks today (core/upstream) documents such a call, so this verifier is
// the seam: give it a CodeChecker for a provider that has one, and its verdicts decide the
// trade-in; without one it says so and leaves the decision to a person, never guessing.
import type { CodeVerdict, TradeInVerifier, Verification } from './verifier.js';

/** A provider's code check, as its API documents it. */
export interface CodeChecker {
  /** Whether it can judge codes of this product at all. */
  handles(productCode: string): boolean;
  /** A verdict for every code; throws when the provider cannot be asked now. */
  check(productCode: string, codes: readonly string[]): Promise<CodeVerdict[]>;
}

export class UpstreamVerifier implements TradeInVerifier {
  readonly name = 'upstream';

  constructor(private readonly checker?: CodeChecker) {}

  /** The provider's verdicts when it can judge the product and answers for every code; else a person decides. */
  async verify(request: { productCode: string; codes: readonly string[] }): Promise<Verification> {
    if (!this.checker?.handles(request.productCode)) {
      return { kind: 'person', note: 'no provider here can check these codes; the owner decides' };
    }
    try {
      const verdicts = await this.checker.check(request.productCode, request.codes);
      const judged = new Set(verdicts.map((v) => v.code));
      if (request.codes.every((c) => judged.has(c))) return { kind: 'verdicts', verdicts };
      return { kind: 'person', note: 'the provider did not judge every code; the owner decides' };
    } catch {
      return { kind: 'person', note: 'the provider could not be asked; the owner decides' };
    }
  }
}
