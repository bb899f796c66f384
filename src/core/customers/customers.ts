// Shop customers (seed 004's users): an account of kind `customer` with a wallet in the shop's
// currency (`balance`, CNY by default) and a USD wallet (`balance_crypto`), and an e-mail + password login that opens only the shop.
import type { Db } from '../../db/index.js';
import { createAccount } from '../accounts/index.js';
import { nowIso } from '../clock.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../crypto.js';
import { EmailTaken, Unauthorized, ValidationFailed, type FieldProblem } from '../errors.js';
import { walletCurrencies } from '../payments/index.js';
import { ensureWallet, listWallets } from '../wallets/index.js';

export interface Customer {
  customerId: number;
  accountId: number;
  email: string;
}

export interface CustomerBalances {
  email: string;
  /** Minor units of the wallet in the shop's currency. */
  balanceMinor: number;
  /** The shop's currency. */
  balanceCurrency: string;
  /** Minor units of the USD wallet. */
  balanceCryptoMinor: number;
  balanceCryptoCurrency: string;
}

/** An e-mail address as registration takes it, before spaces around it are dropped (for the HTTP schema). */
export const EMAIL_PATTERN = '^\\s*[^\\s@]{1,64}@[^\\s@]+\\.[^\\s@]+\\s*$';
const EMAIL = new RegExp(EMAIL_PATTERN);
export const MIN_PASSWORD_LENGTH = 10;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function checkCredentials(email: string, password: string): void {
  const problems: FieldProblem[] = [];
  if (!EMAIL.test(email) || email.length > 320) problems.push({ field: 'email', message: 'must be an e-mail address' });
  if (password.length < MIN_PASSWORD_LENGTH) problems.push({ field: 'password', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` });
  if (problems.length) throw new ValidationFailed(`The registration is not valid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`, problems);
}

async function emailTaken(db: Db, email: string): Promise<boolean> {
  return Boolean(await db.selectFrom('customers').select('id').where('email', '=', email).executeTakeFirst());
}

/**
 * Registers a customer: the account (in the shop's currency), both wallets and the login in one
 * transaction. A taken e-mail is 409 email_taken (the unique index decides when two registrations race).
 */
export async function registerCustomer(db: Db, input: { email: string; password: string }, shopCurrency: string): Promise<Customer> {
  const email = normalizeEmail(input.email);
  checkCredentials(email, input.password);
  // Hashed before anything is read, so a taken e-mail answers no faster than a new one.
  const passwordHash = await hashPassword(input.password);
  if (await emailTaken(db, email)) throw new EmailTaken();
  const insert = async (tx: Db): Promise<Customer> => {
    const wallets = walletCurrencies(shopCurrency);
    const account = await createAccount(tx, { name: email, kind: 'customer', currency: wallets.balance_cny });
    for (const currency of new Set(Object.values(wallets))) await ensureWallet(tx, account.id, currency);
    const row = await tx
      .insertInto('customers')
      .values({ account_id: account.id, email, password_hash: passwordHash, disabled_at: null, created_at: nowIso() })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    return { customerId: row.id, accountId: account.id, email };
  };
  // Inside a caller's transaction (the demo seeds one with everything else), or in one of its own.
  if (db.isTransaction) return insert(db);
  try {
    return await db.transaction().execute(insert);
  } catch (error) {
    if (await emailTaken(db, email)) throw new EmailTaken();
    throw error;
  }
}

/**
 * Checks an e-mail and password; undefined when either is wrong or the customer is disabled.
 * Unknown e-mails cost the same scrypt work as known ones.
 */
export async function checkCustomerLogin(db: Db, email: string, password: string): Promise<Customer | undefined> {
  const row = await db
    .selectFrom('customers')
    .innerJoin('accounts', 'accounts.id', 'customers.account_id')
    .select(['customers.id', 'customers.account_id', 'customers.email', 'customers.password_hash', 'customers.disabled_at', 'accounts.status'])
    .where('customers.email', '=', normalizeEmail(email))
    .executeTakeFirst();
  const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!ok || !row || row.disabled_at || row.status !== 'active') return undefined;
  return { customerId: row.id, accountId: row.account_id, email: row.email };
}

/** The customer behind a token, provided the login and its account are still live. */
export async function loadLiveCustomer(db: Db, customerId: number): Promise<Customer> {
  const row = await db
    .selectFrom('customers')
    .innerJoin('accounts', 'accounts.id', 'customers.account_id')
    .select(['customers.id', 'customers.account_id', 'customers.email', 'customers.disabled_at', 'accounts.status', 'accounts.kind'])
    .where('customers.id', '=', customerId)
    .executeTakeFirst();
  if (!row || row.disabled_at || row.status !== 'active' || row.kind !== 'customer') throw new Unauthorized('This customer login is disabled; contact the shop.');
  return { customerId: row.id, accountId: row.account_id, email: row.email };
}

/** A customer's two balances, the wallets each balance method pays from (a wallet never used reads as zero). */
export async function customerBalances(db: Db, customer: Customer, shopCurrency: string): Promise<CustomerBalances> {
  const wallets = await listWallets(db, customer.accountId);
  const balance = (currency: string) => wallets.find((w) => w.currency === currency)?.balance_minor ?? 0;
  const currencies = walletCurrencies(shopCurrency);
  return {
    email: customer.email,
    balanceMinor: balance(currencies.balance_cny),
    balanceCurrency: currencies.balance_cny,
    balanceCryptoMinor: balance(currencies.balance_crypto),
    balanceCryptoCurrency: currencies.balance_crypto,
  };
}
