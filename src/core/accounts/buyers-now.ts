// What a batch of placements priced each buyer by (the account's currency and its price tier's
// discount) and assessed its orders by (the account's own risk terms), read again inside its
// transaction: an order whose buyer's terms changed meanwhile is stale. The tier's discount is
// catalog's price_tiers, read in the same statement so the batch keeps one round trip; accounts
// names the tier, catalog sets its discount.
import type SQLite from 'better-sqlite3';
import { sql, type RawBuilder } from 'kysely';
import { queryTemplate, type Db } from '../../db/index.js';

export interface BuyerTerms {
  currency: string;
  discount_bp: number;
  /** The account's own risk thresholds; null: the shop's default. */
  risk_review_score: number | null;
  risk_reject_score: number | null;
  review_above_minor: number | null;
}

/** An account's own risk terms (core/risk decides with them): its currency, score thresholds and review-above amount; null: the shop's default. */
export type AccountRiskTerms = Omit<BuyerTerms, 'discount_bp'>;

type BuyerRow = AccountRiskTerms & { discount_bp: number | null };

function termsOf(row: BuyerRow): BuyerTerms {
  return {
    currency: row.currency,
    discount_bp: row.discount_bp ?? 0,
    risk_review_score: row.risk_review_score,
    risk_reject_score: row.risk_reject_score,
    review_above_minor: row.review_above_minor === null ? null : Number(row.review_above_minor),
  };
}

const RISK_COLUMNS = 'a.risk_review_score, a.risk_reject_score, a.review_above_minor';

/** The buyers on SQLite, one prepared statement. */
export function sqliteBuyersNow(sqlite: SQLite.Database): (accountIds: number[]) => Map<number, BuyerTerms> {
  const buyer = sqlite.prepare<[number], BuyerRow>(`select a.currency, (select t.discount_bp from price_tiers t where t.name = a.tier) as discount_bp, ${RISK_COLUMNS} from accounts a where a.id = ?`);
  return (accountIds) => {
    const buyers = new Map<number, BuyerTerms>();
    for (const id of accountIds) {
      const found = buyer.get(id);
      if (found) buyers.set(id, termsOf(found));
    }
    return buyers;
  };
}

/**
 * The `buyers` jsonb column of a batch's state query on PostgreSQL. `extra` adds columns every
 * buyer row carries (placement adds its wallet-checkout switch), so they cost no second query.
 */
export function pgBuyersNow(accountIds: number[], extra: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
      (select coalesce(jsonb_agg(b), '[]') from (
         select a.id, a.currency, coalesce((select t.discount_bp from price_tiers t where t.name = a.tier), 0) as discount_bp, ${sql.raw(RISK_COLUMNS)}, ${extra}
         from accounts a where a.id = any(${accountIds}::int[])) b) as buyers`;
}

const selectTerms = queryTemplate(['accountId'], (db, p) =>
  db
    .selectFrom('accounts as a')
    .select((eb) => [
      'a.currency',
      eb.selectFrom('price_tiers').select('discount_bp').whereRef('price_tiers.name', '=', 'a.tier').as('discount_bp'),
      'a.risk_review_score',
      'a.risk_reject_score',
      'a.review_above_minor',
    ])
    .where('a.id', '=', p.accountId),
);

/** What an order of this account is priced and assessed by, read now; undefined when there is no such account. */
export async function buyerTermsOf(db: Db, accountId: number): Promise<BuyerTerms | undefined> {
  const [row] = await selectTerms.run(db, { accountId });
  return row && termsOf(row);
}

/**
 * PostgreSQL: whether every buyer's terms are still exactly those an order was priced and assessed
 * by (a boolean expression for a statement that writes orders without reading first).
 */
export function pgBuyersAsPriced(priced: Array<BuyerTerms & { id: number }>): RawBuilder<boolean> {
  return sql<boolean>`(select count(*) from accounts a
      join jsonb_to_recordset(${JSON.stringify(priced)}::jsonb)
        as x(id int, currency text, discount_bp int, risk_review_score int, risk_reject_score int, review_above_minor bigint)
        on a.id = x.id and a.currency = x.currency
          and coalesce((select t.discount_bp from price_tiers t where t.name = a.tier), 0) = x.discount_bp
          and a.risk_review_score is not distinct from x.risk_review_score
          and a.risk_reject_score is not distinct from x.risk_reject_score
          and a.review_above_minor is not distinct from x.review_above_minor
      -- By key as well as by the join: planned once for any values, the join alone read every account.
      where a.id = any(${priced.map((b) => b.id)}::int[])) = ${priced.length}`;
}
