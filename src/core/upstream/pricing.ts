// What an imported product sells for: the upstream's unit price, converted to the sell currency at
// the shop's FX rate, plus the markup (percent, then fixed), rounded up to the rounding step.
// Exact arithmetic on BigInt, and every rounding goes up: Souk never prices below its cost.
import { currencyExponent, MAX_MINOR, type Rate } from '../money.js';

/** How a provider's products are priced here. */
export interface PricingRule {
  sellCurrency: string;
  markupBp: number;
  markupFixedMinor: number;
  roundingMinor: number;
}

const DECIMAL = /^(\d{1,15})(?:\.(\d{1,12}))?$/;

/** A non-negative decimal string ("12.5", "0.00042") as an exact fraction of major units; undefined for anything else. */
export function decimalFraction(text: string): Rate | undefined {
  const match = DECIMAL.exec(text.trim());
  if (!match) return undefined;
  const [, whole = '0', fraction = ''] = match;
  return { numerator: BigInt(whole + fraction), denominator: 10n ** BigInt(fraction.length) };
}

const ceilDiv = (top: bigint, bottom: bigint) => (top + bottom - 1n) / bottom;

function safe(value: bigint): number | undefined {
  return value <= BigInt(MAX_MINOR) ? Number(value) : undefined;
}

/** A decimal amount in minor units of `currency`, rounded up (a price) or down (a balance); undefined when it is not an amount. */
export function decimalToMinor(text: string, currency: string, rounding: 'up' | 'down'): number | undefined {
  const fraction = decimalFraction(text);
  if (!fraction) return undefined;
  const top = fraction.numerator * 10n ** BigInt(currencyExponent(currency));
  return safe(rounding === 'up' ? ceilDiv(top, fraction.denominator) : top / fraction.denominator);
}

/** What one unit costs in the sell currency (at `rate`, units of the sell currency per unit of the upstream's), rounded up. */
export function costIn(price: string, sellCurrency: string, rate: Rate): number | undefined {
  const fraction = decimalFraction(price);
  if (!fraction) return undefined;
  const top = fraction.numerator * rate.numerator * 10n ** BigInt(currencyExponent(sellCurrency));
  return safe(ceilDiv(top, fraction.denominator * rate.denominator));
}

/**
 * The local price of a unit the upstream sells at `price` (a decimal in its currency): converted
 * at `rate`, the markup percent added, then the fixed markup, and rounded up to the step once, at
 * the end, on the exact amount. (Rounding the converted cost to a minor unit first, then the
 * markup, could land a step above the rule.)
 */
export function sellPriceOf(price: string, rate: Rate, rule: PricingRule): number | undefined {
  const fraction = decimalFraction(price);
  if (!fraction) return undefined;
  const top = fraction.numerator * rate.numerator * 10n ** BigInt(currencyExponent(rule.sellCurrency)) * BigInt(10_000 + rule.markupBp);
  const bottom = fraction.denominator * rate.denominator * 10_000n;
  const step = BigInt(Math.max(1, rule.roundingMinor));
  // ceil((top / bottom + fixed) / step) × step, in integers.
  const marked = top + BigInt(rule.markupFixedMinor) * bottom;
  return safe(ceilDiv(marked, bottom * step) * step);
}
