// Submitting a trade-in: the partner offers codes of a product the shop buys back. The codes are
// sealed at once; a code offered twice in the request, already in the shop's stock, or already
// offered to the shop (pending or accepted in another trade-in) is refused by its place in the
// request, never saying whose it is. The check is a read plus the partial unique index on the
// fingerprint, so two partners racing with one code cannot both hold it.
import { createHash } from 'node:crypto';
import type { Db, Dialect } from '../../db/index.js';
import { findProduct } from '../catalog/index.js';
import { nowIso } from '../clock.js';
import { IdempotencyKeyReused, ValidationFailed, type FieldProblem } from '../errors.js';
import { newUlid } from '../ids.js';
import { fingerprintsInStock, type CodeVault } from '../inventory/index.js';
import { timesQuantity } from '../money.js';
import { outboundUrlProblem } from '../../platform/outbound-guard.js';
import { CodesRefused } from './errors.js';
import { findTradeInRow, type PurchaseRequest, type TradeInRow } from './read-trade-ins.js';
import type { TradeInVerifier } from './verifiers/verifier.js';

export const MAX_TRADE_IN_CODES = 200;
const MAX_CODE_LENGTH = 500;

export interface TradeInDeps {
  db: Db;
  dialect: Dialect;
  vault: CodeVault;
  verifier: TradeInVerifier;
  allowPrivate?: boolean;
}

export interface SubmitTradeInInput {
  /** Product id, code or slug. */
  product: string | number;
  codes: readonly string[];
  /** The partner's own id for it (seed 000's partner_order_id): a retry with the same body returns the first. */
  clientReference?: string;
  callbackUrl?: string;
  /** A hybrid: what to buy once the trade-in is verified, paid from the credit and then the wallet. */
  purchase?: PurchaseRequest;
}

export interface SubmittedTradeIn {
  row: TradeInRow;
  replayed: boolean;
}

function checkCodes(codes: readonly string[]): string[] {
  if (codes.length < 1 || codes.length > MAX_TRADE_IN_CODES) {
    throw new ValidationFailed(`A trade-in carries 1 to ${MAX_TRADE_IN_CODES} codes.`, [{ field: 'items', message: `1 to ${MAX_TRADE_IN_CODES} codes` }]);
  }
  const problems: FieldProblem[] = [];
  const seen = new Map<string, number>();
  const trimmed = codes.map((raw, i) => {
    const code = raw.trim();
    if (!code || code.length > MAX_CODE_LENGTH) problems.push({ field: `items[${i}].code`, message: `must be 1 to ${MAX_CODE_LENGTH} characters` });
    const first = seen.get(code);
    if (first !== undefined) problems.push({ field: `items[${i}].code`, message: `the same code as items[${first}]` });
    else seen.set(code, i);
    return code;
  });
  if (problems.length) throw new ValidationFailed('Some codes cannot be taken as sent.', problems);
  return trimmed;
}

/** Keyed, so the stored hash of a request says nothing about its codes. */
function requestHash(vault: CodeVault, productId: number, codes: readonly string[], input: SubmitTradeInInput): string {
  const canonical = JSON.stringify([productId, codes, input.callbackUrl ?? null, input.purchase ?? null]);
  return createHash('sha256').update(vault.fingerprint(canonical)).digest('hex');
}

/**
 * Records a trade-in in `verifying` with its codes sealed, priced at the product's buy-back price,
 * or refuses it whole; a retry of the same request (same partner reference and body) returns the first.
 */
export async function submitTradeIn(deps: TradeInDeps, accountId: number, input: SubmitTradeInInput, actor: string): Promise<SubmittedTradeIn> {
  const codes = checkCodes(input.codes);
  const product = await findProduct(deps.db, input.product);
  const hash = requestHash(deps.vault, product.id, codes, input);
  if (input.clientReference !== undefined) {
    const existing = await deps.db.selectFrom('trade_ins').select(['id', 'request_hash']).where('account_id', '=', accountId).where('client_reference', '=', input.clientReference).executeTakeFirst();
    if (existing) {
      if (existing.request_hash !== hash) throw new IdempotencyKeyReused(`partner_order_id "${input.clientReference}"`);
      return { row: await findTradeInRow(deps.db, existing.id), replayed: true };
    }
  }
  if (product.buyback_price_minor === null || product.status !== 'active') {
    throw new ValidationFailed(`The shop does not buy ${product.code} back.`, [{ field: 'product_code', message: 'not bought back (no buy-back price)' }]);
  }
  if (product.fulfillment !== 'stock' || product.stock_mode !== 'unique') {
    throw new ValidationFailed(`${product.code} is not sold from unique stock codes, so codes cannot be taken into it.`, [{ field: 'product_code', message: 'not a unique-stock product' }]);
  }
  if (timesQuantity(product.buyback_price_minor, codes.length) === undefined) {
    throw new ValidationFailed('The trade-in is worth more than a wallet can be credited.', [{ field: 'items', message: 'too many codes at this price' }]);
  }
  if (input.callbackUrl) {
    const problem = await outboundUrlProblem(input.callbackUrl, { allowPrivate: deps.allowPrivate ?? false });
    if (problem) throw new ValidationFailed(`callback_url ${problem}.`, [{ field: 'callback_url', message: problem }]);
  }
  const masks = deps.vault.sealMasks(codes);
  const sealed = codes.map((code, i) => ({ code_enc: deps.vault.seal(code), code_hmac: deps.vault.fingerprint(code), code_mask: masks[i]! }));
  const id = newUlid();
  const now = nowIso();
  try {
    await deps.db.transaction().execute(async (tx) => {
      const fingerprints = sealed.map((s) => s.code_hmac);
      const inStock = await fingerprintsInStock(tx, product.id, fingerprints);
      const offered = new Set<string>();
      for (let at = 0; at < fingerprints.length; at += 500) {
        const rows = await tx
          .selectFrom('trade_in_codes')
          .select('code_hmac')
          .where('product_id', '=', product.id)
          .where('code_hmac', 'in', fingerprints.slice(at, at + 500))
          .where('status', '<>', 'rejected')
          .execute();
        for (const row of rows) offered.add(row.code_hmac);
      }
      const refused = fingerprints.flatMap((f, i) => (inStock.has(f) || offered.has(f) ? [{ field: `items[${i}].code`, message: 'the shop already holds this code' }] : []));
      if (refused.length) throw new CodesRefused(`${refused.length} of the codes cannot be taken: the shop already holds them. Remove them and send the rest.`, refused);
      await tx
        .insertInto('trade_ins')
        .values({
          id,
          account_id: accountId,
          client_reference: input.clientReference ?? null,
          product_id: product.id,
          status: 'verifying',
          verifier: deps.verifier.name,
          unit_price_minor: product.buyback_price_minor!,
          currency: product.currency,
          code_count: codes.length,
          accepted_count: null,
          credited_minor: null,
          callback_url: input.callbackUrl ?? null,
          placed_by: actor,
          request_hash: hash,
          purchase: input.purchase ? JSON.stringify(input.purchase) : null,
          purchase_status: input.purchase ? 'waiting' : null,
          purchase_order_id: null,
          purchase_reason: null,
          reason: null,
          decided_by: null,
          decided_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await tx
        .insertInto('trade_in_codes')
        .values(sealed.map((s, i) => ({ trade_in_id: id, product_id: product.id, position: i, ...s, status: 'pending' as const, reason: null })))
        .execute();
    });
  } catch (error) {
    if (error instanceof CodesRefused || !isUniqueViolation(error)) throw error;
    // Lost a race: another request took one of these codes (or this partner reference) meanwhile.
    if (input.clientReference !== undefined) {
      const raced = await deps.db.selectFrom('trade_ins').select('id').where('account_id', '=', accountId).where('client_reference', '=', input.clientReference).executeTakeFirst();
      if (raced) return submitTradeIn(deps, accountId, input, actor);
    }
    throw new CodesRefused('Some of the codes cannot be taken: the shop already holds them.', [{ field: 'items', message: 'the shop already holds one of these codes' }]);
  }
  return { row: await findTradeInRow(deps.db, id), replayed: false };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}
