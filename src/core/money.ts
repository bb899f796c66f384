// Money is an integer count of a currency's minor units. Decimals exist only on the wire.

/** ISO 4217 exponents that are not 2. */
const EXPONENTS: Record<string, number> = {
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

/**
 * The largest amount Souk holds, in minor units of any currency: every amount is a JS number and
 * must read back exactly (PostgreSQL's bigint holds more; it is never the limit).
 */
export const MAX_MINOR = Number.MAX_SAFE_INTEGER;

/** `unitMinor × quantity` when that is at most MAX_MINOR, else undefined: never a rounded product. */
export function timesQuantity(unitMinor: number, quantity: number): number | undefined {
  // For safe integers a product past 2^53 rounds to 2^53 or more, so this check is exact.
  const total = unitMinor * quantity;
  return Number.isSafeInteger(total) ? total : undefined;
}

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

export function isCurrencyCode(value: string): boolean {
  return /^[A-Z]{3}$/.test(value);
}

/**
 * Parses a decimal amount ("5", "5.5", "5.50", 5.5) into minor units without floating-point
 * arithmetic. Returns undefined when it has more decimals than the currency allows or is not a number.
 */
export function parseMinor(amount: string | number, currency: string): number | undefined {
  const exponent = currencyExponent(currency);
  const text = typeof amount === 'number' ? numberToPlainString(amount) : amount.trim();
  if (text === undefined) return undefined;
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > exponent) return undefined;
  const minor = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(trimmed.padEnd(exponent, '0') || '0');
  const value = Number(sign ? -minor : minor);
  return Number.isSafeInteger(value) ? value : undefined;
}

function numberToPlainString(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  // Shortest round-trip representation; reject exponent notation rather than guess.
  const text = String(value);
  return /e/i.test(text) ? undefined : text;
}

/** Minor units as a decimal string with the currency's exponent, e.g. 550 USD → "5.50". */
export function formatMinor(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${text}` : text;
}

/** Minor units as a JSON number for the wire (the API speaks decimal numbers). */
export function minorToDecimal(minor: number, currency: string): number {
  return Number(formatMinor(minor, currency));
}

/** An amount of money: a whole number of `currency`'s minor units. Decimals exist only on the wire. */
export interface Money {
  readonly minor: number;
  readonly currency: string;
}

/** `minor` units of `currency`; RangeError unless `minor` is a safe integer. */
export function money(minor: number, currency: string): Money {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an amount of minor units: ${minor}`);
  return { minor, currency };
}

/** `amount` × `quantity` when that is at most MAX_MINOR, else undefined: never a rounded product. */
export function moneyTimes(amount: Money, quantity: number): Money | undefined {
  const minor = timesQuantity(amount.minor, quantity);
  return minor === undefined ? undefined : { minor, currency: amount.currency };
}

/** `amount` less `less`, both in one currency (RangeError otherwise). */
export function moneyLess(amount: Money, less: Money): Money {
  if (less.currency !== amount.currency) throw new RangeError(`cannot take ${less.currency} from ${amount.currency}`);
  return money(amount.minor - less.minor, amount.currency);
}

/** One of `quantity` equal parts of `amount`, rounded up to the minor unit (exactly: no float division). */
export function moneyPerUnit(amount: Money, quantity: number): Money {
  if (!Number.isSafeInteger(quantity) || quantity < 1) throw new RangeError(`not a quantity: ${quantity}`);
  const total = BigInt(amount.minor);
  const parts = BigInt(quantity);
  const quotient = total / parts;
  return { minor: Number(total % parts > 0n ? quotient + 1n : quotient), currency: amount.currency };
}

/** `amount` as people read it: "5.50 USD". */
export function formatMoney(amount: Money): string {
  return `${formatMinor(amount.minor, amount.currency)} ${amount.currency}`;
}

/** An exchange rate as the exact fraction numerator / denominator: units of quote per unit of base. */
export interface Rate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const RATE = /^(\d{1,12})(?:\.(\d{1,12}))?$/;

/** A positive decimal with at most 12 digits either side of the point: what a rate may be written as. */
export function isRate(value: string): boolean {
  return RATE.test(value) && /[1-9]/.test(value);
}

/** The exact fraction a rate string says; RangeError for anything isRate refuses. */
export function parseRate(rate: string): Rate {
  const match = RATE.exec(rate);
  if (!match || !isRate(rate)) throw new RangeError(`not a rate: ${rate}`);
  const [, whole = '0', fraction = ''] = match;
  return { numerator: BigInt(whole + fraction), denominator: 10n ** BigInt(fraction.length) };
}

/** The rate the other way round: units of base per unit of quote. */
export function inverseRate(rate: Rate): Rate {
  return { numerator: rate.denominator, denominator: rate.numerator };
}

/**
 * How a conversion's one rounding step goes: `up` (toward +∞) never charges less than the exact
 * value, `down` (toward −∞) never shows more than there is.
 */
export type Rounding = 'up' | 'down';

/**
 * `amount` in minor units of `to` at `rate` (units of `to` per unit of `amount.currency`),
 * computed exactly on BigInt with one rounding step at the end; undefined when the result is past
 * MAX_MINOR either way.
 */
export function convertMoney(amount: Money, to: string, rate: Rate | string, rounding: Rounding = 'up'): Money | undefined {
  const { numerator, denominator } = typeof rate === 'string' ? parseRate(rate) : rate;
  const shift = currencyExponent(to) - currencyExponent(amount.currency);
  let top = BigInt(amount.minor) * numerator;
  let bottom = denominator;
  if (shift >= 0) top *= 10n ** BigInt(shift);
  else bottom *= 10n ** BigInt(-shift);
  // BigInt division truncates toward zero: one step more when the exact value lies beyond it.
  let result = top / bottom;
  if (top % bottom !== 0n) {
    if (rounding === 'up' && top > 0n) result += 1n;
    if (rounding === 'down' && top < 0n) result -= 1n;
  }
  if (result > BigInt(MAX_MINOR) || result < -BigInt(MAX_MINOR)) return undefined;
  return { minor: Number(result), currency: to };
}
