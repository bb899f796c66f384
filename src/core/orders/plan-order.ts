// Planning an order: read the product and the buyer, check the quantity and checkout fields,
// price it (tier, FX) and check the buyer's price guard, giving the plan that placement-batch.ts
// writes. Planning reads through a cache (PlacementReads): it is safe because every plan carries
// what it was priced from and the write refuses it as stale if any of that has changed, and
// anything refused on cached reads is planned again from fresh ones.
import { randomInt } from 'node:crypto';
import type { Db } from '../../db/index.js';
import { buyerTermsOf, type AccountRiskTerms } from '../accounts/index.js';
import { findProduct, tieredPrice, type CheckoutField, type Product } from '../catalog/index.js';
import { nowIso } from '../clock.js';
import { orderPlacedEvents } from '../events/index.js';
import { AmountOutOfRange, DomainError, ItemNotFound, NotFound, OrderRefused, PriceAboveLimit, ValidationFailed, type FieldProblem } from '../errors.js';
import type { FulfillmentStrategies, FulfillmentStrategy } from '../fulfillment/index.js';
import type { PaymentProviders, PaymentRequest } from '../payments/index.js';
import { couponDiscount, couponForOrder, type AppliedCoupon } from '../coupons/index.js';
import { newUlid } from '../ids.js';
import { formatMinor, formatMoney, isCurrencyCode, MAX_MINOR, money, moneyLess, moneyPerUnit, moneyTimes, parseMinor, type Money } from '../money.js';
import { convertPrice, ensureWallet, findFxRate, findWalletId } from '../wallets/index.js';
import type { OrderRow, PlacementPlan } from './placement-batch.js';
import type { PlaceOrderInput } from './place-order.js';
import type { OrderEvent } from './read-orders.js';
import { isWalletCheckoutEnabled } from './settings.js';
import { assessOrder, reasonsInWords, type RiskDecision, type RiskSettings } from '../risk/index.js';

/** Checkout fields an order may carry; more is refused before anything reads them. */
export const MAX_CHECKOUT_FIELDS = 20;
const MAX_FIELD_LENGTH = 500;

const NUMBER_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A human order number: SK-XXXX-XXXX-XXXX, 60 random bits. */
function orderNumber(): string {
  const chars = Array.from({ length: 12 }, () => NUMBER_ALPHABET[randomInt(32)]).join('');
  return `SK-${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

function checkFields(declared: CheckoutField[], given: Record<string, string>, problems: FieldProblem[]): Record<string, string> {
  const entries = Object.entries(given);
  if (entries.length > MAX_CHECKOUT_FIELDS) problems.push({ field: 'fields', message: `at most ${MAX_CHECKOUT_FIELDS} fields` });
  const out: Record<string, string> = {};
  for (const [name, value] of entries.slice(0, MAX_CHECKOUT_FIELDS)) {
    if (typeof value !== 'string' || value.length > MAX_FIELD_LENGTH) problems.push({ field: `fields.${name}`, message: `must be text of at most ${MAX_FIELD_LENGTH} characters` });
    else out[name] = value.trim();
  }
  for (const field of declared) {
    const value = out[field.name];
    if (!value) {
      if (field.required) problems.push({ field: `fields.${field.name}`, message: `is required for this product (${field.label.en ?? field.name})` });
      continue;
    }
    if (value.length > field.max_length) problems.push({ field: `fields.${field.name}`, message: `must be at most ${field.max_length} characters` });
    else if (field.pattern && !new RegExp(`^(?:${field.pattern})$`).test(value)) problems.push({ field: `fields.${field.name}`, message: 'is not in the expected format' });
  }
  return out;
}

interface Pricing {
  /** One unit, in the currency the order is priced in: the product's, or the one the caller asked for (`priceIn`). */
  unit: Money;
  /** The rate that turned the product's unit price into the unit's currency, when they differ. */
  unitFx: UnitFx | null;
  /** After the coupon, in the unit's currency. */
  total: Money;
  coupon: AppliedCoupon | null;
  /** What the wallet is charged, in its currency. */
  charged: Money;
  /** From the total's currency to the charged one, when they differ. */
  fxRate: string | null;
}

/** The exchange rate a unit price was converted with. */
export interface UnitFx {
  base: string;
  quote: string;
  rate: string;
}

/**
 * A unit price in `currency`: the tier's price of `product`, converted with `rate` (units of
 * `currency` per unit of the product's currency, null when they are the same) and rounded up to
 * the minor unit. Placement prices orders with it, so a list that shows it shows exactly what one
 * unit is charged.
 */
export function unitPriceIn(product: Pick<Product, 'price_minor' | 'currency'>, discountBp: number, currency: string, rate: string | null): Money {
  const tiered = money(tieredPrice(product.price_minor, discountBp), product.currency);
  if (currency === product.currency) return tiered;
  if (rate === null) throw new RangeError(`a rate from ${product.currency} to ${currency} is needed`);
  return convertPrice(tiered, currency, rate);
}

/** What placement needs to know about the buyer, read in one query. */
interface Buyer {
  currency: string;
  discountBp: number;
  walletId: number | null;
  walletCheckout: boolean;
  /** The account's own risk terms (its currency, and null where it takes the shop's default). */
  risk: AccountRiskTerms;
}

async function loadBuyer(tx: Db, accountId: number): Promise<Buyer> {
  // Each from the module that keeps it: the account's terms, its wallet, the shop's switch.
  const [terms, walletCheckout] = await Promise.all([buyerTermsOf(tx, accountId), isWalletCheckoutEnabled(tx)]);
  if (!terms) throw new ItemNotFound(`account ${accountId}`);
  const walletId = await findWalletId(tx, accountId, terms.currency);
  const { discount_bp: discountBp, ...risk } = terms;
  return { currency: terms.currency, discountBp, walletId: walletId ?? null, walletCheckout, risk };
}

/**
 * Price: the tier's unit price (converted to `priceIn` first, when given), times the quantity,
 * less the coupon, converted to the wallet's currency; every amount within MAX_MINOR, else
 * AmountOutOfRange (409) before anything is written.
 */
async function priceOrder(
  tx: Db,
  reads: PlacementReads,
  product: Product,
  quantity: number,
  buyer: Buyer,
  priceIn: string,
  chargedCurrency: string,
  couponCode: string | undefined,
  at: string,
): Promise<Pricing> {
  const rate = async (base: string, quote: string) =>
    reads.fxRate(tx, base, quote).catch((error: unknown) => {
      if (!(error instanceof NotFound)) throw error;
      throw new DomainError('currency_unavailable', 409, `This shop has no exchange rate from ${base} to ${quote}; ask the shop to set one.`);
    });
  const unitFx = priceIn === product.currency ? null : { base: product.currency, quote: priceIn, rate: await rate(product.currency, priceIn) };
  const unit = unitPriceIn(product, buyer.discountBp, priceIn, unitFx?.rate ?? null);
  const subtotal = moneyTimes(unit, quantity);
  if (subtotal === undefined) {
    throw new AmountOutOfRange(
      `${quantity} × ${product.code} at ${formatMoney(unit)} passes the most one order can be charged (${formatMoney({ minor: MAX_MINOR, currency: priceIn })}); order fewer.`,
    );
  }
  const coupon = couponCode === undefined ? null : await applyCoupon(tx, couponCode, { id: product.id, code: product.code, currency: priceIn }, subtotal.minor, at);
  const total = coupon ? moneyLess(subtotal, money(coupon.discountMinor, priceIn)) : subtotal;
  const priced = { unit, unitFx, total, coupon };
  if (chargedCurrency === priceIn) return { ...priced, charged: total, fxRate: null };
  const fxRate = await rate(priceIn, chargedCurrency);
  return { ...priced, charged: convertPrice(total, chargedCurrency, fxRate), fxRate };
}

/** The coupon's discount on this order, read fresh: coupons are few and change (disabling, limits). */
async function applyCoupon(db: Db, code: string, product: Pick<Product, 'id' | 'code' | 'currency'>, subtotalMinor: number, at: string): Promise<AppliedCoupon> {
  const row = await couponForOrder(db, code);
  return { id: Number(row.id), code: row.code, updatedAt: row.updated_at, discountMinor: couponDiscount(row, product, subtotalMinor, at) };
}

export interface PlannedOrder {
  plan: PlacementPlan;
  product: Product;
  fields: Record<string, string>;
  /** How the order gets its goods: its product's strategy. */
  fulfillment: FulfillmentStrategy;
}

/** The strategies placement chooses from: the app's registries. */
export interface PlacementStrategies {
  fulfillment: FulfillmentStrategies;
  payments: PaymentProviders;
  /** The shop's risk defaults; absent: orders are not scored. */
  risk?: RiskSettings;
}

/** Seconds from `at` (an ISO time) as an ISO time. */
function later(at: string, seconds: number): string {
  return new Date(Date.parse(at) + seconds * 1000).toISOString();
}

/** Scores the order (core/risk) when a rule is on for its account; refuses it at the reject threshold. */
async function assessRisk(db: Db, strategies: PlacementStrategies, reads: PlacementReads, accountId: number, buyer: Buyer, product: Product, charged: Money, input: PlaceOrderInput): Promise<RiskDecision | null> {
  if (!strategies.risk) return null;
  const order = { accountId, productId: product.id, amountMinor: charged.minor, currency: charged.currency, buyerEmail: input.buyer?.email ?? null, clientIp: input.clientIp ?? null };
  const decision = await assessOrder(db, strategies.risk, order, buyer.risk, async (terms) => {
    if (terms.currency === charged.currency) return charged.minor;
    const rate = await reads.fxRate(db, charged.currency, terms.currency).catch((error: unknown) => {
      if (error instanceof NotFound) return null;
      throw error;
    });
    return rate === null ? null : convertPrice(charged, terms.currency, rate).minor;
  });
  if (decision?.verdict === 'reject') throw new OrderRefused();
  return decision;
}

/**
 * Reads and checks everything an order needs and prices it: the plan of what to write. What it
 * read is carried in the plan (`priced`) and checked again when the plan is written.
 */
export async function planOrder(
  db: Db,
  strategies: PlacementStrategies,
  reads: PlacementReads,
  accountId: number,
  input: PlaceOrderInput,
  hash: string,
  actor: string,
): Promise<PlannedOrder> {
  const [product, buyer] = await Promise.all([reads.product(db, input.product), reads.buyer(db, accountId)]);
  if (product.status !== 'active') throw new ItemNotFound(String(input.product));
  const fulfillment = strategies.fulfillment.strategyFor(product.fulfillment, product.code);

  const problems: FieldProblem[] = [];
  const quantity = input.quantity ?? product.min_quantity;
  if (!Number.isInteger(quantity) || quantity < product.min_quantity || quantity > product.max_quantity) {
    problems.push({ field: 'quantity', message: `must be a whole number from ${product.min_quantity} to ${product.max_quantity} for ${product.code}` });
  }
  const fields = checkFields(product.fields, input.fields ?? {}, problems);
  if (input.deliveryChannel === 'email' && !input.buyer?.email) problems.push({ field: 'buyer.email', message: 'is required for e-mail delivery' });
  if (problems.length) throw new ValidationFailed(`The order is not valid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`, problems);
  await fulfillment.admit({ db, cached: reads.cached }, product, quantity);

  const paymentRequest: PaymentRequest = input.payment ?? { kind: 'wallet' };
  const payment = strategies.payments.forPlacement(paymentRequest, input.channel ?? 'api');
  const { currency: chargedCurrency } = payment.admit(paymentRequest, buyer);
  const now = nowIso();
  const priceIn = input.priceIn?.toUpperCase() ?? product.currency;
  if (!isCurrencyCode(priceIn)) throw new ValidationFailed('The pricing currency is not a currency code.', [{ field: 'priceIn', message: 'a three-letter currency code' }]);
  const price = await priceOrder(db, reads, product, quantity, buyer, priceIn, chargedCurrency, input.couponCode, now);
  const { coupon } = price;
  if (input.maxUnitPrice !== undefined) {
    const { currency } = price.charged;
    const limit = parseMinor(input.maxUnitPrice, currency);
    if (limit === undefined) throw new ValidationFailed('max_unit_price is not a valid amount.', [{ field: 'max_unit_price', message: `a decimal amount in ${currency}` }]);
    const chargedUnit = moneyPerUnit(price.charged, quantity);
    if (chargedUnit.minor > limit) throw new PriceAboveLimit(formatMinor(chargedUnit.minor, currency), formatMinor(limit, currency), currency);
  }

  const risk = await assessRisk(db, strategies, reads, accountId, buyer, product, price.charged, input);
  const review = risk?.verdict === 'review';

  const orderId = newUlid();
  const walletId = (price.charged.currency === buyer.currency ? buyer.walletId : null) ?? (await ensureWallet(db, accountId, price.charged.currency)).id;
  const started = await payment.start(paymentRequest, { walletId, charged: price.charged, at: now });
  const events: OrderEvent[] =
    started.status === 'pending'
      ? [{ from: null, to: 'awaiting_payment', reason: started.reason, actor, at: now }]
      : [
          { from: null, to: 'queued', reason: 'placed', actor, at: now },
          // Scored for review: paid and its goods held, it waits for a person (core/orders/reviews.ts).
          review ? { from: 'queued', to: 'review', reason: `waiting for review (${reasonsInWords(risk)})`, actor, at: now } : { from: 'queued', to: fulfillment.whenPaid.status, reason: fulfillment.whenPaid.reason, actor, at: now },
        ];
  const order: OrderRow = {
    id: orderId,
    number: orderNumber(),
    account_id: accountId,
    channel: input.channel ?? 'api',
    client_order_id: input.clientOrderId ?? null,
    idempotency_key: input.idempotencyKey ?? null,
    request_hash: hash,
    product_id: product.id,
    quantity,
    unit_price_minor: price.unit.minor,
    currency: price.unit.currency,
    total_minor: price.total.minor,
    charged_minor: price.charged.minor,
    charged_currency: price.charged.currency,
    fx_rate: price.fxRate,
    // Already the final status: if any later step fails, the whole order goes.
    status: events.at(-1)!.to,
    payment_status: started.status,
    payment_provider: payment.kind,
    fulfillment: product.fulfillment,
    wallet_id: walletId,
    buyer_name: input.buyer?.name ?? null,
    buyer_email: input.buyer?.email ?? null,
    delivery_channel: input.deliveryChannel ?? 'api',
    callback_url: input.callbackUrl ?? null,
    fields: JSON.stringify(fields),
    reason: null,
    expires_at: started.status === 'pending' ? started.holdUntil : null,
    created_at: now,
    updated_at: now,
    coupon_id: coupon?.id ?? null,
    discount_minor: coupon?.discountMinor ?? 0,
    risk_score: risk?.score ?? null,
    risk_verdict: risk ? (review ? 'review' : 'allow') : null,
    risk_reasons: risk ? JSON.stringify(risk.reasons) : null,
    // An order paid later starts its review when its payment arrives (payHeldOrder).
    review_until: review && started.status === 'paid' ? later(now, strategies.risk!.reviewTimeoutSeconds) : null,
    client_ip: input.clientIp ?? null,
  };
  const plan: PlacementPlan = {
    order,
    priced: {
      updatedAt: product.updated_at,
      priceMinor: product.price_minor,
      currency: product.currency,
      fulfillment: product.fulfillment,
      stockMode: product.stock_mode,
      buyer: { currency: buyer.currency, discountBp: buyer.discountBp, walletCheckout: buyer.walletCheckout, risk: buyer.risk },
      fxRate: price.fxRate,
      unitFx: price.unitFx,
    },
    coupon: coupon && { ...coupon, customerKey: `account:${accountId}` },
    // An order in review holds its codes as an unpaid one does, until someone approves it.
    claim: fulfillment.claim(product, review ? 'pending' : started.status),
    debit: started.status === 'paid' ? started.debit : null,
    events,
    outbox: orderPlacedEvents(order),
    // A paid order that goes straight on (not to review) may start its fulfilment in its own transaction.
    writtenWith: started.status === 'paid' && order.status === fulfillment.whenPaid.status ? fulfillment.writtenWith?.(order) : undefined,
    actor,
  };
  return { plan, product, fields, fulfillment };
}


/** Entries a cache holds before it starts again empty: bounds memory whatever the catalog size. */
const CACHE_LIMIT = 10_000;

function remember<K, V>(cache: Map<K, V>, key: K, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/**
 * Reads for planning, fresh or from this process's cache. Only answers that let an order go
 * ahead are cached (an active product, a buyer whose wallet checkout is on), and the write checks
 * them again, so a cached read can never place an order on outdated terms; it can only cost a
 * retry.
 */
export class PlacementReads {
  constructor(
    /** Whether reads may be answered from the cache; fresh reads refill it either way. */
    readonly cached: boolean,
    private readonly cache = { products: new Map<string, Product>(), buyers: new Map<number, Buyer>(), rates: new Map<string, string>() },
  ) {}

  /** The same cache, read around: for planning again after a refusal or a stale plan. */
  fresh(): PlacementReads {
    return new PlacementReads(false, this.cache);
  }

  async product(db: Db, reference: string | number): Promise<Product> {
    const key = String(reference);
    const hit = this.cached ? this.cache.products.get(key) : undefined;
    if (hit) return hit;
    const product = await findProduct(db, reference);
    if (product.status === 'active') remember(this.cache.products, key, product);
    return product;
  }

  async buyer(db: Db, accountId: number): Promise<Buyer> {
    const hit = this.cached ? this.cache.buyers.get(accountId) : undefined;
    if (hit) return hit;
    const buyer = await loadBuyer(db, accountId);
    if (buyer.walletCheckout && buyer.walletId !== null) remember(this.cache.buyers, accountId, buyer);
    return buyer;
  }

  async fxRate(db: Db, base: string, quote: string): Promise<string> {
    const key = `${base}:${quote}`;
    const hit = this.cached ? this.cache.rates.get(key) : undefined;
    if (hit) return hit;
    return remember(this.cache.rates, key, await findFxRate(db, base, quote));
  }
}
