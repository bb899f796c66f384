// Exchange rates set by the shop, for charging a wallet in another currency than the product's.
// Rates are decimal strings and conversion is exact rational arithmetic on BigInt; the one
// rounding step goes up to the next minor unit, so a conversion never charges less than the price.
import type { Db } from '../../db/index.js';
import { changeCatalog, largestOrderIn, type CatalogDeps } from '../catalog/index.js';
import { nowIso } from '../clock.js';
import { AmountOutOfRange, NotFound, ValidationFailed, type FieldProblem } from '../errors.js';
import { convertMoney, formatMinor, inverseRate, isCurrencyCode, isRate, MAX_MINOR, money, parseRate, type Money, type Rate } from '../money.js';

/**
 * The largest rate the shop may set, in units of quote per unit of base. Real pairs stay far
 * below it (a rial per dinar is a few million); a larger one is a typo, and would make ordinary
 * prices convert past MAX_MINOR.
 */
export const MAX_FX_RATE = 1_000_000_000;

/**
 * `price` in `to` at `rate` (units of `to` per unit of `price.currency`), rounded up: a
 * conversion never charges less than the price. Past MAX_MINOR it is AmountOutOfRange.
 */
export function convertPrice(price: Money, to: string, rate: string): Money {
  const exact = parseRate(rate);
  if (price.minor > MAX_MINOR) throw outOfRange(price.currency, to);
  if (!Number.isSafeInteger(price.minor) || price.minor < 0) throw new RangeError(`not an amount of minor units: ${price.minor}`);
  const converted = convertMoney(price, to, exact, 'up');
  if (!converted) throw outOfRange(price.currency, to);
  return converted;
}

/** convertPrice for an amount given as minor units of `from`: the converted minor units of `to`. */
export function convertMinor(amountMinor: number, from: string, to: string, rate: string): number {
  return convertPrice({ minor: amountMinor, currency: from }, to, rate).minor;
}

function outOfRange(from: string, to: string): AmountOutOfRange {
  const quote = to.toUpperCase();
  return new AmountOutOfRange(
    `Converted to ${quote}, this amount would pass the most Souk can charge (${formatMinor(MAX_MINOR, quote)} ${quote}); order less, or ask the shop to check its rate from ${from.toUpperCase()} to ${quote}.`,
  );
}

/**
 * Sets the rate from `base` to `quote`. Refused (400 naming `rate`) past MAX_FX_RATE, or when the
 * largest order of a product priced in `base` (price × max_quantity) would not convert within
 * MAX_MINOR at it. A catalog change: resellers' listed prices are converted at it.
 */
export async function setFxRate(deps: CatalogDeps, base: string, quote: string, rate: string): Promise<void> {
  const { db } = deps;
  const from = base.toUpperCase();
  const to = quote.toUpperCase();
  const problems: FieldProblem[] = [];
  if (!isCurrencyCode(from)) problems.push({ field: 'base', message: 'a three-letter ISO 4217 code' });
  if (!isCurrencyCode(to)) problems.push({ field: 'quote', message: 'a three-letter ISO 4217 code' });
  if (!isRate(rate)) problems.push({ field: 'rate', message: 'a positive decimal with at most 12 decimals, e.g. "3.75"' });
  else if (rateAbove(rate, MAX_FX_RATE)) problems.push({ field: 'rate', message: `at most ${MAX_FX_RATE} units of ${to} per ${from}` });
  if (from === to) problems.push({ field: 'quote', message: 'must differ from base' });
  if (!problems.length) {
    const largest = await largestOrderIn(db, from);
    if (largest && !convertsWithinRange(largest.amountMinor, from, to, rate)) {
      problems.push({
        field: 'rate',
        message: `converts an order of ${largest.quantity} × ${largest.code} (${formatMinor(largest.amountMinor, from)} ${from}) past the most Souk can charge (${formatMinor(MAX_MINOR, to)} ${to}); lower the rate, or the product's price or max_quantity first`,
      });
    }
  }
  if (problems.length) throw new ValidationFailed(`The rate is not valid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`, problems);
  await changeCatalog(deps, (tx) =>
    tx
      .insertInto('fx_rates')
      .values({ base: from, quote: to, rate, updated_at: nowIso() })
      .onConflict((c) => c.columns(['base', 'quote']).doUpdateSet({ rate, updated_at: nowIso() }))
      .execute(),
  );
}

function rateAbove(rate: string, max: number): boolean {
  const { numerator, denominator } = parseRate(rate);
  return numerator > BigInt(max) * denominator;
}

function convertsWithinRange(amountMinor: number, from: string, to: string, rate: string): boolean {
  try {
    convertMinor(amountMinor, from, to, rate);
    return true;
  } catch (error) {
    if (error instanceof AmountOutOfRange) return false;
    throw error;
  }
}

export async function listFxRates(db: Db) {
  return db.selectFrom('fx_rates').selectAll().orderBy('base').orderBy('quote').execute();
}

/**
 * What `amountMinor` of `from` is worth in `to` at the shop's rates (the rate from `from` to `to`,
 * else the inverse of the one from `to` to `from`), rounded down so it never shows more than
 * there is. Undefined when the shop has set neither rate, or past MAX_MINOR either way.
 */
export async function valueIn(db: Db, amountMinor: number, from: string, to: string): Promise<number | undefined> {
  if (from === to) return amountMinor;
  const rate = await rateBetween(db, from, to);
  if (!rate) return undefined;
  // A negative balance (credit in use) rounds down too.
  return convertMoney(money(amountMinor, from), to, rate, 'down')?.minor;
}

/** The shop's rate from `from` to `to` (set that way, else the inverse of the one set the other way); undefined when neither is set. */
export async function rateBetween(db: Db, from: string, to: string): Promise<Rate | undefined> {
  if (from === to) return { numerator: 1n, denominator: 1n };
  const rows = await db
    .selectFrom('fx_rates')
    .select(['base', 'rate'])
    .where((eb) => eb.or([eb.and([eb('base', '=', from), eb('quote', '=', to)]), eb.and([eb('base', '=', to), eb('quote', '=', from)])]))
    .execute();
  const direct = rows.find((r) => r.base === from);
  const inverse = rows.find((r) => r.base === to);
  return direct ? parseRate(direct.rate) : inverse ? inverseRate(parseRate(inverse.rate)) : undefined;
}

/** The rate from one currency to another; NotFound when the shop has not set it. */
export async function findFxRate(db: Db, base: string, quote: string): Promise<string> {
  const row = await db.selectFrom('fx_rates').select('rate').where('base', '=', base).where('quote', '=', quote).executeTakeFirst();
  if (!row) throw new NotFound(`No exchange rate from ${base} to ${quote}; the shop must set one.`);
  return row.rate;
}
