// Wallets: one per account and currency. Every change of a balance writes a ledger entry (signed
// amount, balance after, kind, reference) in the same transaction, so a wallet always equals the
// sum of its ledger. Debits are a conditional UPDATE: the database itself refuses to go past the
// credit limit, whatever the caller does.
import { sql } from 'kysely';
import { queryTemplate, type Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { Conflict, InsufficientBalance, NotFound, ValidationFailed } from '../errors.js';
import { insertOutboxEvents, wakeDispatchers, walletCreditedEvent } from '../events/index.js';
import { formatMinor, isCurrencyCode } from '../money.js';

export type LedgerKind = 'topup' | 'adjustment' | 'order' | 'refund' | 'trade_in';

export interface Wallet {
  id: number;
  account_id: number;
  currency: string;
  balance_minor: number;
  credit_limit_minor: number;
  updated_at: string;
}

export interface LedgerWrite {
  kind: LedgerKind;
  reference?: string | null;
  memo?: string | null;
  actor?: string | null;
  /** The request's own key (`<account id>:<Idempotency-Key>`): unique, so it moves money once. */
  requestKey?: string | null;
}

/** The account's wallet in a currency, created empty on first use. */
export async function ensureWallet(tx: Db, accountId: number, currency: string): Promise<Wallet> {
  const code = currency.toUpperCase();
  if (!isCurrencyCode(code)) throw new ValidationFailed('The currency is not valid.', [{ field: 'currency', message: 'a three-letter ISO 4217 code' }]);
  const existing = await tx.selectFrom('wallets').selectAll().where('account_id', '=', accountId).where('currency', '=', code).executeTakeFirst();
  if (existing) return existing;
  const account = await tx.selectFrom('accounts').select(['currency', 'credit_limit_minor']).where('id', '=', accountId).executeTakeFirst();
  if (!account) throw new NotFound(`No account ${accountId}.`);
  await tx
    .insertInto('wallets')
    .values({
      account_id: accountId,
      currency: code,
      balance_minor: 0,
      // The account's credit limit is granted in its own currency only.
      credit_limit_minor: account.currency === code ? account.credit_limit_minor : 0,
      updated_at: nowIso(),
    })
    .onConflict((c) => c.columns(['account_id', 'currency']).doNothing())
    .execute();
  return tx.selectFrom('wallets').selectAll().where('account_id', '=', accountId).where('currency', '=', code).executeTakeFirstOrThrow();
}

const selectWalletId = queryTemplate(['accountId', 'currency'], (db, p) =>
  db.selectFrom('wallets').select('id').where('account_id', '=', p.accountId).where('currency', '=', p.currency),
);

/** The id of the account's wallet in a currency, if it has one (nothing is created). */
export async function findWalletId(db: Db, accountId: number, currency: string): Promise<number | undefined> {
  const [row] = await selectWalletId.run(db, { accountId, currency });
  return row?.id;
}

const insertLedgerEntry = queryTemplate(['walletId', 'amount', 'balanceAfter', 'kind', 'reference', 'memo', 'actor', 'requestKey', 'at'], (db, p) =>
  db.insertInto('ledger_entries').values({
    wallet_id: p.walletId,
    amount_minor: p.amount,
    balance_after_minor: p.balanceAfter,
    kind: p.kind,
    reference: p.reference,
    memo: p.memo,
    actor: p.actor,
    request_key: p.requestKey,
    created_at: p.at,
  }),
);

async function writeLedger(tx: Db, walletId: number, amount: number, balanceAfter: number, entry: LedgerWrite) {
  await insertLedgerEntry.run(tx, { walletId, amount, balanceAfter, kind: entry.kind, reference: entry.reference ?? null, memo: entry.memo ?? null, actor: entry.actor ?? null, requestKey: entry.requestKey ?? null, at: nowIso() });
}

// The debit runs on every order: a template, built and compiled once.
const debitIfCovered = queryTemplate(['amount', 'at', 'walletId'], (db, p) =>
  db
    .updateTable('wallets')
    .set({ balance_minor: sql<number>`balance_minor - ${p.amount}`, updated_at: p.at })
    .where('id', '=', p.walletId)
    .where(sql<boolean>`balance_minor - ${p.amount} + credit_limit_minor >= 0`)
    .returning(['balance_minor']),
);

/** Adds money to a wallet (top-up, refund, positive adjustment) and writes wallet.credited. Returns the new balance. */
export async function creditWallet(tx: Db, walletId: number, amountMinor: number, entry: LedgerWrite): Promise<number> {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) throw new ValidationFailed('A credit must be a positive amount.', [{ field: 'amount', message: 'must be more than zero' }]);
  const row = await tx
    .updateTable('wallets')
    .set({ balance_minor: sql<number>`balance_minor + ${amountMinor}`, updated_at: nowIso() })
    .where('id', '=', walletId)
    // A balance must stay a safe integer, or it could not be read back exactly.
    .where('balance_minor', '<=', Number.MAX_SAFE_INTEGER - amountMinor)
    .returning(['balance_minor', 'account_id', 'currency'])
    .executeTakeFirst();
  if (!row) {
    if (!(await tx.selectFrom('wallets').select('id').where('id', '=', walletId).executeTakeFirst())) throw new NotFound(`No wallet ${walletId}.`);
    throw new ValidationFailed('The credit would take the wallet past the largest balance it can hold.', [{ field: 'amount', message: 'too large for this wallet' }]);
  }
  await writeLedger(tx, walletId, amountMinor, row.balance_minor, entry);
  // The account hears of it (wallet.credited) from the same transaction.
  const credit = { account_id: row.account_id, wallet_id: walletId, currency: row.currency, amount_minor: amountMinor, balance_minor: row.balance_minor, kind: entry.kind, reference: entry.reference ?? null, at: nowIso() };
  await insertOutboxEvents(tx, [walletCreditedEvent(credit)]);
  return row.balance_minor;
}

/**
 * Takes money from a wallet if balance plus credit limit covers it; otherwise throws
 * InsufficientBalance and changes nothing. Returns the new balance.
 */
export async function debitWallet(tx: Db, walletId: number, amountMinor: number, entry: LedgerWrite): Promise<number> {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) throw new ValidationFailed('A debit must be a positive amount.', [{ field: 'amount', message: 'must be more than zero' }]);
  const [row] = await debitIfCovered.run(tx, { amount: amountMinor, at: nowIso(), walletId });
  if (!row) {
    const wallet = await tx.selectFrom('wallets').selectAll().where('id', '=', walletId).executeTakeFirst();
    if (!wallet) throw new NotFound(`No wallet ${walletId}.`);
    throw new InsufficientBalance(formatMinor(amountMinor, wallet.currency), formatMinor(wallet.balance_minor + wallet.credit_limit_minor, wallet.currency), wallet.currency);
  }
  await writeLedger(tx, walletId, -amountMinor, row.balance_minor, entry);
  return row.balance_minor;
}

export async function listWallets(db: Db, accountId: number): Promise<Wallet[]> {
  return db.selectFrom('wallets').selectAll().where('account_id', '=', accountId).orderBy('currency').execute();
}

/** True when a request with this key already moved money (its ledger entry exists). */
async function alreadyDone(tx: Db, requestKey: string | undefined): Promise<boolean> {
  if (requestKey === undefined) return false;
  return (await tx.selectFrom('ledger_entries').select('id').where('request_key', '=', requestKey).executeTakeFirst()) !== undefined;
}

/**
 * A top-up by the shop (money received outside Souk). With a `requestKey`, at most once: a
 * request with a key that already credited answers with the wallet as it is.
 */
export async function topUpWallet(db: Db, input: { accountId: number; amountMinor: number; currency: string; memo?: string; actor: string; requestKey?: string }): Promise<Wallet> {
  const topped = await db.transaction().execute(async (tx) => {
    const wallet = await ensureWallet(tx, input.accountId, input.currency);
    if (await alreadyDone(tx, input.requestKey)) return wallet;
    await creditWallet(tx, wallet.id, input.amountMinor, { kind: 'topup', memo: input.memo ?? null, actor: input.actor, requestKey: input.requestKey });
    return tx.selectFrom('wallets').selectAll().where('id', '=', wallet.id).executeTakeFirstOrThrow();
  });
  wakeDispatchers(db);
  return topped;
}

/** A correction, up or down, that must say why. A downward one may not pass the credit limit. At most once per `requestKey`. */
export async function adjustWallet(db: Db, input: { accountId: number; amountMinor: number; currency: string; memo: string; actor: string; requestKey?: string }): Promise<Wallet> {
  if (!input.memo.trim()) throw new ValidationFailed('An adjustment needs a memo saying why.', [{ field: 'memo', message: 'is required' }]);
  if (input.amountMinor === 0) throw new ValidationFailed('An adjustment of zero changes nothing.', [{ field: 'amount', message: 'must not be zero' }]);
  const adjusted = await db.transaction().execute(async (tx) => {
    const wallet = await ensureWallet(tx, input.accountId, input.currency);
    if (await alreadyDone(tx, input.requestKey)) return wallet;
    const entry = { kind: 'adjustment' as const, memo: input.memo.trim(), actor: input.actor, requestKey: input.requestKey };
    if (input.amountMinor > 0) await creditWallet(tx, wallet.id, input.amountMinor, entry);
    else await debitWallet(tx, wallet.id, -input.amountMinor, entry);
    return tx.selectFrom('wallets').selectAll().where('id', '=', wallet.id).executeTakeFirstOrThrow();
  });
  wakeDispatchers(db);
  return adjusted;
}

/** Sets how far a wallet may go below zero; refused if the wallet is already further down than that. */
export async function setWalletCreditLimit(tx: Db, accountId: number, currency: string, creditLimitMinor: number): Promise<void> {
  const wallet = await ensureWallet(tx, accountId, currency);
  if (wallet.balance_minor + creditLimitMinor < 0) {
    throw new Conflict(`The wallet is at ${formatMinor(wallet.balance_minor, wallet.currency)} ${wallet.currency}; the credit limit cannot be lower than ${formatMinor(-wallet.balance_minor, wallet.currency)}.`, 'credit_limit');
  }
  await tx.updateTable('wallets').set({ credit_limit_minor: creditLimitMinor, updated_at: nowIso() }).where('id', '=', wallet.id).execute();
}

export interface LedgerEntry {
  id: number;
  currency: string;
  amount_minor: number;
  balance_after_minor: number;
  kind: LedgerKind;
  reference: string | null;
  memo: string | null;
  actor: string | null;
  created_at: string;
}

/** An account's ledger across its wallets (or one currency's), newest first (`before`: an entry id, to page back). */
export async function listLedgerEntries(db: Db, accountId: number, page: { before?: number; limit?: number; currency?: string } = {}): Promise<LedgerEntry[]> {
  let query = db
    .selectFrom('ledger_entries')
    .innerJoin('wallets', 'wallets.id', 'ledger_entries.wallet_id')
    .select([
      'ledger_entries.id',
      'wallets.currency',
      'ledger_entries.amount_minor',
      'ledger_entries.balance_after_minor',
      'ledger_entries.kind',
      'ledger_entries.reference',
      'ledger_entries.memo',
      'ledger_entries.actor',
      'ledger_entries.created_at',
    ])
    .where('wallets.account_id', '=', accountId)
    .orderBy('ledger_entries.id', 'desc')
    .limit(page.limit ?? 50);
  if (page.before !== undefined) query = query.where('ledger_entries.id', '<', page.before);
  if (page.currency !== undefined) query = query.where('wallets.currency', '=', page.currency.toUpperCase());
  return query.execute();
}
