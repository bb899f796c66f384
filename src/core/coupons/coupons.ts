// Coupons: managing them, and the terms an order is priced by. Redemptions are written by
// placement, in the order's transaction (core/orders/placement-*.ts), and released when an order
// that never completed is cancelled, rejected or expires.
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import type { CouponsTable } from '../../db/schema.js';
import type { Selectable } from 'kysely';
import { findProduct, type Product } from '../catalog/index.js';
import { nowIso } from '../clock.js';
import { Conflict, InvalidCoupon, NotFound, ValidationFailed, type FieldProblem } from '../errors.js';
import { formatMinor, isCurrencyCode, parseMinor } from '../money.js';

export type CouponRow = Selectable<CouponsTable>;

export interface Coupon {
  id: number;
  code: string;
  kind: 'percent' | 'amount';
  /** "10" for 10 % (kind percent). */
  percent: string | null;
  /** Decimal amount off (kind amount), in `currency`. */
  amount: string | null;
  currency: string | null;
  product_id: number | null;
  usage_limit: number | null;
  per_customer_limit: number | null;
  used_count: number;
  starts_at: string | null;
  ends_at: string | null;
  status: 'active' | 'disabled';
  created_at: string;
  updated_at: string;
}

export interface CouponInput {
  code?: string;
  /** A percentage off, "10" or "12.5". */
  percent?: string | number;
  /** A fixed amount off, in `currency`. */
  amount?: string | number;
  currency?: string;
  /** Product id, code or slug: the coupon then applies to that product only. */
  product?: string | number;
  usage_limit?: number;
  per_customer_limit?: number;
  starts_at?: string;
  ends_at?: string;
}

const CODE = /^[A-Z0-9][A-Z0-9_-]{2,63}$/;

export const normalizeCouponCode = (code: string) => code.trim().toUpperCase();

export function toCoupon(row: CouponRow): Coupon {
  return {
    id: Number(row.id),
    code: row.code,
    kind: row.kind,
    percent: row.percent_bp === null ? null : formatMinor(row.percent_bp, 'XXX').replace(/\.?0+$/, ''),
    amount: row.amount_minor === null || row.currency === null ? null : formatMinor(Number(row.amount_minor), row.currency),
    currency: row.currency,
    product_id: row.product_id,
    usage_limit: row.usage_limit,
    per_customer_limit: row.per_customer_limit,
    used_count: row.used_count,
    starts_at: row.starts_at,
    ends_at: row.ends_at,
    status: row.status,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function isoTime(value: string | undefined, field: string, problems: FieldProblem[]): string | null {
  if (value === undefined) return null;
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(time)) {
    problems.push({ field, message: 'an ISO-8601 time such as 2026-12-01T00:00:00Z' });
    return null;
  }
  return new Date(time).toISOString();
}

function positiveLimit(value: number | undefined, field: string, problems: FieldProblem[]): number | null {
  if (value === undefined) return null;
  if (!Number.isInteger(value) || value < 1 || value > 1_000_000_000) problems.push({ field, message: 'a whole number of at least 1' });
  return value;
}

export async function createCoupon(db: Db, input: CouponInput): Promise<Coupon> {
  const problems: FieldProblem[] = [];
  const code = normalizeCouponCode(input.code ?? '');
  if (!CODE.test(code)) problems.push({ field: 'code', message: '3 to 64 letters, digits, - or _' });
  let kind: 'percent' | 'amount' = 'percent';
  let percentBp: number | null = null;
  let amountMinor: number | null = null;
  let currency: string | null = null;
  if ((input.percent === undefined) === (input.amount === undefined)) {
    problems.push({ field: 'percent', message: 'give either percent or amount' });
  } else if (input.percent !== undefined) {
    // Basis points: a percentage with up to two decimals.
    percentBp = parseMinor(input.percent, 'XXX') ?? null;
    if (percentBp === null || percentBp < 1 || percentBp > 10_000) problems.push({ field: 'percent', message: 'from 0.01 to 100, at most two decimals' });
  } else {
    kind = 'amount';
    currency = (input.currency ?? '').toUpperCase();
    if (!isCurrencyCode(currency)) problems.push({ field: 'currency', message: 'a three-letter currency code, required with amount' });
    else {
      amountMinor = parseMinor(input.amount!, currency) ?? null;
      if (amountMinor === null || amountMinor <= 0) problems.push({ field: 'amount', message: `a positive amount in ${currency}` });
    }
  }
  const usageLimit = positiveLimit(input.usage_limit, 'usage_limit', problems);
  const perCustomerLimit = positiveLimit(input.per_customer_limit, 'per_customer_limit', problems);
  const startsAt = isoTime(input.starts_at, 'starts_at', problems);
  const endsAt = isoTime(input.ends_at, 'ends_at', problems);
  if (startsAt && endsAt && endsAt <= startsAt) problems.push({ field: 'ends_at', message: 'must be after starts_at' });
  let product: Product | undefined;
  if (input.product !== undefined) {
    product = await findProduct(db, input.product).catch(() => undefined);
    if (!product) problems.push({ field: 'product', message: `no product matches "${input.product}"` });
    else if (currency && currency !== product.currency) problems.push({ field: 'currency', message: `must be the product's currency, ${product.currency}` });
  }
  if (problems.length) throw new ValidationFailed(`The coupon is not valid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`, problems);
  const existing = await db.selectFrom('coupons').select('id').where('code', '=', code).executeTakeFirst();
  if (existing) throw new Conflict(`A coupon with code ${code} already exists.`, 'code');
  const now = nowIso();
  const row = await db
    .insertInto('coupons')
    .values({
      code,
      kind,
      percent_bp: percentBp,
      amount_minor: amountMinor,
      currency,
      product_id: product?.id ?? null,
      usage_limit: usageLimit,
      per_customer_limit: perCustomerLimit,
      starts_at: startsAt,
      ends_at: endsAt,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCoupon(row);
}

async function couponRow(db: Db, reference: string | number): Promise<CouponRow> {
  const text = String(reference);
  const row = /^\d+$/.test(text)
    ? await db.selectFrom('coupons').selectAll().where('id', '=', Number(text)).executeTakeFirst()
    : await db.selectFrom('coupons').selectAll().where('code', '=', normalizeCouponCode(text)).executeTakeFirst();
  if (!row) throw new NotFound(`No coupon matches "${text}".`);
  return row;
}

export async function findCoupon(db: Db, reference: string | number): Promise<Coupon> {
  return toCoupon(await couponRow(db, reference));
}

export async function listCoupons(db: Db, filter: { status?: 'active' | 'disabled' } = {}): Promise<Coupon[]> {
  let query = db.selectFrom('coupons').selectAll().orderBy('id', 'desc').limit(500);
  if (filter.status) query = query.where('status', '=', filter.status);
  return (await query.execute()).map(toCoupon);
}

/** Disabling stops new orders from using the coupon at once (placement re-checks it at write time). */
export async function setCouponStatus(db: Db, reference: string | number, status: 'active' | 'disabled'): Promise<Coupon> {
  const row = await couponRow(db, reference);
  const updated = await db
    .updateTable('coupons')
    .set({ status, updated_at: nowIso() })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCoupon(updated);
}

/** What an order is priced by: the coupon as read, and what it takes off. */
export interface AppliedCoupon {
  id: number;
  code: string;
  /** The coupon's updated_at: any change to it (disabling included) makes a plan priced by it stale. */
  updatedAt: string;
  discountMinor: number;
}

/**
 * The discount a coupon gives on a total (minor units of the product's currency), or why it does
 * not apply. Percentages round the discount down, so a discount is never more than it says.
 */
export function couponDiscount(row: CouponRow, product: Pick<Product, 'id' | 'code' | 'currency'>, totalMinor: number, at: string): number {
  if (row.status !== 'active') throw new InvalidCoupon(`Coupon ${row.code} is not active.`);
  if (row.starts_at && at < row.starts_at) throw new InvalidCoupon(`Coupon ${row.code} is valid from ${row.starts_at}.`);
  if (row.ends_at && at >= row.ends_at) throw new InvalidCoupon(`Coupon ${row.code} expired at ${row.ends_at}.`);
  if (row.product_id !== null && row.product_id !== product.id) throw new InvalidCoupon(`Coupon ${row.code} does not apply to ${product.code}.`);
  if (row.kind === 'percent') return Number((BigInt(totalMinor) * BigInt(row.percent_bp ?? 0)) / 10_000n);
  if (row.currency !== product.currency) throw new InvalidCoupon(`Coupon ${row.code} applies only to products priced in ${row.currency}.`);
  return Math.min(Number(row.amount_minor ?? 0), totalMinor);
}

/** Reads a coupon by code for pricing an order; an unknown code is `invalid_coupon`. */
export async function couponForOrder(db: Db, code: string): Promise<CouponRow> {
  const row = await db.selectFrom('coupons').selectAll().where('code', '=', normalizeCouponCode(code)).executeTakeFirst();
  if (!row) throw new InvalidCoupon(`No coupon has the code ${normalizeCouponCode(code)}.`);
  return row;
}

/**
 * Gives back the uses of an order that did not complete (cancelled, rejected, expired), in the
 * transaction that changes its status. Done at most once per order: only a standing redemption
 * is released.
 */
export async function releaseCouponRedemption(tx: Db, orderId: string, at: string): Promise<void> {
  const released = await tx
    .updateTable('coupon_redemptions')
    .set({ released_at: at })
    .where('order_id', '=', orderId)
    .where('released_at', 'is', null)
    .returning('coupon_id')
    .executeTakeFirst();
  if (!released) return;
  await tx
    .updateTable('coupons')
    .set({ used_count: sql<number>`used_count - 1` })
    .where('id', '=', released.coupon_id)
    .execute();
}
