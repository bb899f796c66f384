// Never charge twice, never past the credit limit: how placement takes an order's money from a
// wallet. Everything that guarantees it is in this file, for both databases:
// - a batch reads the wallets it charges (on PostgreSQL locked FOR UPDATE in id order, so two
//   processes' batches cannot deadlock on them, and before any code or coupon);
// - WalletCharges decides order after order, each seeing the balance the ones before it left;
// - or, for orders that take no stock on PostgreSQL, pgChargeWalletsUnread debits without a read:
//   only a wallet that covers all the batch's charges on it, and the statement fails unless each did;
// - the debit and its ledger entry are written together; the wallets' CHECK refuses a balance past
//   the credit limit, and a unique index on the ledger (kind 'order', reference `order:<id>`,
//   migration 0012) refuses a second charge of one order, whatever the caller does.
// A refund is the mirror: one ledger entry of kind 'refund' per order, unique the same way.
import type SQLite from 'better-sqlite3';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/index.js';
import { creditWallet } from './wallets.js';

/** What a wallet can pay: its balance plus its credit limit. */
export interface WalletFunds {
  balance_minor: number;
  credit_limit_minor: number;
  currency: string;
}

/** One ledger entry of an order's charge, as written. */
export interface ChargeEntry {
  wallet_id: number;
  amount_minor: number;
  balance_after_minor: number;
  reference: string;
  actor: string;
  created_at: string;
}

/** The ledger reference of an order's charge and of its refund: unique per kind, so each happens at most once. */
export const orderLedgerReference = (orderId: string) => `order:${orderId}`;

/** The wallets a batch charges, ascending: every placement locks them in this order. */
export function chargedWallets(debits: Iterable<{ walletId: number }>): number[] {
  return [...new Set([...debits].map((d) => d.walletId))].sort((a, b) => a - b);
}

/** The charges of a batch's orders, decided in order against the funds read in its transaction. */
export class WalletCharges {
  readonly ledger: ChargeEntry[] = [];
  /** How much the batch takes from each wallet it charges. */
  readonly debits = new Map<number, number>();
  private readonly balances = new Map<number, number>();

  constructor(private readonly funds: Map<number, WalletFunds>) {}

  /** Whether the wallet covers the amount now; if not, what it has (balance plus credit limit). */
  covers(walletId: number, amountMinor: number): { ok: true } | { ok: false; available: number; currency: string } {
    const wallet = this.wallet(walletId);
    const balance = this.balances.get(walletId) ?? wallet.balance_minor;
    if (balance - amountMinor + wallet.credit_limit_minor < 0) return { ok: false, available: balance + wallet.credit_limit_minor, currency: wallet.currency };
    return { ok: true };
  }

  /** Charges a placed order that `covers` allowed. */
  charge(walletId: number, amountMinor: number, order: { id: string; actor: string; at: string }): void {
    const balanceAfter = (this.balances.get(walletId) ?? this.wallet(walletId).balance_minor) - amountMinor;
    this.balances.set(walletId, balanceAfter);
    this.debits.set(walletId, (this.debits.get(walletId) ?? 0) + amountMinor);
    this.ledger.push({ wallet_id: walletId, amount_minor: -amountMinor, balance_after_minor: balanceAfter, reference: orderLedgerReference(order.id), actor: order.actor, created_at: order.at });
  }

  private wallet(walletId: number): WalletFunds {
    const wallet = this.funds.get(walletId);
    if (!wallet) throw new Error(`wallet ${walletId} does not exist`);
    return wallet;
  }
}

/** The charge on SQLite: statements prepared once, run inside placement's BEGIN IMMEDIATE. */
export function sqliteWalletCharges(sqlite: SQLite.Database) {
  const funds = sqlite.prepare<[number], WalletFunds>('select balance_minor, credit_limit_minor, currency from wallets where id = ?');
  const debit = sqlite.prepare('update wallets set balance_minor = balance_minor - ?, updated_at = ? where id = ?');
  const ledger = sqlite.prepare(
    "insert into ledger_entries (wallet_id, amount_minor, balance_after_minor, kind, reference, memo, actor, created_at) values (?, ?, ?, 'order', ?, null, ?, ?)",
  );
  return {
    read(walletIds: number[]): Map<number, WalletFunds> {
      const found = new Map<number, WalletFunds>();
      for (const id of walletIds) {
        const wallet = funds.get(id);
        if (wallet) found.set(id, wallet);
      }
      return found;
    },
    write(charges: WalletCharges, at: string): void {
      // The wallets' CHECK refuses a balance past the credit limit, whatever was decided.
      for (const [walletId, amount] of charges.debits) debit.run(amount, at, walletId);
      for (const l of charges.ledger) ledger.run(l.wallet_id, l.amount_minor, l.balance_after_minor, l.reference, l.actor, l.created_at);
    },
  };
}

/** The `wallets` jsonb column of a batch's state query: the wallets read and locked FOR UPDATE in id order. Must come first in that query. */
export function pgWalletFunds(walletIds: number[]): RawBuilder<unknown> {
  return sql`
      (select coalesce(jsonb_agg(w order by w.id), '[]') from (
         select id, balance_minor, credit_limit_minor, currency from wallets where id = any(${walletIds}::bigint[]) order by id for update) w) as wallets`;
}

/** The funds read by pgWalletFunds. */
export function fundsFromRows(rows: Array<WalletFunds & { id: number }>): Map<number, WalletFunds> {
  return new Map(rows.map((w) => [Number(w.id), { balance_minor: Number(w.balance_minor), credit_limit_minor: Number(w.credit_limit_minor), currency: w.currency }]));
}

/** The CTE bodies of placement's one write statement: the debits and their ledger entries. */
export function pgChargeWallets(charges: WalletCharges, at: string): { debited: RawBuilder<unknown>; ledger: RawBuilder<unknown> } {
  const debits = [...charges.debits].map(([id, amount]) => ({ id, amount }));
  return {
    debited: sql`
        update wallets w set balance_minor = w.balance_minor - x.amount, updated_at = ${at}
        from jsonb_to_recordset(${JSON.stringify(debits)}::jsonb) as x(id bigint, amount bigint) where w.id = x.id and w.id = any(${debits.map((d) => d.id)}::bigint[])`,
    ledger: sql`
        insert into ledger_entries (wallet_id, amount_minor, balance_after_minor, kind, reference, memo, actor, created_at)
        select x.wallet_id, x.amount_minor, x.balance_after_minor, 'order', x.reference, null, x.actor, x.created_at
        from jsonb_to_recordset(${JSON.stringify(charges.ledger)}::jsonb) as x(wallet_id bigint, amount_minor bigint, balance_after_minor bigint, reference text, actor text, created_at text)`,
  };
}

/** One order's charge, for a statement that charges without reading the wallet first. */
export interface UnreadCharge {
  walletId: number;
  amountMinor: number;
  orderId: string;
  actor: string;
  at: string;
}

/**
 * PostgreSQL: CTEs of a statement that charges orders without having read their wallets
 * (`wallet_charges`, `debited`, `charged`, each preceded by a comma), and `covered`, true only when
 * every wallet charged covered all its orders. A wallet that does not is left as it was; the
 * statement must then fail on `covered` and write nothing. Each ledger entry's balance after is
 * the balance the debit found, less the batch's charges on that wallet up to it, in batch order:
 * what WalletCharges would have decided.
 */
export function pgChargeWalletsUnread(charges: UnreadCharge[], at: string): { ctes: RawBuilder<unknown>; covered: RawBuilder<boolean> } {
  const rows = charges.map((c, position) => ({ position, wallet_id: c.walletId, amount: c.amountMinor, reference: orderLedgerReference(c.orderId), actor: c.actor, at: c.at }));
  const walletIds = [...new Set(charges.map((c) => c.walletId))];
  return {
    ctes: sql`,
      wallet_charges as (
        select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(position int, wallet_id bigint, amount bigint, reference text, actor text, at text)),
      debited as (
        update wallets w set balance_minor = w.balance_minor - x.amount, updated_at = ${at}
        from (select wallet_id, sum(amount) as amount from wallet_charges group by wallet_id) x
        -- By key as well as by the join: planned once for any values, the join alone could read every wallet.
        where w.id = x.wallet_id and w.id = any(${walletIds}::bigint[]) and w.balance_minor - x.amount + w.credit_limit_minor >= 0
        returning w.id, w.balance_minor + x.amount as balance_before),
      charged as (
        insert into ledger_entries (wallet_id, amount_minor, balance_after_minor, kind, reference, memo, actor, created_at)
        select c.wallet_id, -c.amount, d.balance_before - sum(c.amount) over (partition by c.wallet_id order by c.position), 'order', c.reference, null, c.actor, c.at
        from wallet_charges c join debited d on d.id = c.wallet_id)`,
    covered: sql<boolean>`(select count(*) from debited) = ${walletIds.length}`,
  };
}

/** Gives an order's charge back to its wallet, in the caller's transaction; the unique ledger reference makes a second refund fail. */
export async function refundOrderCharge(tx: Db, order: { id: string; walletId: number; amountMinor: number }, change: { memo: string; actor: string }): Promise<void> {
  await creditWallet(tx, order.walletId, order.amountMinor, { kind: 'refund', reference: orderLedgerReference(order.id), memo: change.memo, actor: change.actor });
}

/** What an order's reference took from `walletId` (charged) and gave back (refunded), in minor units, read from the ledger. */
export async function orderWalletMoves(db: Db, walletId: number, orderId: string): Promise<{ charged: number; refunded: number }> {
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['kind', sql<number | string>`sum(amount_minor)`.as('total')])
    .where('wallet_id', '=', walletId)
    .where('reference', '=', orderLedgerReference(orderId))
    .where('kind', 'in', ['order', 'refund'])
    .groupBy('kind')
    .execute();
  const total = (kind: string) => Number(rows.find((r) => r.kind === kind)?.total ?? 0);
  return { charged: 0 - total('order'), refunded: total('refund') };
}
