import type { Db } from '../../db/index.js';
import type { AccountRow } from '../../db/schema.js';
import { nowIso } from '../clock.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { isCurrencyCode } from '../money.js';
import { setWalletCreditLimit } from '../wallets/index.js';
import { priceTierExists } from '../catalog/index.js';
import type { ChangeBus } from '../../platform/bus.js';
import { forgetLiveKeys } from './live-keys.js';

export const ACCOUNT_KINDS = ['admin', 'reseller', 'partner', 'customer'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface NewAccount {
  name: string;
  kind?: AccountKind;
  currency?: string;
  creditLimitMinor?: number;
  rateLimitPerMinute?: number | null;
}

/** Creates an account (the party that owns keys, wallets and orders). */
export async function createAccount(db: Db, input: NewAccount): Promise<AccountRow> {
  const kind = input.kind ?? 'reseller';
  const currency = (input.currency ?? 'USD').toUpperCase();
  const problems = [];
  if (!input.name.trim()) problems.push({ field: 'name', message: 'must not be empty' });
  if (!ACCOUNT_KINDS.includes(kind)) problems.push({ field: 'kind', message: `must be one of ${ACCOUNT_KINDS.join(', ')}` });
  if (!isCurrencyCode(currency)) problems.push({ field: 'currency', message: 'must be a three-letter ISO 4217 code' });
  if (input.creditLimitMinor !== undefined && (!Number.isSafeInteger(input.creditLimitMinor) || input.creditLimitMinor < 0)) {
    problems.push({ field: 'credit_limit', message: 'must be zero or more' });
  }
  if (input.rateLimitPerMinute != null && (!Number.isInteger(input.rateLimitPerMinute) || input.rateLimitPerMinute < 1)) {
    problems.push({ field: 'rate_limit_per_minute', message: 'must be a whole number of at least 1' });
  }
  if (problems.length) throw new ValidationFailed('The account is not valid.', problems);
  const now = nowIso();
  return db
    .insertInto('accounts')
    .values({
      kind,
      name: input.name.trim(),
      currency,
      status: 'active',
      credit_limit_minor: input.creditLimitMinor ?? 0,
      rate_limit_per_minute: input.rateLimitPerMinute ?? null,
      tier: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getAccount(db: Db, accountId: number): Promise<AccountRow> {
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
  if (!account) throw new NotFound(`No account ${accountId}.`);
  return account;
}

/** Every account, oldest first; only those of `kind` when it is given. */
export async function listAccounts(db: Db, filter: { kind?: AccountKind } = {}): Promise<AccountRow[]> {
  let query = db.selectFrom('accounts').selectAll().orderBy('id');
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  return query.execute();
}

export interface AccountChanges {
  name?: string;
  status?: 'active' | 'suspended' | 'closed';
  rateLimitPerMinute?: number | null;
  creditLimitMinor?: number;
  /** A price tier's name, or null for list prices. */
  tier?: string | null;
  /** Risk thresholds (0 to 100; 0 turns one off), or null for the shop's defaults (core/risk). */
  riskReviewScore?: number | null;
  riskRejectScore?: number | null;
  /** Review every order charged above this (minor units of the account's currency); null: no such rule. */
  reviewAboveMinor?: number | null;
}

/**
 * Changes an account's name, status, limits or price tier; a suspended or closed account's keys
 * stop working at once (in another process that cannot hear of it, within a second: live-keys.ts).
 */
export async function updateAccount(deps: { db: Db; bus: ChangeBus }, accountId: number, changes: AccountChanges): Promise<AccountRow> {
  const updated = await deps.db.transaction().execute(async (tx) => {
    const current = await getAccount(tx, accountId);
    if (changes.tier != null && !(await priceTierExists(tx, changes.tier))) {
      throw new ValidationFailed(`No price tier "${changes.tier}".`, [{ field: 'tier', message: 'must name an existing price tier, or be null' }]);
    }
    const row = await tx
      .updateTable('accounts')
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.status !== undefined ? { status: changes.status } : {}),
        ...(changes.rateLimitPerMinute !== undefined ? { rate_limit_per_minute: changes.rateLimitPerMinute } : {}),
        ...(changes.creditLimitMinor !== undefined ? { credit_limit_minor: changes.creditLimitMinor } : {}),
        ...(changes.tier !== undefined ? { tier: changes.tier } : {}),
        ...(changes.riskReviewScore !== undefined ? { risk_review_score: changes.riskReviewScore } : {}),
        ...(changes.riskRejectScore !== undefined ? { risk_reject_score: changes.riskRejectScore } : {}),
        ...(changes.reviewAboveMinor !== undefined ? { review_above_minor: changes.reviewAboveMinor } : {}),
        updated_at: nowIso(),
      })
      .where('id', '=', accountId)
      .returningAll()
      .executeTakeFirstOrThrow();
    // The account's credit limit is its main wallet's.
    if (changes.creditLimitMinor !== undefined) await setWalletCreditLimit(tx, accountId, current.currency, changes.creditLimitMinor);
    return row;
  });
  // Remembered keys carry the account's status and rate limit.
  forgetLiveKeys(deps);
  return updated;
}
