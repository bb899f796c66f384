// A coupon is used at most as often as it allows, in total and per customer: how placement counts
// its uses. Everything that guarantees it is in this file, for both databases: a batch reads its
// coupons (locked FOR UPDATE on PostgreSQL, in id order, after the wallets) and each customer's
// standing uses; CouponRedemptions decides order after order; the redemptions and the counters
// are written with the orders, and the coupons' CHECK (used_count <= usage_limit) refuses a count
// past the limit whatever was decided. Releasing a use (an order that never completed) is
// releaseCouponRedemption in coupons.ts.
import type SQLite from 'better-sqlite3';
import { sql, type RawBuilder } from 'kysely';

/** A coupon as a batch reads it. */
export interface CouponNow {
  updated_at: string;
  status: string;
  used_count: number;
  usage_limit: number | null;
  per_customer_limit: number | null;
  starts_at: string | null;
  ends_at: string | null;
}

/** A coupon one order is priced by, and whose use it is (the customer key). */
export interface CouponUse {
  id: number;
  customerKey: string;
}

/** The coupons a batch uses (ascending ids: the lock order) and the customers whose standing uses count. */
export interface CouponDemand {
  couponIds: number[];
  customers: CouponUse[];
}

/** What a batch found: its coupons and the standing uses by `${coupon_id}:${customer_key}`. */
export interface CouponsNow {
  coupons: Map<number, CouponNow>;
  uses: Map<string, number>;
}

export interface Redemption {
  coupon_id: number;
  order_id: string;
  customer_key: string;
  discount_minor: number;
  created_at: string;
}

const useKey = (couponId: number, customerKey: string) => `${couponId}:${customerKey}`;

/** The coupons a batch's orders use. */
export function couponDemand(uses: Iterable<CouponUse>): CouponDemand {
  const all = [...uses];
  return {
    couponIds: [...new Set(all.map((u) => u.id))].sort((a, b) => a - b),
    customers: [...new Map(all.map((u) => [useKey(u.id, u.customerKey), { id: u.id, customerKey: u.customerKey }])).values()],
  };
}

/** A batch's coupon uses, decided order after order against what it read. */
export class CouponRedemptions {
  readonly redemptions: Redemption[] = [];
  /** How many uses the batch adds to each coupon. */
  readonly added = new Map<number, number>();
  private readonly customerUses = new Map<string, number>();

  constructor(private readonly now: CouponsNow) {}

  /** The coupon as read, if it is still there. */
  coupon(id: number): CouponNow | undefined {
    return this.now.coupons.get(id);
  }

  /** Why the use is refused (the coupon's limit, or the customer's), or undefined when it is allowed. */
  refusal(use: CouponUse): 'exhausted' | 'customer_exhausted' | undefined {
    const coupon = this.now.coupons.get(use.id);
    if (!coupon) return 'exhausted';
    if (coupon.usage_limit !== null && coupon.used_count + (this.added.get(use.id) ?? 0) >= coupon.usage_limit) return 'exhausted';
    const key = useKey(use.id, use.customerKey);
    const usedByCustomer = this.customerUses.get(key) ?? this.now.uses.get(key) ?? 0;
    if (coupon.per_customer_limit !== null && usedByCustomer >= coupon.per_customer_limit) return 'customer_exhausted';
    return undefined;
  }

  /** Counts the use of a placed order. */
  redeem(use: CouponUse, order: { id: string; at: string }, discountMinor: number): void {
    const key = useKey(use.id, use.customerKey);
    this.customerUses.set(key, (this.customerUses.get(key) ?? this.now.uses.get(key) ?? 0) + 1);
    this.added.set(use.id, (this.added.get(use.id) ?? 0) + 1);
    this.redemptions.push({ coupon_id: use.id, order_id: order.id, customer_key: use.customerKey, discount_minor: discountMinor, created_at: order.at });
  }
}

/** The redemptions on SQLite: statements prepared once, run inside placement's BEGIN IMMEDIATE. */
export function sqliteCouponRedemptions(sqlite: SQLite.Database) {
  const coupon = sqlite.prepare<[number], CouponNow>('select updated_at, status, used_count, usage_limit, per_customer_limit, starts_at, ends_at from coupons where id = ?');
  const standing = sqlite.prepare<[number, string], { uses: number }>('select count(*) as uses from coupon_redemptions where coupon_id = ? and customer_key = ? and released_at is null');
  const redemption = sqlite.prepare(
    'insert into coupon_redemptions (coupon_id, order_id, customer_key, discount_minor, created_at) values (@coupon_id, @order_id, @customer_key, @discount_minor, @created_at)',
  );
  const use = sqlite.prepare('update coupons set used_count = used_count + ? where id = ?');
  return {
    read(demand: CouponDemand): CouponsNow {
      const coupons = new Map<number, CouponNow>();
      for (const id of demand.couponIds) {
        const found = coupon.get(id);
        if (found) coupons.set(id, found);
      }
      return { coupons, uses: new Map(demand.customers.map(({ id, customerKey }) => [useKey(id, customerKey), standing.get(id, customerKey)?.uses ?? 0])) };
    },
    write(decided: CouponRedemptions): void {
      for (const row of decided.redemptions) redemption.run(row);
      // The coupons' CHECK refuses a count past the usage limit, whatever was decided.
      for (const [couponId, uses] of decided.added) use.run(uses, couponId);
    },
  };
}

/** One named statement on PostgreSQL: its name and its query. */
export type PgStatement<R> = [name: string, query: RawBuilder<R>];

/** The batch's coupons locked FOR UPDATE in id order (after the wallets: every writer of coupon uses locks in that order). */
export function pgLockCoupons(demand: CouponDemand): PgStatement<CouponNow & { id: number }> {
  return ['read_coupons', sql<CouponNow & { id: number }>`
    select id, updated_at, status, used_count, usage_limit, per_customer_limit, starts_at, ends_at from coupons where id = any(${demand.couponIds}::int[]) order by id for update
  `];
}

/** Each customer's standing uses of the batch's coupons. */
export function pgStandingUses(demand: CouponDemand): PgStatement<{ coupon_id: number; customer_key: string; uses: number }> {
  return ['read_coupon_uses', sql<{ coupon_id: number; customer_key: string; uses: number }>`
    select r.coupon_id, r.customer_key, count(*)::int as uses from coupon_redemptions r
    where (r.coupon_id, r.customer_key) in (select * from unnest(${demand.customers.map((c) => c.id)}::int[], ${demand.customers.map((c) => c.customerKey)}::text[]))
      and r.released_at is null
    group by r.coupon_id, r.customer_key
  `];
}

/** What pgLockCoupons and pgStandingUses read. */
export function couponsFromRows(coupons: Array<CouponNow & { id: number }>, uses: Array<{ coupon_id: number; customer_key: string; uses: number }>): CouponsNow {
  return { coupons: new Map(coupons.map((c) => [Number(c.id), c])), uses: new Map(uses.map((u) => [useKey(u.coupon_id, u.customer_key), u.uses])) };
}

/** Records the batch's uses in one statement; the coupons' CHECK refuses a count past a usage limit. */
export function pgRedeemCoupons(decided: CouponRedemptions): PgStatement<unknown> {
  const uses = [...decided.added].map(([id, count]) => ({ id, count }));
  return ['write_redemptions', sql`
    with
      redeemed as (
        insert into coupon_redemptions (coupon_id, order_id, customer_key, discount_minor, created_at)
        select x.coupon_id, x.order_id, x.customer_key, x.discount_minor, x.created_at
        from jsonb_to_recordset(${JSON.stringify(decided.redemptions)}::jsonb) as x(coupon_id int, order_id text, customer_key text, discount_minor bigint, created_at text))
    update coupons c set used_count = c.used_count + x.count
    from jsonb_to_recordset(${JSON.stringify(uses)}::jsonb) as x(id int, count int) where c.id = x.id
  `];
}
