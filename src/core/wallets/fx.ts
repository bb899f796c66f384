// Exchange rates set by the shop, for charging a wallet in another currency than the product's.
// Rates are decimal strings and conversion is exact rational arithmetic on BigInt; the one
// rounding step goes up to the next minor unit, so a conversion never charges less than the price.
import type { Db } from '../../db/index.js';
import { nowIso } from '../clock.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { currencyExponent, isCurrencyCode } from '../money.js';

const RATE = /^(\d{1,12})(?:\.(\d{1,12}))?$/;

export function isRate(value: string): boolean {
  const match = RATE.exec(value);
  return Boolean(match) && /[1-9]/.test(value);
}

/**
 * Converts minor units of `from` into minor units of `to` at `rate` (units of `to` per unit of
 * `from`), rounding up.
 */
export function convertMinor(amountMinor: number, from: string, to: string, rate: string): number {
  const match = RATE.exec(rate);
  if (!match || !isRate(rate)) throw new RangeError(`not a rate: ${rate}`);
  const [, whole = '0', fraction = ''] = match;
  const rateNumerator = BigInt(whole + fraction);
  const rateDenominator = 10n ** BigInt(fraction.length);
  const shift = currencyExponent(to) - currencyExponent(from);
  let numerator = BigInt(amountMinor) * rateNumerator;
  let denominator = rateDenominator;
  if (shift >= 0) numerator *= 10n ** BigInt(shift);
  else denominator *= 10n ** BigInt(-shift);
  const quotient = numerator / denominator;
  const result = numerator % denominator === 0n ? quotient : quotient + 1n;
  const value = Number(result);
  if (!Number.isSafeInteger(value)) throw new RangeError('converted amount is too large');
  return value;
}

export async function setFxRate(db: Db, base: string, quote: string, rate: string): Promise<void> {
  const from = base.toUpperCase();
  const to = quote.toUpperCase();
  const problems = [];
  if (!isCurrencyCode(from)) problems.push({ field: 'base', message: 'a three-letter ISO 4217 code' });
  if (!isCurrencyCode(to)) problems.push({ field: 'quote', message: 'a three-letter ISO 4217 code' });
  if (!isRate(rate)) problems.push({ field: 'rate', message: 'a positive decimal with at most 12 decimals, e.g. "3.75"' });
  if (from === to) problems.push({ field: 'quote', message: 'must differ from base' });
  if (problems.length) throw new ValidationFailed('The rate is not valid.', problems);
  await db
    .insertInto('fx_rates')
    .values({ base: from, quote: to, rate, updated_at: nowIso() })
    .onConflict((c) => c.columns(['base', 'quote']).doUpdateSet({ rate, updated_at: nowIso() }))
    .execute();
}

export async function listFxRates(db: Db) {
  return db.selectFrom('fx_rates').selectAll().orderBy('base').orderBy('quote').execute();
}

/** The rate from one currency to another; NotFound when the shop has not set it. */
export async function findFxRate(db: Db, base: string, quote: string): Promise<string> {
  const row = await db.selectFrom('fx_rates').select('rate').where('base', '=', base).where('quote', '=', quote).executeTakeFirst();
  if (!row) throw new NotFound(`No exchange rate from ${base} to ${quote}; the shop must set one.`);
  return row.rate;
}
