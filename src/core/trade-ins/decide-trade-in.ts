// Deciding a trade-in: the owner (or a verifier's verdicts) accepts or rejects each code. One
// transaction takes the trade-in out of `verifying` with a conditional UPDATE (so it is decided
// once, however many deciders race), puts the accepted codes into stock as one batch, credits
// the partner's wallet once (ledger kind trade_in, reference `trade-in:<id>`, unique in the
// database) and writes the payout callback. A trade-in with no accepted code credits nothing.
import { nowIso } from '../clock.js';
import { InvalidState, ValidationFailed } from '../errors.js';
import { insertOutboxEvents, payoutEvent, wakeDispatchers } from '../events/index.js';
import { addSealedStock } from '../inventory/index.js';
import { creditWallet, ensureWallet } from '../wallets/index.js';
import { completePurchase, type PurchaseDeps } from './hybrid-purchase.js';
import { findTradeInRow, tradeInView, type TradeInRow } from './read-trade-ins.js';
import type { TradeInDeps } from './submit-trade-in.js';

/**
 * The codes to reject and why, each named by the code itself or by its position in the trade-in
 * (what the owner sees beside a masked code); every other code is accepted.
 */
export interface TradeInDecision {
  rejected: ReadonlyArray<({ code: string } | { position: number }) & { reason: string }>;
}

export type DecideDeps = TradeInDeps & PurchaseDeps;

/** The ledger reference of a trade-in's credit: one per trade-in, enforced by a unique index. */
export function tradeInLedgerReference(id: string): string {
  return `trade-in:${id}`;
}

/**
 * Decides a trade-in once: accepted codes join stock and are credited at the buy-back price,
 * rejected ones are listed with their reasons. A second decision is InvalidState and changes nothing.
 */
export async function decideTradeIn(deps: DecideDeps, id: string, decision: TradeInDecision, actor: string): Promise<TradeInRow> {
  const trade = await findTradeInRow(deps.db, id);
  if (trade.status !== 'verifying') throw new InvalidState(`Trade-in ${id} was already decided (${trade.status}).`);
  const codes = await deps.db.selectFrom('trade_in_codes').select(['id', 'position', 'code_hmac', 'code_enc', 'code_mask']).where('trade_in_id', '=', id).orderBy('position').execute();
  const byFingerprint = new Map(codes.map((c) => [c.code_hmac, c]));
  const byPosition = new Map(codes.map((c) => [Number(c.position), c.code_hmac]));
  const reasons = new Map<string, string>();
  const unknown: unknown[] = [];
  for (const rejected of decision.rejected) {
    const fingerprint = 'code' in rejected ? deps.vault.fingerprint(rejected.code.trim()) : byPosition.get(rejected.position);
    if (fingerprint === undefined || !byFingerprint.has(fingerprint)) unknown.push(rejected);
    else reasons.set(fingerprint, rejected.reason.trim() || 'rejected');
  }
  if (unknown.length) {
    throw new ValidationFailed(`${unknown.length} of the codes to reject are not in trade-in ${id}.`, unknown.map((_, i) => ({ field: `rejected[${i}]`, message: 'not a code of this trade-in' })));
  }

  const decided = await deps.db.transaction().execute(async (tx) => {
    const now = nowIso();
    const taken = await tx.updateTable('trade_ins').set({ status: 'rejected', decided_by: actor, decided_at: now, updated_at: now }).where('id', '=', id).where('status', '=', 'verifying').executeTakeFirst();
    if (taken.numUpdatedRows === 0n) throw new InvalidState(`Trade-in ${id} was already decided.`);
    const accepting = codes.filter((c) => !reasons.has(c.code_hmac));
    const added = await addSealedStock(tx, trade.product_id, accepting.map((c) => ({ code_enc: c.code_enc, code_hmac: c.code_hmac, code_mask: c.code_mask })), tradeInLedgerReference(id));
    for (const code of codes) {
      const accepted = added.has(code.code_hmac);
      const reason = accepted ? null : (reasons.get(code.code_hmac) ?? 'already in stock');
      await tx.updateTable('trade_in_codes').set({ status: accepted ? 'accepted' : 'rejected', reason }).where('id', '=', code.id).execute();
    }
    const credit = added.size * trade.unit_price_minor;
    if (credit > 0) {
      const wallet = await ensureWallet(tx, trade.account_id, trade.currency);
      await creditWallet(tx, wallet.id, credit, { kind: 'trade_in', reference: tradeInLedgerReference(id), memo: `trade-in of ${added.size} code(s)`, actor });
    }
    const completed = added.size > 0;
    const purchaseFails = !completed && trade.purchase_status === 'waiting';
    await tx
      .updateTable('trade_ins')
      .set({
        status: completed ? 'completed' : 'rejected',
        accepted_count: added.size,
        credited_minor: credit,
        reason: completed ? null : 'every code was rejected',
        ...(purchaseFails ? { purchase_status: 'failed' as const, purchase_reason: 'the trade-in was rejected, so nothing was bought' } : {}),
      })
      .where('id', '=', id)
      .execute();
    await tx.insertInto('audit_log').values({ actor, action: completed ? 'trade_in.accept' : 'trade_in.reject', subject: `trade_in:${id}`, detail: `${added.size} of ${codes.length} accepted`, created_at: now }).execute();
    const row = await findTradeInRow(tx, id);
    // A hybrid that goes on to buy is told of once its purchase is settled (hybrid-purchase.ts).
    if (row.purchase_status !== 'waiting') {
      await insertOutboxEvents(tx, [payoutEvent(completed ? 'payout.completed' : 'payout.rejected', { account_id: row.account_id, callback_url: row.callback_url, trade_in: await tradeInView(tx, deps.vault, row), at: now })]);
    }
    return row;
  });
  wakeDispatchers(deps.db);
  if (decided.purchase_status === 'waiting') return completePurchase(deps, id);
  return decided;
}
