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

/** The local price for a unit that costs `costMinor`: markup percent, then fixed, rounded up to the step. */
export function sellPriceOf(costMinor: number, rule: PricingRule): number | undefined {
  const marked = ceilDiv(BigInt(costMinor) * BigInt(10_000 + rule.markupBp), 10_000n) + BigInt(rule.markupFixedMinor);
  const step = BigInt(Math.max(1, rule.roundingMinor));
  return safe(ceilDiv(marked, step) * step);
}
