// Crediting a transfer to an own-address invoice (a person, `souk payment confirm`, or a chain
// watcher): what it changes is decided by a pure function over what was read, and written in
// one transaction that takes the order's lock first (as expiry does), then the invoice's, and
// inserts the transfer's receipt, unique per (coin, txid): the same transfer credits once however
// often and however concurrently it is reported, for this order or another.
import type { PaymentsTable } from '../../../../db/schema.js';
import { nowIso } from '../../../clock.js';
import { NotFound, ValidationFailed } from '../../../errors.js';
import { wakeDispatchers } from '../../../events/index.js';
import { findOrderStatuses, lockOrderStatus, payExpiredOrder, payHeldOrder, type OrderDeps, type OrderStatus } from '../../../orders/index.js';
import type { Coin } from '../../methods.js';
import { decimalToUnits } from './amounts.js';
import { COIN_SPECS } from './coins.js';
import { CRYPTO_PROVIDER } from './invoices.js';
import { decideTopUp } from '../../topup-rule.js';
import { creditWallet } from '../../../wallets/index.js';

/** What a credited transfer does to the invoice and its order. */
export interface ConfirmDecision {
  status: PaymentsTable['status'];
  /** Whether the invoice still waits (underpaid before expiry). */
  waiting: boolean;
  /** held: pay the waiting order (its held goods are delivered) · revive: deliver the expired order if its goods are there · none. */
  fulfil: 'held' | 'revive' | 'none';
  /** Money no goods answer: owed back (a revive that fails sets it too). */
  refundDue: boolean;
}

/**
 * The rule for a transfer (issue 18 part 3): while the order waits, in full → paid, more →
 * overpaid, both delivered at once, less → partial and it waits on; onto an order already paid →
 * overpaid (the surplus recorded); after the order expired → late, delivered if the total covers
 * it and the goods are there, else owed back; onto an order ended otherwise → late, owed back.
 */
export function decideConfirmation(invoice: { expected: bigint; received: bigint; waiting: boolean; status: PaymentsTable['status'] }, order: OrderStatus, units: bigint): ConfirmDecision {
  const total = invoice.received + units;
  if (invoice.waiting && order === 'awaiting_payment') {
    if (total < invoice.expected) return { status: 'partial', waiting: true, fulfil: 'none', refundDue: false };
    return { status: total === invoice.expected ? 'paid' : 'overpaid', waiting: false, fulfil: 'held', refundDue: false };
  }
  if (invoice.status === 'paid' || invoice.status === 'overpaid') return { status: 'overpaid', waiting: false, fulfil: 'none', refundDue: false };
  if (order === 'expired' && total >= invoice.expected) return { status: 'late', waiting: false, fulfil: 'revive', refundDue: false };
  // Already delivered after a late payment: more money is surplus, not a refund.
  if (invoice.status === 'late' && order === 'fulfilled') return { status: 'late', waiting: false, fulfil: 'none', refundDue: false };
  return { status: 'late', waiting: false, fulfil: 'none', refundDue: true };
}

/** A transaction id as chains write it: 64 hex digits, 0x-prefixed on the EVM chains; lower case so one transfer has one spelling. */
export function normalizeTxid(coin: Coin, txid: string): string | undefined {
  const hex = txid.trim().toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{64}$/.test(hex)) return undefined;
  const chain = COIN_SPECS[coin].chain;
  return chain === 'ethereum' || chain === 'bsc' ? `0x${hex}` : hex;
}

export interface PaymentConfirmation {
  orderId: string;
  /** The order number or id. */
  order: string;
  txid: string;
  /** In the coin's units, a decimal ("10.000123"). */
  amount: string;
  actor: string;
}

export interface ConfirmedPayment {
  /** False when this transfer was credited before (to this invoice or another): nothing changed. */
  credited: boolean;
  payment: PaymentsTable;
  /** Where the order stands now; null for a top-up. */
  orderStatus: OrderStatus | null;
  /** For a transfer credited before: the invoice it went to. */
  creditedTo?: string;
}

/** The crypto invoice of a shop order by its number or id, or a top-up's by its id; NotFound when there is none. */
export async function findOrderInvoice(deps: Pick<OrderDeps, 'db'>, reference: string): Promise<{ orderId: string | null; invoice: PaymentsTable }> {
  const order = await findOrderStatuses(deps.db, 'shop', reference.trim());
  const invoice = order && (await deps.db.selectFrom('payments').selectAll().where('provider', '=', CRYPTO_PROVIDER).where('order_id', '=', order.id).executeTakeFirst());
  if (order && invoice) return { orderId: order.id, invoice };
  const topUp = await deps.db.selectFrom('payments').selectAll().where('provider', '=', CRYPTO_PROVIDER).where('purpose', '=', 'topup').where('id', '=', reference.trim().slice(0, 40)).executeTakeFirst();
  if (topUp) return { orderId: null, invoice: topUp };
  throw new NotFound(`No crypto payment for "${reference.trim().slice(0, 60)}"; give the order number (SK-…) or id of a crypto order, or a crypto top-up's id.`);
}

/** A transfer to credit to one invoice: what every confirmer (a person, a chain watcher) hands creditInvoice. */
export interface InvoiceCredit {
  /** The order the invoice pays; null for a wallet top-up's invoice. */
  orderId: string | null;
  invoiceId: string;
  /** Normalized (normalizeTxid). */
  txid: string;
  /** In the coin's smallest units, positive. */
  units: bigint;
  /** Who credits: `admin:…` for a person, `watcher:tron` … for a chain watcher. */
  actor: string;
}

/**
 * Credits `units` received in transfer `txid` to the invoice, once (see the file comment): the one
 * crediting transaction for people and watchers alike. Credited false when the transfer was
 * credited before, to this invoice or another.
 */
export async function creditInvoice(deps: OrderDeps, credit: InvoiceCredit): Promise<ConfirmedPayment> {
  const { orderId, txid, units, actor } = credit;
  const result = await deps.db.transaction().execute(async (tx): Promise<ConfirmedPayment> => {
    const orderStatus = orderId === null ? null : await lockOrderStatus(tx, deps, orderId);
    let read = tx.selectFrom('payments').selectAll().where('id', '=', credit.invoiceId);
    if (deps.dialect === 'postgres') read = read.forUpdate();
    const current = (await read.executeTakeFirstOrThrow()) as PaymentsTable;
    const now = nowIso();
    const receipt = await tx
      .insertInto('payment_receipts')
      .values({ payment_id: current.id, asset: current.asset, txid, units: units.toString(), actor, created_at: now })
      .onConflict((c) => c.columns(['asset', 'txid']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!receipt) {
      const earlier = await tx.selectFrom('payment_receipts').select('payment_id').where('asset', '=', current.asset).where('txid', '=', txid).executeTakeFirst();
      return { credited: false, payment: current, orderStatus, creditedTo: earlier?.payment_id };
    }
    // A watcher may have recorded this transfer as paying nothing (an amount no invoice asked): now it pays this one.
    await tx.deleteFrom('payments').where('provider', '=', CRYPTO_PROVIDER).where('external_id', '=', `${current.asset}:${txid}`).where('status', '=', 'unmatched').execute();
    const invoice = { expected: BigInt(current.expected_units), received: BigInt(current.received_units), waiting: current.waiting === 1, status: current.status };
    let status: PaymentsTable['status'];
    let waiting: boolean;
    let refundDue = current.refund_due === 1;
    if (orderId === null) {
      // A top-up: its wallet is credited once it is paid in full, whenever that is.
      const decision = decideTopUp(invoice, units);
      ({ status, waiting } = decision);
      if (decision.credit) await creditWallet(tx, current.wallet_id!, current.credit_minor!, { kind: 'topup', reference: `payment:${current.id}`, memo: `top-up paid in ${current.asset}`, actor });
    } else {
      const decision = decideConfirmation(invoice, orderStatus!, units);
      ({ status, waiting } = decision);
      refundDue = refundDue || decision.refundDue;
      if (decision.fulfil === 'held') await payHeldOrder(tx, deps, orderId, actor);
      if (decision.fulfil === 'revive') refundDue = !(await payExpiredOrder(tx, deps, orderId, actor)) || refundDue;
    }
    const change = {
      received_units: (invoice.received + units).toString(),
      status,
      waiting: waiting ? 1 : null,
      refund_due: refundDue ? 1 : 0,
      updated_at: now,
    };
    await tx.updateTable('payments').set(change).where('id', '=', current.id).execute();
    await tx
      .insertInto('audit_log')
      .values({ actor, action: 'payment.confirm', subject: orderId ? `order:${orderId}` : `payment:${current.id}`, detail: JSON.stringify({ payment: current.id, coin: current.asset, txid, units: units.toString(), status, refundDue }), created_at: now })
      .execute();
    if (orderId === null) return { credited: true, payment: { ...current, ...change }, orderStatus: null };
    const after = await findOrderStatuses(tx, 'shop', orderId);
    return { credited: true, payment: { ...current, ...change }, orderStatus: after?.status ?? orderStatus };
  });
  if (result.credited) wakeDispatchers(deps.db);
  return result;
}

/** Credits `amount` received in transfer `txid` to the order's invoice, once, as a person confirms it. */
export async function confirmCryptoPayment(deps: OrderDeps, input: Omit<PaymentConfirmation, 'orderId'>): Promise<ConfirmedPayment> {
  const { orderId, invoice } = await findOrderInvoice(deps, input.order);
  const spec = COIN_SPECS[invoice.asset as Coin];
  const units = decimalToUnits(input.amount, spec.decimals);
  if (units === undefined || units <= 0n) {
    throw new ValidationFailed(`The amount is not a positive ${invoice.asset} amount with at most ${spec.decimals} decimals.`, [{ field: 'amount', message: `a positive decimal in ${invoice.asset}, e.g. "10.000123"` }]);
  }
  const txid = normalizeTxid(spec.coin, input.txid);
  if (!txid) throw new ValidationFailed('The transaction id is not one: 64 hexadecimal digits (0x-prefixed on Ethereum and BNB Chain).', [{ field: 'txid', message: '64 hexadecimal digits' }]);
  return creditInvoice(deps, { orderId, invoiceId: invoice.id, txid, units, actor: input.actor });
}
