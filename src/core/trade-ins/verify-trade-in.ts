// Runs the shop's verifier on a submitted trade-in. Verdicts are carried out at once (the same
// decideTradeIn a person uses); a verifier that cannot judge leaves the trade-in to the owner.
import type { DecideDeps } from './decide-trade-in.js';
import { decideTradeIn } from './decide-trade-in.js';
import { findTradeInRow, type TradeInRow } from './read-trade-ins.js';
import { submitTradeIn, type SubmitTradeInInput, type SubmittedTradeIn } from './submit-trade-in.js';

/** Asks the verifier about a trade-in still in `verifying`; returns it as it stands afterwards. */
export async function verifyTradeIn(deps: DecideDeps, id: string): Promise<TradeInRow> {
  const trade = await findTradeInRow(deps.db, id);
  if (trade.status !== 'verifying') return trade;
  const rows = await deps.db.selectFrom('trade_in_codes').select('code_enc').where('trade_in_id', '=', id).orderBy('position').execute();
  const product = await deps.db.selectFrom('products').select('code').where('id', '=', trade.product_id).executeTakeFirstOrThrow();
  const codes = rows.map((r) => deps.vault.open(r.code_enc));
  const verification = await deps.verifier.verify({ productCode: product.code, codes });
  if (verification.kind === 'person') return trade;
  const rejected = verification.verdicts.filter((v) => !v.accepted).map((v) => ({ code: v.code, reason: v.reason ?? 'rejected by the provider' }));
  return decideTradeIn(deps, id, { rejected }, `verifier:${deps.verifier.name}`);
}

/** Submits a trade-in and asks the verifier about it at once; a retry answers the first as it stands. */
export async function offerTradeIn(deps: DecideDeps, accountId: number, input: SubmitTradeInInput, actor: string): Promise<SubmittedTradeIn> {
  const submitted = await submitTradeIn(deps, accountId, input, actor);
  if (submitted.replayed) return submitted;
  return { row: await verifyTradeIn(deps, submitted.row.id), replayed: false };
}
