// The verifier a shop uses, by name (SOUK_TRADE_IN_VERIFIER).
import { ValidationFailed } from '../../errors.js';
import { ManualVerifier } from './manual.js';
import { UpstreamVerifier, type CodeChecker } from './upstream.js';
import type { TradeInVerifier } from './verifier.js';

export const TRADE_IN_VERIFIERS = ['manual', 'upstream'] as const;
export type TradeInVerifierName = (typeof TRADE_IN_VERIFIERS)[number];

/** The named verifier; `upstream` uses the checker when one is given. */
export function tradeInVerifier(name: string, checker?: CodeChecker): TradeInVerifier {
  if (name === 'manual') return new ManualVerifier();
  if (name === 'upstream') return new UpstreamVerifier(checker);
  throw new ValidationFailed(`No trade-in verifier "${name}"; use ${TRADE_IN_VERIFIERS.join(' or ')}.`, [{ field: 'verifier', message: `one of ${TRADE_IN_VERIFIERS.join(', ')}` }]);
}
