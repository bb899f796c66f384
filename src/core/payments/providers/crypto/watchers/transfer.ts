// A transfer a chain watcher found, credited to the invoice it pays: the waiting invoice of its coin
// and address asking exactly its amount; else (a late payment) the most recent ended invoice asking
// it, within LATE_PAYMENT_WINDOW_SECONDS; else it pays nothing Souk asked for, and is recorded for
// the admin (a payment row `unmatched`, unique per coin and txid, an audit entry and a warning),
// never credited. Only the exact amount names an order: a transfer of less or more than asked could
// be meant for any waiting order, so it is never guessed at; the admin credits it with
// `souk payment confirm` (partial or overpaid then, by the same rule), which clears the record.
// Crediting goes through creditInvoice, as a person's confirmation does.
import { nowIso } from '../../../../clock.js';
import { newUlid } from '../../../../ids.js';
import type { OrderDeps, OrderStatus } from '../../../../orders/index.js';
import type { Coin } from '../../../methods.js';
import { COIN_SPECS } from '../coins.js';
import { creditInvoice, normalizeTxid } from '../confirm.js';
import { paymentRow } from '../../../payment-rows.js';
import { CRYPTO_PROVIDER } from '../invoices.js';

/** A transfer paid this long after its invoice ended still finds it; later ones go to the admin. */
export const LATE_PAYMENT_WINDOW_SECONDS = 86_400;

/** An invoice opened this long after a transfer's block cannot be what it pays (a little room for clocks). */
const CLOCK_SLACK_MS = 120_000;

export type WatcherActor = 'watcher:tron' | 'watcher:ethereum' | 'watcher:bsc';

/** A confirmed transfer of a coin to one of the shop's addresses, as a watcher read it from its chain. */
export interface ChainTransfer {
  coin: Coin;
  /** The receiving address as the chain spells it (EVM: any letter case). */
  to: string;
  /** In the coin's smallest units. */
  units: bigint;
  txid: string;
  /** When its block was made (ISO), if known: an invoice opened after it is not what it pays. */
  at?: string;
}

export type TransferOutcome =
  | { kind: 'credited'; paymentId: string; /** null for a top-up's invoice */ orderId: string | null; status: string; orderStatus: OrderStatus | null }
  /** Seen before: credited already (by a watcher or a person), or already recorded unmatched. */
  | { kind: 'seen'; paymentId?: string }
  | { kind: 'unmatched'; paymentId: string };

/** How a chain's addresses compare: EVM ones without regard to letter case, TRON's base58 exactly. */
export function sameAddress(coin: Coin, a: string, b: string): boolean {
  const chain = COIN_SPECS[coin].chain;
  return chain === 'ethereum' || chain === 'bsc' ? a.trim().toLowerCase() === b.trim().toLowerCase() : a.trim() === b.trim();
}

interface Candidate {
  id: string;
  order_id: string | null;
  address: string | null;
  waiting: number | null;
  status: string;
  expires_at: string;
  created_at: string;
}

/**
 * The invoice a transfer pays among those asking exactly its amount (pure, for testing): the
 * waiting one at its address, else the most recently opened one that ended within the late
 * window before the transfer; never one opened after the transfer was made.
 */
export function pickInvoice(coin: Coin, transfer: { to: string; atMs: number }, candidates: readonly Candidate[]): Candidate | undefined {
  const fits = candidates.filter((c) => c.status !== 'unmatched' && c.address !== null && sameAddress(coin, c.address, transfer.to) && Date.parse(c.created_at) <= transfer.atMs + CLOCK_SLACK_MS);
  const waiting = fits.find((c) => c.waiting === 1);
  if (waiting) return waiting;
  const ended = fits.filter((c) => c.waiting !== 1 && Date.parse(c.expires_at) >= transfer.atMs - LATE_PAYMENT_WINDOW_SECONDS * 1000);
  ended.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || (a.id < b.id ? 1 : -1));
  return ended[0];
}

/** Credits a confirmed on-chain transfer to the invoice it pays, once; or records it for the admin when it pays none. */
export async function creditChainTransfer(deps: OrderDeps, transfer: ChainTransfer, actor: WatcherActor): Promise<TransferOutcome> {
  const { db } = deps;
  const txid = normalizeTxid(transfer.coin, transfer.txid);
  if (!txid || transfer.units <= 0n) throw new RangeError(`a ${transfer.coin} transfer with txid ${transfer.txid.slice(0, 80)} and ${transfer.units} units is not one`);
  const earlier = await db.selectFrom('payment_receipts').select('payment_id').where('asset', '=', transfer.coin).where('txid', '=', txid).executeTakeFirst();
  if (earlier) return { kind: 'seen', paymentId: earlier.payment_id };

  const candidates = await db
    .selectFrom('payments')
    .select(['id', 'order_id', 'address', 'waiting', 'status', 'expires_at', 'created_at'])
    .where('provider', '=', CRYPTO_PROVIDER)
    .where('asset', '=', transfer.coin)
    .where('expected_units', '=', transfer.units.toString())
    .execute();
  const atMs = transfer.at ? Date.parse(transfer.at) : Date.now();
  const invoice = pickInvoice(transfer.coin, { to: transfer.to, atMs }, candidates);
  if (invoice) {
    const credited = await creditInvoice(deps, { orderId: invoice.order_id, invoiceId: invoice.id, txid, units: transfer.units, actor });
    if (!credited.credited) return { kind: 'seen', ...(credited.creditedTo ? { paymentId: credited.creditedTo } : {}) };
    return { kind: 'credited', paymentId: invoice.id, orderId: invoice.order_id, status: credited.payment.status, orderStatus: credited.orderStatus };
  }
  return recordUnmatched(deps, transfer, txid, actor);
}

/** A transfer that pays no invoice: one `unmatched` payment row per (coin, txid) (the unique external id settles races), an audit entry and a warning the first time. */
async function recordUnmatched(deps: OrderDeps, transfer: ChainTransfer, txid: string, actor: WatcherActor): Promise<TransferOutcome> {
  const externalId = `${transfer.coin}:${txid}`;
  const now = nowIso();
  const id = newUlid();
  const recorded = await deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('payments')
      .values(
        paymentRow({
          id,
          provider: CRYPTO_PROVIDER,
          external_id: externalId,
          asset: transfer.coin,
          address: transfer.to,
          expected_units: '0',
          received_units: transfer.units.toString(),
          status: 'unmatched',
          waiting: null,
          expires_at: transfer.at ?? now,
        }),
      )
      .onConflict((c) => c.columns(['provider', 'external_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    // Credited meanwhile (a person confirmed it between the first look and now): nothing to record.
    const credited = await tx.selectFrom('payment_receipts').select('id').where('asset', '=', transfer.coin).where('txid', '=', txid).executeTakeFirst();
    if (credited) {
      await tx.deleteFrom('payments').where('id', '=', id).execute();
      return false;
    }
    await tx
      .insertInto('audit_log')
      .values({ actor, action: 'payment.unmatched', subject: `payment:${id}`, detail: JSON.stringify({ coin: transfer.coin, to: transfer.to, txid, units: transfer.units.toString() }), created_at: now })
      .execute();
    return true;
  });
  if (!recorded) {
    const existing = await deps.db.selectFrom('payments').select('id').where('provider', '=', CRYPTO_PROVIDER).where('external_id', '=', externalId).executeTakeFirst();
    return { kind: 'seen', ...(existing ? { paymentId: existing.id } : {}) };
  }
  deps.log?.('a transfer to a receiving address pays no invoice: nothing credited; see `souk payment list --status unmatched`', { coin: transfer.coin, txid, units: transfer.units.toString(), actor });
  return { kind: 'unmatched', paymentId: id };
}
